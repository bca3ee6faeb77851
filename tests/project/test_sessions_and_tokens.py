"""A new password ends the user's API tokens, whichever page set it; sessions end when idle and
after a fixed time; every page carries a Content-Security-Policy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from booking.models import ApiToken, Event
from booking.services.tokens import api_token_create
from tests.factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "launchbook-test"
NEW_PASSWORD = "a-fresh-Orbit-2031"


def live_token(user):
    _, key = api_token_create(user=user, name="ground station")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/auth/tokens/").status_code == 200
    return client


def member():
    membership = MembershipFactory(customer=CustomerFactory(), user=UserFactory(username="gom"))
    return membership.user


def assert_tokens_revoked(user, api):
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert api.get("/api/v1/auth/tokens/").status_code == 401
    event = Event.objects.filter(verb="api_token.revoked").latest("pk")
    assert event.after["reason"] == "the password was changed"


def test_a_password_change_in_the_portal_revokes_every_api_token():
    user = member()
    api, other = live_token(user), live_token(user)
    client = Client()
    client.force_login(user)
    answer = client.post(
        "/portal/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 302
    assert_tokens_revoked(user, api)
    assert other.get("/api/v1/auth/tokens/").status_code == 401
    assert Event.objects.filter(verb="api_token.revoked").count() == 2


def test_a_password_reset_revokes_every_api_token():
    user = member()
    api = live_token(user)
    client = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form_page = client.get(f"/portal/password-reset/{uid}/{token}/", follow=True)
    assert form_page.status_code == 200
    answer = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert answer.status_code == 302
    assert_tokens_revoked(user, api)


def test_a_password_set_by_an_administrator_in_the_admin_revokes_the_users_tokens():
    user = member()
    api = live_token(user)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    answer = client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert_tokens_revoked(user, api)


def test_an_operator_changing_their_own_password_in_the_admin_loses_their_tokens():
    operator = UserFactory(username="operator", is_staff=True)
    api = live_token(operator)
    client = Client()
    client.force_login(operator)
    answer = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert answer.status_code == 302
    assert_tokens_revoked(operator, api)


def test_a_password_reset_request_sends_a_link_that_works():
    """The rate limit in front of the reset form leaves the ordinary reset working."""
    UserFactory(username="gom", email="ops@gomspace.example")
    client = Client()
    assert client.post("/portal/password-reset/", {"email": "ops@gomspace.example"}).status_code == 302
    assert len(mail.outbox) == 1
    assert re.search(r"/portal/password-reset/[^/]+/[^/]+/", mail.outbox[0].body)


def signed_in_client():
    client = Client()
    assert client.post("/portal/login/", {"username": "gom", "password": PASSWORD}).status_code == 302
    return client


def test_a_session_ends_after_the_idle_timeout(settings):
    settings.LAUNCHBOOK_SESSION_IDLE_MINUTES = 30
    member()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in_client()
        clock.move_to(start + timedelta(minutes=20))
        assert client.get("/portal/").status_code == 200
        clock.move_to(start + timedelta(minutes=45))  # 25 idle minutes since the last request
        assert client.get("/portal/").status_code == 200
        clock.move_to(start + timedelta(minutes=80))  # 35 idle minutes
        answer = client.get("/portal/")
        assert answer.status_code == 302 and answer["Location"].startswith("/portal/login/")
        page = client.get(answer["Location"])
        assert "signed out after 30 minutes without activity" in page.content.decode()
        assert "_auth_user_id" not in client.session


def test_a_session_ends_at_its_maximum_age_even_when_busy(settings):
    settings.LAUNCHBOOK_SESSION_IDLE_MINUTES = 60
    settings.LAUNCHBOOK_SESSION_MAX_HOURS = 2
    member()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in_client()
        for minutes in range(30, 121, 30):
            clock.move_to(start + timedelta(minutes=minutes))
            assert client.get("/portal/").status_code == 200
        clock.move_to(start + timedelta(minutes=125))
        answer = client.get("/portal/")
        assert answer.status_code == 302 and answer["Location"].startswith("/portal/login/")


def test_the_session_cookie_lives_no_longer_than_the_maximum_age(settings):
    member()
    client = signed_in_client()
    assert settings.SESSION_COOKIE_AGE == settings.LAUNCHBOOK_SESSION_MAX_HOURS * 3600 <= 24 * 3600
    assert client.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


@pytest.mark.parametrize("path", ["/", "/portal/login/", "/admin/login/", "/api/docs/", "/portal/"])
def test_every_page_carries_a_content_security_policy_without_inline_scripts(path):
    member()
    client = Client()
    client.login(username="gom", password=PASSWORD)
    answer = client.get(path)
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    script_src = re.search(r"script-src([^;]*)", policy).group(1)
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    html = answer.content.decode()
    # No inline script and no inline event handler: the policy would block them.
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", html)
    assert not re.search(r"\son[a-z]+=\"", html)


def test_no_template_needs_inline_script_or_eval_which_the_policy_blocks():
    """Inline handlers (onclick=…) and htmx trigger filters (evaluated with Function()) would be
    refused by script-src 'self'; every template does without them."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "booking" / "templates"
    offenders = []
    for template in templates.rglob("*.html"):
        text = template.read_text()
        if re.search(r"\son[a-z]+=\"", text) or re.search(r"hx-trigger=\"[^\"]*[a-zA-Z]\[", text):
            offenders.append(str(template.relative_to(templates)))
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(str(template.relative_to(templates)))
    assert offenders == []
