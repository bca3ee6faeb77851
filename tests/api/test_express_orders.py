"""Express orders through the API: a launch opening within 24 hours, or 409 with the earliest time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import tasks
from booking.models import Booking, Launch, Quote, Reservation
from customers.models import Membership
from tests.factories import (
    ContractFactory,
    CustomerFactory,
    DedicatedPriceFactory,
    ExchangeRateFactory,
    MembershipFactory,
    PayloadFactory,
    RideshareRateFactory,
    UserFactory,
    schedule_world,
)
from vehicles.models import Vehicle

from .conftest import make_tenant, token_client

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
#: Pinned per database: PostgreSQL sets the lock timeout once more. The confirm issues the deposit's
#: and the balance's invoices (their number series, lines and events): 23 of them.
EXPRESS_ORDER_QUERIES = {"sqlite": 110, "postgresql": 111}
EXPRESS_QUOTE_QUERIES = {"sqlite": 75, "postgresql": 76}


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        world = schedule_world()
        world.customer = CustomerFactory(name="Gomspace", slug="gomspace")
        world.payload = PayloadFactory(customer=world.customer, name="GOMX-5A", mass_kg=Decimal("95.0"))
        world.contract = ContractFactory(
            customer=world.customer, provider=world.provider, launches_committed=4, reference="CT-API"
        )
        ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
        RideshareRateFactory(provider=world.provider, orbit_family="SSO")
        DedicatedPriceFactory(vehicle_model=world.model)
        user = UserFactory(username="gomspace-engineer")
        MembershipFactory(user=user, customer=world.customer, role=Membership.Role.MISSION)
        world.client = token_client(user)
        yield world


def order(world, payload_id, max_price="10000000"):
    with time_machine.travel(NOW, tick=False):
        return world.client.post(
            "/api/v1/express-orders/", {"payload": payload_id, "max_price": max_price}, format="json"
        )


def test_an_express_order_answers_the_booking_and_a_launch_within_24_hours(world):
    answer = order(world, world.payload.pk)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["booking"]["status"] == "confirmed" and body["booking"]["payload"] == world.payload.pk
    launch = body["launch"]
    assert launch["id"] == body["booking"]["launch"] and launch["service_level"] == "express"
    window_start = datetime.fromisoformat(launch["window_start"])
    assert NOW < window_start <= NOW + timedelta(hours=24)
    assert launch["platform"] == world.tel1.pk


def test_no_rocket_ready_is_409_with_the_reasons_and_nothing_changes(world):
    Vehicle.objects.update(status=Vehicle.Status.IN_PRODUCTION)
    answer = order(world, world.payload.pk)
    assert answer.status_code == 409
    body = answer.json()
    assert body["detail"].startswith("No express launch for GOMX-5A can open by 2030-03-02 08:00 UTC")
    assert "no Kuaizhou-1A in ready storage" in body["reasons"]
    assert not Launch.objects.exists() and not Booking.objects.exists()


def test_another_customers_payload_cannot_be_ordered(world):
    other = make_tenant("InterSpace Explore")
    with time_machine.travel(NOW, tick=False):
        answer = other.client.post(
            "/api/v1/express-orders/", {"payload": world.payload.pk, "max_price": "1"}, format="json"
        )
    assert answer.status_code == 400
    assert answer.json() == {"payload": [f"No payload of yours has id {world.payload.pk}."]}
    assert not Launch.objects.exists()


def test_the_one_call_order_needs_a_price_ceiling(world):
    with time_machine.travel(NOW, tick=False):
        answer = world.client.post("/api/v1/express-orders/", {"payload": world.payload.pk}, format="json")
    assert answer.status_code == 400 and "max_price" in answer.json()
    assert not Launch.objects.exists()


def test_above_the_ceiling_is_409_naming_the_price_and_nothing_is_left(world):
    answer = order(world, world.payload.pk, max_price=75000)
    assert answer.status_code == 409
    assert answer.json()["detail"].startswith(
        "The express launch costs 9,000,000.00 USD (Kuaizhou-1A KZ1A-Y7"
    )
    assert not Launch.objects.exists() and not Booking.objects.exists() and not Quote.objects.exists()
    assert not Reservation.objects.exists()


def quote(world, **body):
    with time_machine.travel(NOW, tick=False):
        return world.client.post(
            "/api/v1/express-quotes/", {"payload": world.payload.pk, **body}, format="json"
        )


def test_an_express_quote_shows_price_contract_and_launch_then_is_confirmed(world):
    answer = quote(world, currency="USD", contract=world.contract.pk)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["booking"]["status"] == "held"
    assert body["booking"]["hold_expires_at"] == "2030-03-01T08:10:00Z"
    assert body["quote"]["total"] == {"amount": "9000000.00", "currency": "USD"}
    assert [line["kind"] for line in body["quote"]["lines"]] == ["launch", "express"]
    assert body["contract"] == {"id": world.contract.pk, "reference": "CT-API", "provider": world.provider.pk}
    assert body["launch"]["service_level"] == "express" and body["launch"]["id"] == body["booking"]["launch"]
    reference = body["booking"]["reference"]
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        confirmed = world.client.post(f"/api/v1/express-quotes/{reference}/confirm/", {}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["booking"]["status"] == "confirmed"
    assert Booking.objects.get(reference=reference).contract == world.contract


def test_a_lapsed_express_quote_cannot_be_confirmed(world):
    reference = quote(world).json()["booking"]["reference"]
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        answer = world.client.post(f"/api/v1/express-quotes/{reference}/confirm/", {}, format="json")
    assert answer.status_code == 409 and "expired" in answer.json()["detail"]


def test_an_express_quote_let_go_releases_its_launch(world):
    reference = quote(world).json()["booking"]["reference"]
    with time_machine.travel(NOW, tick=False):
        answer = world.client.post(f"/api/v1/express-quotes/{reference}/cancel/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert Launch.objects.get().status == Launch.Status.SCRUBBED
    assert not Reservation.objects.filter(released_at__isnull=True).exists()


@pytest.mark.parametrize("step", ["confirm", "cancel"])
def test_another_customers_express_quote_is_not_found(world, step):
    reference = quote(world).json()["booking"]["reference"]
    other = make_tenant("InterSpace Explore")
    with time_machine.travel(NOW, tick=False):
        answer = other.client.post(f"/api/v1/express-quotes/{reference}/{step}/", {}, format="json")
    assert answer.status_code == 404 and reference in answer.json()["detail"]
    assert Booking.objects.get(reference=reference).status == Booking.Status.HELD


def test_a_quote_on_an_express_launch_cannot_ask_for_the_standard_rate(world):
    launch_id = quote(world).json()["launch"]["id"]
    other = PayloadFactory(customer=world.customer, name="GOMX-5B", mass_kg=Decimal("5.0"))
    with time_machine.travel(NOW, tick=False):
        refused = world.client.post(
            "/api/v1/quotes/",
            {"payload": other.pk, "launch": launch_id, "service_level": "standard"},
            format="json",
        )
        priced = world.client.post(
            "/api/v1/quotes/", {"payload": other.pk, "launch": launch_id}, format="json"
        )
    assert refused.status_code == 400 and "priced at the express level" in str(refused.json())
    assert priced.status_code == 201 and priced.json()["service_level"] == "express"
    assert [line["kind"] for line in priced.json()["lines"]][-1] == "express"


def test_the_express_order_costs_a_pinned_number_of_queries(world):
    """Plan (fixed, whatever the fleet), schedule, quote, hold, confirm, answer: pinned so repeated
    catalog reads or a query in a loop show up here."""
    with time_machine.travel(NOW, tick=False):
        world.client.get("/api/v1/providers/")  # the token's first use writes last_used_at
        with CaptureQueriesContext(connection) as ctx:
            answer = world.client.post(
                "/api/v1/express-orders/",
                {"payload": world.payload.pk, "max_price": "10000000"},
                format="json",
            )
    assert answer.status_code == 201, answer.json()
    assert len(ctx) <= EXPRESS_ORDER_QUERIES[connection.vendor], "\n".join(
        q["sql"][:120] for q in ctx.captured_queries
    )


def test_the_express_quote_costs_a_pinned_number_of_queries(world):
    with time_machine.travel(NOW, tick=False):
        world.client.get("/api/v1/providers/")
        with CaptureQueriesContext(connection) as ctx:
            answer = world.client.post(
                "/api/v1/express-quotes/", {"payload": world.payload.pk}, format="json"
            )
    assert answer.status_code == 201, answer.json()
    assert len(ctx) <= EXPRESS_QUOTE_QUERIES[connection.vendor], "\n".join(
        q["sql"][:120] for q in ctx.captured_queries
    )


#: The express order as production runs it (outside any transaction, the kept catalog warm).
EXPRESS_ORDER_QUERIES_KEPT_CATALOG = {"sqlite": 100, "postgresql": 102}


@pytest.mark.django_db(transaction=True)
def test_the_express_order_reads_the_catalog_it_planned_on(world, monkeypatch):
    """Outside a transaction the planner reads sites, corridors, capacity and routes from the kept
    catalog, and scheduling's orbit check, rocket journey and truck chain take the same catalog
    down: no route or corridor row is read, the sites only by the range lock, the capacity points
    only by the hold's check under the launch lock and by the answer. What the request queues for
    the worker (notifications, the standby pass of the new launch) is kept aside, as the broker
    would."""
    queued: list = []
    monkeypatch.setattr(tasks.events_after_commit, "delay", queued.append)
    monkeypatch.setattr(tasks.standby_offers_make, "delay", queued.append)
    second = PayloadFactory(customer=world.customer, name="GOMX-5B", mass_kg=Decimal("20.0"))
    with time_machine.travel(NOW, tick=False):
        world.client.get("/api/v1/providers/")
        first = world.client.post(
            "/api/v1/express-orders/", {"payload": world.payload.pk, "max_price": "10000000"}, format="json"
        )
        assert first.status_code == 201, first.json()  # reads the catalog once
        with CaptureQueriesContext(connection) as ctx:
            answer = world.client.post(
                "/api/v1/express-orders/", {"payload": second.pk, "max_price": "10000000"}, format="json"
            )
    assert answer.status_code == 201, answer.json()
    sql = [q["sql"] for q in ctx.captured_queries]

    def reads(table: str) -> list[str]:
        return [q for q in sql if q.startswith("SELECT") and f'FROM "{table}"' in q]

    assert reads("vehicles_route") == [] and reads("vehicles_launchcorridor") == []
    assert len(reads("vehicles_launchsite")) == 1  # the range lock
    assert len(reads("vehicles_capacitypoint")) == 2
    assert len(sql) <= EXPRESS_ORDER_QUERIES_KEPT_CATALOG[connection.vendor], "\n".join(q[:120] for q in sql)
