"""The portal's standby page: join a full launch's list, see the place, answer the seat offered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from booking.models import Booking, StandbyEntry
from booking.services.bookings import booking_cancel
from booking.services.standby import standby_join, standby_offers_make
from customers.models import Membership
from tests.factories import (
    BookingFactory,
    DocumentFactory,
    MembershipFactory,
    PayloadFactory,
    UserFactory,
    engine_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    world = engine_world()
    MembershipFactory(user=world.user, customer=world.customer, role=Membership.Role.ADMIN)
    DocumentFactory(customer=world.customer, payload=world.payload)
    world.big = BookingFactory(launch=world.launch, mass_kg=Decimal("250.0"))
    return world


@pytest.fixture
def c(client, w):
    client.force_login(w.user)
    return client


def offered_entry(w) -> StandbyEntry:
    """The payload waits on the full launch; the big booking is cancelled and the seat offered."""
    entry = standby_join(customer=w.customer, payload=w.payload, actor=None, launch=w.launch)
    booking_cancel(booking=w.big, actor=None)
    standby_offers_make(launch_id=w.launch.pk)
    entry.refresh_from_db()
    return entry


def test_the_book_page_offers_the_standby_list_when_nothing_fits(c, w):
    heavy = PayloadFactory(customer=w.customer, name="Heavy", mass_kg=Decimal("400.0"))
    text = c.get(reverse("portal:book"), {"payload": heavy.pk}).content.decode()
    assert "No launch can take Heavy right now." in text
    assert f'href="/portal/standby/?payload={heavy.pk}"' in text
    standby_page = c.get(reverse("portal:standby"), {"payload": w.payload.pk}).content.decode()
    assert "Join a standby list" in standby_page and w.launch.name in standby_page


def test_join_from_the_portal_and_see_the_place(c, w):
    answer = c.post(reverse("portal:standby_join"), {"payload": w.payload.pk, "launch": w.launch.pk})
    assert answer.status_code == 302
    entry = StandbyEntry.objects.get(payload=w.payload)
    assert entry.launch == w.launch and entry.status == StandbyEntry.Status.WAITING
    page = c.get(reverse("portal:standby")).content.decode()
    assert "number 1" in page and "Withdraw" in page


def test_a_refusal_is_shown_on_the_form(c, w):
    booking_cancel(booking=w.big, actor=None)  # now the launch has room
    answer = c.post(reverse("portal:standby_join"), {"payload": w.payload.pk, "launch": w.launch.pk})
    assert answer.status_code == 400
    assert "has room for GOMX-5A now: hold a seat instead" in answer.content.decode()


def test_the_offer_appears_and_is_accepted(c, w):
    entry = offered_entry(w)
    page = c.get(reverse("portal:standby")).content.decode()
    assert "Accept and confirm" in page and "Decline" in page

    answer = c.post(reverse("portal:standby_accept", args=[entry.pk]), follow=True)

    assert "The seat is yours" in answer.content.decode()
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.ACCEPTED
    assert entry.offer_booking.status == Booking.Status.CONFIRMED


def test_a_viewer_sees_the_list_but_may_not_join(client, w):
    viewer = MembershipFactory(
        user=UserFactory(username="gom-viewer"), customer=w.customer, role=Membership.Role.VIEWER
    ).user
    client.force_login(viewer)
    page = client.get(reverse("portal:standby")).content.decode()
    assert "Join a standby list" not in page
    refused = client.post(reverse("portal:standby_join"), {"payload": w.payload.pk, "launch": w.launch.pk})
    assert refused.status_code == 403


def test_withdraw_from_the_portal_leaves_the_list(c, w):
    entry = standby_join(customer=w.customer, payload=w.payload, actor=None, launch=w.launch)

    answer = c.post(reverse("portal:standby_withdraw", args=[entry.pk]), follow=True)

    assert "GOMX-5A left the standby list." in answer.content.decode()
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.WITHDRAWN


def test_the_offer_is_declined_and_its_booking_cancelled(c, w):
    entry = offered_entry(w)

    answer = c.post(reverse("portal:standby_decline", args=[entry.pk]), follow=True)

    assert "You declined the seat offered to GOMX-5A" in answer.content.decode()
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.WITHDRAWN
    assert entry.offer_booking.status == Booking.Status.CANCELLED


def test_a_refused_answer_shows_the_services_reason_and_changes_nothing(c, w):
    entry = standby_join(customer=w.customer, payload=w.payload, actor=None, launch=w.launch)

    answer = c.post(reverse("portal:standby_accept", args=[entry.pk]), follow=True)

    assert "this standby entry is waiting: there is no open offer to answer" in answer.content.decode()
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.WAITING


@pytest.mark.parametrize("step", ["standby_withdraw", "standby_accept", "standby_decline"])
def test_another_customers_entry_is_a_404(client, w, step):
    entry = standby_join(customer=w.customer, payload=w.payload, actor=None, launch=w.launch)
    stranger = MembershipFactory(user=UserFactory(username="other-admin"), role=Membership.Role.ADMIN).user
    client.force_login(stranger)

    assert client.post(reverse(f"portal:{step}", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.WAITING
