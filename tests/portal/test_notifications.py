"""A member's notifications in the portal: listed, read and unread, marked read; and the e-mail
choices, each member's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from booking.models import Event, Notification, NotificationDelivery, NotificationPreference
from booking.services.notifications import notifications_write
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def tell(world, *, message="Booking LB-GOM01 confirmed under contract GOM-1", key="n1"):
    notifications_write(
        [
            Notification(
                reason=Notification.Reason.BOOKING_CONFIRMED,
                customer=world["customer"],
                key=key,
                message=message,
                details={"reference": "LB-GOM01", "portal_link": "/portal/bookings/LB-GOM01/"},
            )
        ]
    )
    return NotificationDelivery.objects.get(notification__key=key, user=world["member"])


def test_the_list_shows_the_members_own_notifications_unread_first_seen(member_client, world):
    teammate = MembershipFactory(customer=world["customer"], user=UserFactory(username="mate")).user
    mine = tell(world)
    outsider_note = notifications_write(
        [
            Notification(
                reason=Notification.Reason.BOOKING_HELD,
                customer=world["other"],
                key="other",
                message="Other Sat's hold LB-OTH01",
            )
        ]
    )
    assert outsider_note
    page = member_client.get(reverse("portal:notifications")).content.decode()
    assert "Booking LB-GOM01 confirmed" in page and "1 unread" in page
    assert "LB-OTH01" not in page
    assert NotificationDelivery.objects.filter(user=teammate).count() == 1  # the teammate has their own
    assert 'class="unread"' in page
    assert reverse("portal:notification_read", args=[mine.pk]) in page


def test_marking_read_and_opening(member_client, world):
    delivery = tell(world)
    response = member_client.post(reverse("portal:notification_read", args=[delivery.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/portal/bookings/LB-GOM01/"
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    page = member_client.get(reverse("portal:notifications")).content.decode()
    assert "0 unread" in page and 'class="unread"' not in page
    assert (
        "Nothing unread."
        in member_client.get(reverse("portal:notifications") + "?show=unread").content.decode()
    )


def test_mark_all_read(member_client, world):
    tell(world, key="a")
    tell(world, key="b", message="Booking LB-GOM01 cancelled")
    response = member_client.post(reverse("portal:notifications_read_all"), follow=True)
    assert "2 notifications marked read." in response.content.decode()
    assert not NotificationDelivery.objects.filter(user=world["member"], read_at__isnull=True).exists()


def test_nobody_marks_another_members_notification(client, world):
    teammate = MembershipFactory(customer=world["customer"], user=UserFactory(username="mate")).user
    delivery = tell(world)
    theirs = NotificationDelivery.objects.get(notification=delivery.notification, user=teammate)
    client.force_login(world["outsider"])
    assert client.post(reverse("portal:notification_read", args=[delivery.pk])).status_code == 404
    client.force_login(world["member"])
    assert client.post(reverse("portal:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    delivery.refresh_from_db()
    assert theirs.read_at is None and delivery.read_at is None


def test_a_member_chooses_their_own_email_and_a_viewer_may_too(client, world):
    viewer = MembershipFactory(customer=world["customer"], role="viewer", user=UserFactory(username="vi"))
    mine = MembershipFactory(customer=world["customer"], role="admin", user=UserFactory(username="boss"))
    client.force_login(viewer.user)
    page = client.get(reverse("portal:notification_preferences")).content.decode()
    for label in ("Bookings", "Payments", "Launches", "Readiness", "Documents"):
        assert label in page
    assert page.count("checked") == 5  # everything on until chosen otherwise

    # Ticked boxes stay on; the rest go off. A user id in the form changes nothing for anyone else.
    response = client.post(
        reverse("portal:notification_preferences"),
        {"bookings": "on", "launches": "on", "membership": mine.pk, "user": mine.user.pk},
        follow=True,
    )
    assert "Your notification choices are saved." in response.content.decode()
    chosen = dict(NotificationPreference.objects.filter(membership=viewer).values_list("category", "email"))
    assert chosen == {
        "bookings": True,
        "launches": True,
        "payments": False,
        "readiness": False,
        "documents": False,
    }
    assert not NotificationPreference.objects.filter(membership=mine).exists()
    event = Event.objects.get(verb="account.notification_preferences_changed")
    assert event.customer == world["customer"] and event.actor == viewer.user
    assert "but payments, readiness, documents" in event.message
    assert client.get(reverse("portal:notification_preferences")).content.decode().count("checked") == 2


def test_preferences_belong_to_the_organisation_acted_for(client, world):
    both = UserFactory(username="both")
    at_gomspace = MembershipFactory(customer=world["customer"], user=both, role="finance")
    MembershipFactory(customer=world["other"], user=both, role="finance")
    client.force_login(both)
    client.post(reverse("portal:switch_customer"), {"customer": world["customer"].pk})
    client.post(reverse("portal:notification_preferences"), {"bookings": "on"})
    assert set(
        NotificationPreference.objects.filter(membership__user=both).values_list("membership", flat=True)
    ) == {at_gomspace.pk}


def test_the_navigation_reaches_the_notifications(member_client, world):
    page = member_client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("portal:notifications") in page
    assert (
        reverse("portal:notification_preferences")
        in member_client.get(reverse("portal:notifications")).content.decode()
    )
