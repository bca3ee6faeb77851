"""iCalendar feeds: valid RFC 5545, stable UIDs, and an event that moves when a launch slips."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar
from rest_framework.test import APIClient

from booking.models import Booking, Launch
from booking.services.events import event_record
from tests.factories import BookingFactory, LaunchFactory

pytestmark = pytest.mark.django_db


def feed(url: str) -> tuple[Calendar, dict]:
    answer = APIClient().get(url, HTTP_ACCEPT="application/json")  # calendar clients send anything
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_public_feed_parses_and_has_one_event_per_launch():
    first, second = LaunchFactory(name="Kuaizhou-1A Y7"), LaunchFactory(status=Launch.Status.SCRUBBED)
    calendar, events = feed("/api/v1/launches.ics")
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert set(events) == {f"launch-{first.pk}@launchbook", f"launch-{second.pk}@launchbook"}
    one = events[f"launch-{first.pk}@launchbook"]
    assert one.decoded("DTSTART") == first.window_start
    assert one.decoded("DTEND") == first.window_end
    assert "Kuaizhou-1A Y7" in str(one["SUMMARY"])
    assert one["DTSTAMP"] and one["LAST-MODIFIED"]
    assert str(one["STATUS"]) == "CONFIRMED"
    assert str(events[f"launch-{second.pk}@launchbook"]["STATUS"]) == "CANCELLED"


def test_a_slip_moves_the_event_under_the_same_uid():
    launch = LaunchFactory()
    _, before = feed("/api/v1/launches.ics")
    uid = f"launch-{launch.pk}@launchbook"
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        new_start = launch.window_start + timedelta(days=1)
        launch.window_start, launch.window_end, launch.net = (
            new_start,
            new_start + timedelta(hours=2),
            new_start,
        )
        launch.save()
        event_record(verb="launch.slipped", subject=launch, actor=None, launch=launch)
    _, after = feed("/api/v1/launches.ics")
    assert set(after) == set(before)
    assert after[uid].decoded("DTSTART") == new_start
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    assert after[uid].decoded("DTSTAMP") > before[uid].decoded("DTSTAMP")
    assert after[uid].decoded("LAST-MODIFIED") > before[uid].decoded("LAST-MODIFIED")


def test_the_customer_feed_is_behind_a_secret_url_and_shows_only_their_launches(tenant_a, tenant_b):
    mine, theirs, cancelled = LaunchFactory(), LaunchFactory(), LaunchFactory()
    BookingFactory(customer=tenant_a.customer, launch=mine)
    BookingFactory(customer=tenant_b.customer, launch=theirs)
    BookingFactory(customer=tenant_a.customer, launch=cancelled, status=Booking.Status.CANCELLED)
    _, events = feed(f"/api/v1/calendar/{tenant_a.customer.calendar_token}.ics")
    assert set(events) == {f"launch-{mine.pk}@launchbook"}
    assert APIClient().get("/api/v1/calendar/not-the-token.ics").status_code == 404
