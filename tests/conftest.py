"""Shared fixtures: service requirements, eager Celery, fast password hashing, the demo catalog."""

from __future__ import annotations

import fcntl
import hashlib
import os
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test.utils import override_settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the same
# thread are safe here because pytest-django's live_server runs the app in another thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = django_settings.LAUNCHBOOK_REQUIRE_SERVICES


def _redis_reachable() -> bool:
    url = django_settings.REDIS_URL
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    redis_ok = _redis_reachable()
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if REQUIRE_SERVICES:
                item.add_marker(pytest.mark.usefixtures("_fail_missing_postgres"))
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "redis" in item.keywords and not redis_ok:
            if REQUIRE_SERVICES:
                item.add_marker(pytest.mark.usefixtures("_fail_missing_redis"))
            else:
                item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))


@pytest.fixture
def _fail_missing_postgres():
    pytest.fail("LAUNCHBOOK_REQUIRE_SERVICES=1 but the database is not PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def _fail_missing_redis():
    pytest.fail("LAUNCHBOOK_REQUIRE_SERVICES=1 but Redis is not reachable (set REDIS_URL)")


@pytest.fixture(scope="session", autouse=True)
def _fast_passwords():
    """MD5 instead of PBKDF2 for the whole session, so fixtures wider than one test (the demo
    catalog's accounts) hash fast too; no test measures the production hasher."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="module")
def demo_catalog(django_db_setup, django_db_blocker):
    """The demo catalog and its accounts, loaded once per test module.

    They are written inside a transaction that stays open while the module's tests run and is
    rolled back after the last one. Each test (``db``) runs in a savepoint inside it, rolled back
    after the test, so every test still starts from the same demo rows. Not for transactional
    tests (``transaction=True``, ``live_server``): they need committed rows.
    """
    from booking.demo import load_accounts, load_catalog

    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        loaded = {"counts": load_catalog(), "accounts": load_accounts()}
    yield loaded
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with empty throttling counters, in process (never the shared Redis)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _webhooks_to_local_receivers(settings):
    """Webhook receivers in tests listen on 127.0.0.1 and names like ops.gomspace.example do not
    resolve offline; production refuses both (the SSRF rule has tests that switch this off)."""
    settings.LAUNCHBOOK_WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Chinese leaves Chinese active on its thread (the language middleware activates
    each request's own, as Django's does, and a server's next request activates its own again); a
    test that follows on the same thread would read its messages in Chinese. Each test ends in the
    default language."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_orbit_catalog():
    """Each test reads the orbit catalog it made: none kept from a test rolled back before it."""
    from booking.selectors.catalog import catalog_forget

    catalog_forget()
    yield
    catalog_forget()


@pytest.fixture(autouse=True)
def _one_real_broker_user_at_a_time(request):
    """Tests marked ``redis`` talk to one Redis broker: they empty its ``celery`` queue and start
    workers that take whatever task is on it, with their own test database. Two of them at once
    (on two pytest-xdist workers) would take each other's tasks, so each holds a lock file named
    after the broker for its run; every other test runs in parallel as before."""
    if request.node.get_closest_marker("redis") is None or not django_settings.REDIS_URL:
        yield
        return
    name = hashlib.sha1(django_settings.REDIS_URL.encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"launchbook-broker-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test starts a real worker."""
    from launchbook.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _login_with_a_request(monkeypatch):
    """The sign-in lockout (django-axes) needs the request to know the client address; Django's
    test ``client.login()`` sends none, so give it one from the test client's own address."""
    from django.test import Client, RequestFactory

    original = Client.login

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/portal/login/"))
        return original(self, **credentials)

    monkeypatch.setattr(Client, "login", login)
