"""A booking confirmed close to its launch is never overdue the moment it exists: its payments fall
due after the provider's notice, and no later than the launch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from booking.rules.money import milestone_due_dates
from booking.selectors.contracts import booking_milestones
from booking.services.bookings import booking_confirm, booking_hold
from booking.services.quotes import quote_create
from tests.factories import MembershipFactory, UserFactory, engine_world
from vehicles.models import Provider

DAY = timedelta(days=1)
CONFIRMED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def due(*, net_in_days: float, balance_days: int = 30, notice_days: int = 7):
    dates = milestone_due_dates(
        confirmed_at=CONFIRMED,
        launch_net=CONFIRMED + net_in_days * DAY,
        balance_days_before_launch=balance_days,
        notice_days=notice_days,
    )
    return (dates.deposit_due_at - CONFIRMED) / DAY, (dates.balance_due_at - CONFIRMED) / DAY


def test_far_from_the_launch_the_contract_terms_stand():
    # Deposit after a week's notice; balance 30 days before a NET 120 days out.
    assert due(net_in_days=120) == (7, 90)


def test_confirmed_under_thirty_days_out_both_give_the_notice():
    # 30 days before a NET 20 days out would be 10 days ago: the balance joins the deposit.
    assert due(net_in_days=20) == (7, 7)
    assert due(net_in_days=36) == (7, 7)  # 6 days out would be inside the notice
    assert due(net_in_days=40) == (7, 10)


def test_a_launch_sooner_than_the_notice_is_paid_for_by_its_net():
    assert due(net_in_days=1) == (1, 1)  # an express order flying tomorrow
    assert due(net_in_days=0.5, notice_days=7) == (0.5, 0.5)


def test_the_notice_is_the_providers_and_nothing_is_due_in_the_past():
    assert due(net_in_days=60, notice_days=14) == (14, 30)
    # No notice at all still gives a day: the deposit is never due the moment it exists.
    assert due(net_in_days=60, notice_days=0) == (1, 30)
    assert due(net_in_days=0.5, notice_days=0) == (0.5, 0.5)
    for net_in_days in (0.1, 1, 5, 10, 29, 31, 45, 400):
        for notice in (0, 3, 7, 30):
            deposit, balance = due(net_in_days=net_in_days, notice_days=notice)
            assert 0 < deposit <= balance <= max(net_in_days, 0)


@pytest.mark.django_db
def test_a_booking_confirmed_ten_days_before_launch_shows_nothing_overdue(client):
    world = engine_world()  # NET 10 days out; the contract wants the balance 7 days before it
    Provider.objects.filter(pk=world.provider.pk).update(payment_notice_days=2)
    finance = MembershipFactory(
        customer=world.customer, role="finance", user=UserFactory(username="fin")
    ).user
    with time_machine.travel(world.now, tick=False):
        quote = quote_create(
            customer=world.customer, payload=world.payload, actor=finance, launch=world.launch
        )
        booking = booking_confirm(booking=booking_hold(quote=quote, actor=finance), actor=finance)
        deposit, balance = booking_milestones(booking)
        assert deposit.due_at == world.now + 2 * DAY
        assert balance.due_at == world.launch.net - 7 * DAY
        assert world.now < deposit.due_at <= balance.due_at < world.launch.net
    client.force_login(finance)
    with time_machine.travel(world.now + timedelta(hours=1), tick=False):  # the member looks an hour later
        page = client.get(reverse("portal:booking_detail", args=[booking.reference])).content.decode()
    assert "Overdue" not in page
    assert page.count('<span class="badge warn">Due</span>') == 2
