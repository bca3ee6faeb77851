"""The booking flow's query counts as production runs it: each request outside any transaction
(autocommit, the services' own transactions, after-commit work), a 3U CubeSat on a launch with
ports, the kept catalog warm. The in-transaction pins (test_query_counts.py) cannot see the
catalog kept per process nor the notifications written after commit by a task."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import tasks
from booking.models import Notification
from customers.models import Membership
from tests.factories import MembershipFactory, cubesat_3u_port, engine_world

from .conftest import token_client

pytestmark = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"


def queries_of(call):
    with CaptureQueriesContext(connection) as ctx:
        answer = call()
    return answer, [q["sql"] for q in ctx.captured_queries]


def test_the_booking_flow_costs_a_pinned_number_of_queries(monkeypatch):
    # The broker: what the requests queue for the worker is kept here, run after they answer.
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.events_after_commit, "delay", queued.append)
    world = engine_world()
    cubesat_3u_port(world.launch, count=8)
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.ADMIN)
    client = token_client(world.user)
    client.get("/api/v1/providers/")  # the token's first use of the minute writes last_used_at

    def post(path, body, key):
        return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    sat = {"name": "Warm-up", "mass_kg": "3", "orbit": {"family": "SSO", "altitude_km": 500}}
    sat.update(length_m="0.10", width_m="0.10", height_m="0.34")
    assert post("/api/v1/payloads/", sat, "warm").status_code == 201  # reads the catalog once

    answer, read_sql = queries_of(lambda: client.get("/api/v1/providers/"))
    assert answer.status_code == 200
    assert len(read_sql) == 2, read_sql  # the token (with its organisations) and the providers

    answer, create_sql = queries_of(lambda: post("/api/v1/payloads/", {**sat, "name": "Pinned"}, "p-1"))
    assert answer.status_code == 201, answer.json()
    # token; claim; (the catalog is kept: no site, corridor, model or capacity point read) the
    # transaction: begin, payload, event, commit; store the answer. Before the kept catalog: 11.
    assert len(create_sql) <= 7, [q[:90] for q in create_sql]
    assert not [q for q in create_sql if '"vehicles_' in q]

    body = {"payload": answer.json()["id"], "launch": world.launch.pk, "port": "cubesat_3u"}
    answer, quote_sql = queries_of(lambda: post("/api/v1/quotes/", body, "q-1"))
    assert answer.status_code == 201, answer.json()
    # token; claim; payload; launch; its ports; the mass and port slots taken (one query); begin,
    # quote, lines, event, commit; store the answer. The capacity curve, exchange rates, adapters
    # and the rideshare rate come from the kept catalog; the webhook fan-out is the worker's.
    # Before the one query for mass and slots: 15; before the kept rate and the worker's fan-out: 14.
    assert len(quote_sql) <= 12, [q[:90] for q in quote_sql]
    kept = ('"vehicles_capacitypoint"', '"booking_exchangerate"', '"booking_ridesharerate"')
    assert not [q for q in quote_sql if any(table in q for table in kept)]
    assert not [q for q in quote_sql if '"booking_webhookendpoint"' in q]

    answer, hold_sql = queries_of(lambda: post("/api/v1/bookings/", {"quote": answer.json()["id"]}, "h-1"))
    assert answer.status_code == 201, answer.json()
    # token; claim; the quote (with its launch's model, rocket, provider and its adapter); begin,
    # (PostgreSQL: the lock wait), the launch row locked, its ports, the quote with its customer
    # and payload locked in one statement, the capacity curve (read once, under the lock), the mass
    # and port slots taken (one query), the customer's holds, booking, quote accepted, event,
    # commit; store the answer. Its notification and webhook deliveries are the worker's (one task),
    # not here. Before: 33 on PostgreSQL; 19 before the one query for mass and slots; 18 before
    # the one lock statement, the curve read once and the worker's fan-out.
    assert len(hold_sql) <= (16 if POSTGRES else 15), [q[:90] for q in hold_sql]
    locks = [q for q in hold_sql if "FOR NO KEY UPDATE" in q]
    if POSTGRES:
        assert len(locks) == 2, locks  # the launch; the quote, its customer and its payload
        assert 'INNER JOIN "booking_launch"' not in locks[0] and "JOIN" not in locks[0]
    assert len([q for q in hold_sql if '"vehicles_capacitypoint"' in q]) == 1
    assert not [q for q in hold_sql if '"booking_webhookendpoint"' in q]
    assert not [q for q in hold_sql if 'INTO "booking_notification' in q]
    assert not Notification.objects.exists()
    for event_ids in queued:  # the worker's turn
        tasks.events_after_commit(event_ids)
    assert Notification.objects.filter(reason="booking_held").count() == 1

    booking = answer.json()["id"]
    answer, cancel_sql = queries_of(lambda: post(f"/api/v1/bookings/{booking}/cancel/", {}, "c-1"))
    assert answer.status_code == 200, answer.json()
    # The terms (the provider's fee tiers, the launch's delay causes) and the invoices voided with
    # the milestones are read and written here. Before: 26 on PostgreSQL (its notification
    # written in the request, no terms, no invoices).
    assert len(cancel_sql) <= (20 if POSTGRES else 18), [q[:90] for q in cancel_sql]
