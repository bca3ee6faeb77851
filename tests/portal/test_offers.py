"""Before and after a quote: the schedule of open launches, a price for a mass and an orbit before a
payload is described, and the quotes list that keeps the customer's place."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from booking.models import Launch, LaunchPort, Quote
from booking.services.quotes import quote_create
from customers.models import Membership
from tests.factories import (
    BookingFactory,
    CustomerFactory,
    LaunchFactory,
    MembershipFactory,
    PayloadFactory,
    UserFactory,
    engine_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    world = engine_world()
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.MISSION)
    return world


@pytest.fixture
def c(client, w):
    client.force_login(w.user)
    return client


# --- the schedule ---------------------------------------------------------------------------------


def dispenser_port(launch, kind, *, count):
    return LaunchPort.objects.create(
        launch=launch,
        kind=kind,
        count=count,
        max_mass_kg=Decimal("12"),
        envelope_length_m=Decimal("0.1"),
        envelope_width_m=Decimal("0.2"),
        envelope_height_m=Decimal("0.34"),
    )


def test_the_schedule_lists_open_launches_with_mass_and_ports_left(c, w):
    stranger = CustomerFactory(name="Secret Sat", slug="secret-sat")
    BookingFactory(
        customer=stranger,
        payload=PayloadFactory(customer=stranger, name="CLASSIFIED-1"),
        launch=w.launch,
        mass_kg=Decimal("100.0"),
    )
    ported = LaunchFactory(
        name="Ported rideshare",
        vehicle_model=w.vehicle_model,
        site=w.site,
        window_start=w.launch.window_start + timedelta(days=2),
    )
    dispenser_port(ported, "cubesat_6u", count=4)
    LaunchFactory(name="Scrubbed rideshare", vehicle_model=w.vehicle_model, status=Launch.Status.SCRUBBED)
    LaunchFactory(name="Not for sale", vehicle_model=w.vehicle_model, rideshare=False)
    response = c.get(reverse("portal:schedule"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Kuaizhou-1A · SSO 500 rideshare" in text and "Ported rideshare" in text
    assert "ExPace" in text and "KZ1A-Y7" in text and "Jiuquan" in text and "SSO 500 km" in text
    assert "200.0 kg" in text  # 300 kg to SSO 500 km less the 100 kg booked
    assert "4 × 6U CubeSat dispenser slot" in text
    assert "Scrubbed rideshare" not in text and "Not for sale" not in text
    assert "CLASSIFIED-1" not in text and "Secret Sat" not in text  # what is left, never who booked
    assert text.index("Kuaizhou-1A · SSO 500 rideshare") < text.index("Ported rideshare")  # soonest first


def test_a_viewer_sees_the_schedule_and_prices_and_a_visitor_signs_in_first(client, w):
    viewer = MembershipFactory(
        user=UserFactory(username="viewer"), customer=w.customer, role=Membership.Role.VIEWER
    ).user
    for name in ("schedule", "price_launch", "quotes"):
        anonymous = client.get(reverse(f"portal:{name}"))
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(viewer)
    assert client.get(reverse("portal:schedule")).status_code == 200
    answer = client.get(
        reverse("portal:price_launch"),
        {"mass_kg": "95", "orbit_family": "SSO", "altitude_km": "500", "currency": "USD"},
    )
    assert answer.status_code == 200 and "1,000,000.00 USD" in answer.content.decode()


# --- price a launch -------------------------------------------------------------------------------


def test_a_price_for_a_mass_and_an_orbit_needs_no_payload(c, w):
    answer = c.get(
        reverse("portal:price_launch"),
        {"mass_kg": "95", "orbit_family": "SSO", "altitude_km": "500", "currency": "USD"},
    )
    text = answer.content.decode()
    assert "Kuaizhou-1A · SSO 500 rideshare" in text and "1,000,000.00 USD" in text  # (95 + 5) kg
    assert "Dedicated Kuaizhou-1A from Jiuquan" in text and "6,000,000.00 USD" in text
    assert "Describe the payload to book" in text
    cny = c.get(
        reverse("portal:price_launch"),
        {"mass_kg": "95", "orbit_family": "SSO", "altitude_km": "500", "currency": "CNY"},
    ).content.decode()
    assert "6,480,000.00 CNY" in cny
    assert Quote.objects.count() == 0 and w.customer.payloads.count() == 1  # nothing stored


def test_a_price_says_why_nothing_fits(c, w):
    text = c.get(
        reverse("portal:price_launch"),
        {"mass_kg": "900", "orbit_family": "SSO", "altitude_km": "500", "currency": "USD"},
    ).content.decode()
    assert "No launch takes this mass to this orbit." in text and "exceeds" in text


def test_a_price_checks_the_question(c, w):
    text = c.get(
        reverse("portal:price_launch"), {"mass_kg": "-1", "orbit_family": "SSO", "altitude_km": "5"}
    ).content.decode()
    assert "Ensure this value is greater than or equal to 0.1." in text
    assert "data-price-options" not in text
    blank = c.get(reverse("portal:price_launch")).content.decode()
    assert "Enter a mass and an orbit to see the options." in blank


# --- the quotes list ------------------------------------------------------------------------------


def test_the_quotes_list_keeps_open_expired_and_accepted_quotes(c, w):
    now = timezone.now()
    open_quote = quote_create(customer=w.customer, payload=w.payload, actor=w.user, launch=w.launch)
    past = quote_create(
        customer=w.customer,
        payload=w.payload,
        actor=w.user,
        vehicle_model=w.vehicle_model,
        now=now - timedelta(days=4),
    )  # past its 72 hours, not yet marked expired
    accepted = quote_create(customer=w.customer, payload=w.payload, actor=w.user, launch=w.launch)
    Quote.objects.filter(pk=accepted.pk).update(status=Quote.Status.ACCEPTED)
    theirs = CustomerFactory(name="Other", slug="other")
    other_quote = quote_create(
        customer=theirs,
        payload=PayloadFactory(customer=theirs, name="THEIRS-1"),
        actor=None,
        launch=w.launch,
    )
    text = c.get(reverse("portal:quotes")).content.decode()
    for quote in (open_quote, past, accepted):
        assert reverse("portal:quote_detail", args=[quote.reference]) in text
    assert other_quote.reference not in text and "THEIRS-1" not in text
    assert "Dedicated Kuaizhou-1A" in text and "1,000,000.00 USD" in text and "ExPace" in text
    assert "NET " in text
    only_open = c.get(reverse("portal:quotes"), {"status": "open"}).content.decode()
    assert open_quote.reference in only_open and past.reference not in only_open
    expired = c.get(reverse("portal:quotes"), {"status": "expired"}).content.decode()
    assert past.reference in expired and open_quote.reference not in expired
    done = c.get(reverse("portal:quotes"), {"status": "accepted"}).content.decode()
    assert accepted.reference in done and open_quote.reference not in done


def test_the_quotes_list_and_the_schedule_are_in_the_navigation(c, w):
    text = c.get(reverse("portal:dashboard")).content.decode()
    assert f'href="{reverse("portal:quotes")}"' in text and f'href="{reverse("portal:schedule")}"' in text
    quote = quote_create(customer=w.customer, payload=w.payload, actor=w.user)
    detail = c.get(reverse("portal:quote_detail", args=[quote.reference])).content.decode()
    assert f'<a href="{reverse("portal:quotes")}" aria-current="page">' in detail
    assert "Chosen for you: the earliest rideshare launch" in detail


def test_the_schedule_costs_the_same_queries_however_many_launches(c, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from booking.selectors.offers import open_launch_schedule

    def ported(name, days):
        launch = LaunchFactory(
            name=name,
            vehicle_model=w.vehicle_model,
            site=w.site,
            window_start=w.launch.window_start + timedelta(days=days),
        )
        port = dispenser_port(launch, "cubesat_3u", count=2)
        BookingFactory(launch=launch, launch_port=port, mass_kg=Decimal("5.0"))
        return launch

    ported("Ported 1", 1)
    with CaptureQueriesContext(connection) as one:
        first = open_launch_schedule()
    ported("Ported 2", 2)
    ported("Ported 3", 3)
    with CaptureQueriesContext(connection) as three:
        rows = open_launch_schedule()
    assert len(rows) == len(first) + 2 and len(three) == len(one)
    assert rows[1].ports_free == [("3U CubeSat dispenser slot", 1)]
