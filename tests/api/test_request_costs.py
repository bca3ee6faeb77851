"""What one API request costs: the rate limit's bookkeeping, the page count, the caller's
organisations, the lock wait, and answers built from the rows a write has just made."""

from __future__ import annotations

import pytest
import redis.connection
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from booking.api.authentication import ApiTokenAuthentication
from booking.api.base import UserTokenRateThrottle
from booking.api.serializers.bookings import BookingSerializer
from booking.api.serializers.quotes import QuoteSerializer
from booking.models import Booking, Launch, Quote
from booking.services import locking
from customers.models import Membership
from customers.selectors import customer_ids_for
from tests.factories import LaunchFactory, MembershipFactory, ProviderFactory, UserFactory, engine_world

from .conftest import token_client

pytestmark = pytest.mark.django_db

MEMBERSHIPS = 'SELECT "customers_membership"'  # a query of its own (the token query has a subquery)


def limit_users_to(settings, rate: str) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": rate}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def at(monkeypatch, seconds: float) -> None:
    monkeypatch.setattr(UserTokenRateThrottle, "timer", staticmethod(lambda: seconds))


@pytest.fixture(params=["in process", pytest.param("redis", marks=pytest.mark.redis)])
def throttle_cache(request, settings, tenant_a):
    """The rate limit's counters in each cache it runs on: in process (the embedded default) and
    Redis (production: one pipelined round trip). The Redis counters are this test's user's only,
    removed afterwards."""
    if request.param == "redis":
        if not settings.REDIS_URL:
            pytest.skip("needs Redis: set REDIS_URL")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": settings.REDIS_URL,
            }
        }
    keys = [f"throttle_user_{tenant_a.user.pk}:{window}" for window in range(5_999_999, 6_000_003)]
    cache.delete_many(keys)
    yield request.param
    cache.delete_many(keys)


# --- the rate limit ------------------------------------------------------------------------


def test_the_rate_limit_keeps_a_counter_per_window_not_a_list_of_times(
    tenant_a, settings, monkeypatch, throttle_cache
):
    limit_users_to(settings, "1000/minute")
    at(monkeypatch, 6_000_000 * 60 + 10)  # 10 s into a minute
    for _ in range(25):
        assert tenant_a.client.get("/api/v1/sites/").status_code == 200
    stored = cache.get(f"throttle_user_{tenant_a.user.pk}:6000000")
    # DRF's throttle stores one timestamp per request (a list of 25 here, of thousands at a
    # lifted rate) and rewrites it on every request; the counter is one small number.
    assert stored == 25


def test_a_budget_spent_late_in_a_minute_still_counts_early_in_the_next(
    tenant_a, settings, monkeypatch, throttle_cache
):
    limit_users_to(settings, "10/minute")
    minute = 6_000_000 * 60
    at(monkeypatch, minute + 55)
    assert [tenant_a.client.get("/api/v1/sites/").status_code for _ in range(11)] == [200] * 10 + [429]
    # 5 s into the next minute 55/60 of the last minute's ten requests still weigh (9.2): one
    # more fits; a fixed window would have allowed ten more at once, twenty in ten seconds.
    at(monkeypatch, minute + 65)
    assert [tenant_a.client.get("/api/v1/sites/").status_code for _ in range(2)] == [200, 429]
    answer = tenant_a.client.get("/api/v1/sites/")
    assert answer.status_code == 429
    # 10 * (1 - t/60) + 1 < 10 from t = 6 s into the minute: 1 s from now
    assert int(answer["Retry-After"]) == 1
    at(monkeypatch, minute + 66.5)
    assert tenant_a.client.get("/api/v1/sites/").status_code == 200
    at(monkeypatch, minute + 120 + 59)  # the full minute since: the budget is back
    assert [tenant_a.client.get("/api/v1/sites/").status_code for _ in range(9)] == [200] * 9


def test_refused_requests_do_not_use_the_budget(tenant_a, settings, monkeypatch, throttle_cache):
    limit_users_to(settings, "3/minute")
    at(monkeypatch, 6_000_000 * 60 + 1)
    codes = [tenant_a.client.get("/api/v1/sites/").status_code for _ in range(6)]
    assert codes == [200, 200, 200, 429, 429, 429]
    assert cache.get(f"throttle_user_{tenant_a.user.pk}:6000000") == 3


@pytest.mark.redis
def test_on_redis_an_allowed_request_costs_the_rate_limit_one_round_trip(tenant_a, settings, monkeypatch):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    cache.delete(f"throttle_user_{tenant_a.user.pk}:6000000")
    limit_users_to(settings, "2/minute")
    at(monkeypatch, 6_000_000 * 60 + 1)
    sends = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counted(connection, command, *args, **kwargs):
        sends.append(command)
        return original(connection, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    request = APIRequestFactory().get("/api/v1/sites/")
    request.user = tenant_a.user
    throttle = UserTokenRateThrottle()
    assert throttle.allow_request(request, None) is True
    assert len(sends) == 1  # INCR, EXPIRE and GET pipelined
    assert throttle.allow_request(request, None) is True
    assert len(sends) == 2
    # The third is refused: its count is taken back (a second round trip, on refusal only).
    assert throttle.allow_request(request, None) is False
    assert len(sends) == 4
    assert cache.get(f"throttle_user_{tenant_a.user.pk}:6000000") == 2
    key = caches["default"].make_key(f"throttle_user_{tenant_a.user.pk}:6000000")
    assert caches["default"]._cache.get_client(key).ttl(key) == 120  # noqa: SLF001 - two windows
    cache.delete(f"throttle_user_{tenant_a.user.pk}:6000000")


# --- the page count ------------------------------------------------------------------------


def test_a_list_shorter_than_a_page_is_not_counted_separately(tenant_a):
    for _ in range(3):
        ProviderFactory()
    tenant_a.client.get("/api/v1/providers/")
    with CaptureQueriesContext(connection) as ctx:
        answer = tenant_a.client.get("/api/v1/providers/")
    assert answer.json()["count"] == 3 and len(answer.json()["results"]) == 3
    assert answer.json()["next"] is None
    assert not any("COUNT(" in q["sql"] for q in ctx.captured_queries)


def test_a_full_first_page_still_counts_every_row(tenant_a):
    for _ in range(5):
        ProviderFactory()
    first = tenant_a.client.get("/api/v1/providers/?page_size=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["next"].endswith("page=2&page_size=2")
    last = tenant_a.client.get("/api/v1/providers/?page_size=2&page=3").json()
    assert last["count"] == 5 and len(last["results"]) == 1 and last["next"] is None
    exact = tenant_a.client.get("/api/v1/providers/?page_size=5").json()
    assert exact["count"] == 5 and exact["next"] is None
    assert tenant_a.client.get("/api/v1/providers/?page=9").status_code == 404


# --- the caller's organisations ------------------------------------------------------------


def test_the_token_brings_its_users_organisations(tenant_a, tenant_b):
    """A member of two organisations acting through one token: its organisations come with the
    token (no membership query), and the other organisation's rows stay hidden."""
    MembershipFactory(user=tenant_a.user, customer=tenant_b.customer, role=Membership.Role.ADMIN)
    LaunchFactory()
    request = APIRequestFactory().get("/api/v1/payloads/", HTTP_AUTHORIZATION=f"Token {tenant_a.key}")
    user, _token = ApiTokenAuthentication().authenticate(request)
    with CaptureQueriesContext(connection) as ctx:
        assert customer_ids_for(user) == {tenant_a.customer.pk, tenant_b.customer.pk}
    assert len(ctx) == 0
    with CaptureQueriesContext(connection) as ctx:
        assert tenant_a.client.get("/api/v1/payloads/").status_code == 200
    assert not any(q["sql"].startswith(MEMBERSHIPS) for q in ctx.captured_queries)


def test_a_user_of_no_organisation_has_none(db):
    user = UserFactory()
    client = token_client(user)
    assert client.get("/api/v1/payloads/").json()["count"] == 0


# --- the lock wait, once per transaction ---------------------------------------------------


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL sets a lock wait; SQLite locks at BEGIN"
)


def lock_timeouts(sql):
    return sum(q.startswith("SELECT set_config('lock_timeout'") for q in sql)


@postgres_only
def test_the_lock_wait_is_set_once_for_several_locks():
    world = engine_world()
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        locking.lock_launches([world.launch])
        locking.lock_customer(customer_id=world.customer.pk, what="the customer")
        locking.lock_payload(payload_id=world.payload.pk)
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] != "0"
    assert lock_timeouts([q["sql"] for q in ctx.captured_queries]) == 1


@postgres_only
def test_the_lock_wait_is_set_again_after_a_savepoint_that_set_it_rolls_back():
    world = engine_world()
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        try:
            with transaction.atomic():
                locking.lock_launches([world.launch])
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        # PostgreSQL forgot the SET LOCAL with the savepoint: it must be set again
        locking.lock_customer(customer_id=world.customer.pk, what="the customer")
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] != "0"
    assert lock_timeouts([q["sql"] for q in ctx.captured_queries]) == 2


@postgres_only
def test_the_lock_wait_is_set_in_each_new_transaction():
    world = engine_world()
    for _ in range(2):
        with transaction.atomic():
            locking.lock_launches([world.launch])
            with connection.cursor() as cursor:
                cursor.execute("SHOW lock_timeout")
                assert cursor.fetchone()[0] != "0"


# --- answers from the rows just written ----------------------------------------------------


def flow_client():
    world = engine_world()
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.ADMIN)
    return world, token_client(world.user)


def test_the_new_quote_answers_what_a_fresh_read_shows(db):
    world, client = flow_client()
    answer = client.post(
        "/api/v1/quotes/",
        {"payload": world.payload.pk, "launch": world.launch.pk, "options": ["mission_control"]},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    fresh = Quote.objects.prefetch_related("lines").get(pk=answer.json()["id"])
    assert answer.json() == QuoteSerializer(fresh).data
    assert len(answer.json()["lines"]) == 2


def test_a_cancel_answers_what_a_fresh_read_shows(db):
    world, client = flow_client()
    quote = client.post(
        "/api/v1/quotes/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    )
    held = client.post("/api/v1/bookings/", {"quote": quote.json()["id"]}, format="json")
    answer = client.post(
        f"/api/v1/bookings/{held.json()['id']}/cancel/", {"reason": "not ready"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json() == BookingSerializer(Booking.objects.get(pk=held.json()["id"])).data
    assert answer.json()["status"] == "cancelled"


# --- the answer's fields -------------------------------------------------------------------


def test_a_kept_serializer_answers_as_a_freshly_built_one(db):
    world, client = flow_client()
    quote = client.post(
        "/api/v1/quotes/", {"payload": world.payload.pk, "launch": world.launch.pk}, format="json"
    )
    held = client.post("/api/v1/bookings/", {"quote": quote.json()["id"]}, format="json")
    booking = Booking.objects.get(pk=held.json()["id"])

    class FreshlyBuilt(serializers.ModelSerializer):  # the same fields, built on every instance
        port = serializers.CharField(source="launch_port.kind", read_only=True, allow_null=True, default=None)

        class Meta(BookingSerializer.Meta):
            pass

    first, second = BookingSerializer(booking), BookingSerializer(booking)
    assert first.data == FreshlyBuilt(booking).data == held.json()
    # Each instance has fields of its own, bound to it: the kept ones are copied, never shared.
    assert first.fields["status"] is not second.fields["status"]
    assert first.fields["status"].parent is first and second.fields["status"].parent is second


# --- the launch lock keeps what the caller read -----------------------------------------------


def test_the_launch_lock_reads_the_row_alone_when_the_caller_carries_its_model_rocket_and_provider():
    world = engine_world()
    read = Launch.objects.select_related(*locking.LAUNCH_RELATED).get(pk=world.launch.pk)
    prefetch_related_objects([read.vehicle_model], "capacity_points")
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        locked = locking.lock_launches([read], keep_related=True)[read.pk]
        locks = [q["sql"] for q in ctx.captured_queries if 'FROM "booking_launch"' in q["sql"]]
        assert len(locks) == 1 and "JOIN" not in locks[0]
        assert locked is not read and locked.provider is read.provider
        assert locked.vehicle_model.pk == read.vehicle_model.pk
        # What was prefetched before the lock is not what the checks under it read: the curve
        # is read again, from the rows.
        with CaptureQueriesContext(connection) as under:
            list(locked.vehicle_model.capacity_points.all())
        assert len(under) == 1
        assert "capacity_points" in read.vehicle_model._prefetched_objects_cache  # noqa: SLF001


def test_the_launch_lock_joins_what_the_caller_did_not_read_and_reads_what_changed():
    world = engine_world()
    bare = Launch.objects.get(pk=world.launch.pk)
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        locked = locking.lock_launches([bare], keep_related=True)[bare.pk]
        [lock] = [q["sql"] for q in ctx.captured_queries if 'FROM "booking_launch"' in q["sql"]]
        assert "JOIN" in lock
    with CaptureQueriesContext(connection) as after:
        assert locked.provider.pk == world.launch.provider_id
    assert len(after) == 0

    read = Launch.objects.select_related(*locking.LAUNCH_RELATED).get(pk=world.launch.pk)
    other = ProviderFactory(name="Galactic Energy", slug="galactic-energy")
    Launch.objects.filter(pk=read.pk).update(provider=other)  # changed since the caller read it
    with transaction.atomic():
        locked = locking.lock_launches([read], keep_related=True)[read.pk]
        assert locked.provider == other and read.provider != other


# --- plans kept on the connection ----------------------------------------------------------


@postgres_only
def test_a_query_run_again_on_one_connection_is_planned_once():
    world = engine_world()
    if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        pytest.skip("LAUNCHBOOK_DB_PREPARED_STATEMENTS=0: the client binds the parameters")
    for _ in range(6):  # psycopg prepares a query on its fifth run
        assert Launch.objects.filter(pk=world.launch.pk).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert 'SELECT COUNT(*) AS "__count" FROM "booking_launch" WHERE "booking_launch"."id" = $1' in prepared
