"""A member's role decides what the portal lets them change: a viewer reads, and the buttons it may
not use are not shown; a change sent anyway is refused with the refusal page, and nothing changes.
A user with several organisations works for one at a time: the others' rows are not found."""

from __future__ import annotations

from django.urls import reverse

from booking.models import Booking, WebhookEndpoint
from customers.models import Membership, Payload
from tests.factories import BookingFactory, CustomerFactory, MembershipFactory, WebhookEndpointFactory


def _viewer(world, client):
    Membership.objects.filter(user=world["member"]).update(role=Membership.Role.VIEWER)
    client.force_login(world["member"])
    return client


def _refused(response, what: str):
    assert response.status_code == 403
    assert "portal/refused.html" in {t.name for t in response.templates}
    assert what in response.content.decode()


def test_a_viewer_cannot_cancel_a_confirmed_booking(world, client):
    booking = world["booking"]
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CONFIRMED)
    viewer = _viewer(world, client)
    page = viewer.get(reverse("portal:booking_detail", args=[booking.reference])).content.decode()
    assert reverse("portal:booking_cancel", args=[booking.reference]) not in page
    answer = viewer.post(reverse("portal:booking_cancel", args=[booking.reference]), {"reason": "x"})
    _refused(answer, "Only mission engineers and administrators may cancel a booking (not viewers).")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_a_viewer_cannot_delete_a_webhook_endpoint(world, client):
    endpoint = WebhookEndpointFactory(customer=world["customer"])
    viewer = _viewer(world, client)
    page = viewer.get(reverse("portal:integrations")).content.decode()
    assert reverse("portal:webhook_endpoint_delete", args=[endpoint.pk]) not in page
    assert 'id="webhook-form"' not in page
    _refused(viewer.post(reverse("portal:webhook_endpoint_delete", args=[endpoint.pk])), "administrators")
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_viewer_cannot_create_a_payload(world, client):
    viewer = _viewer(world, client)
    assert reverse("portal:payload_create") not in viewer.get(reverse("portal:payloads")).content.decode()
    before = Payload.objects.count()
    answer = viewer.post(
        reverse("portal:payload_create"),
        {"name": "Sneaky", "mass_kg": "10", "orbit_family": "SSO", "altitude_km": "500", "returnable": ""},
    )
    _refused(answer, "register and change payloads")
    assert Payload.objects.count() == before


def test_a_mission_engineer_holds_but_finance_confirms(world, client):
    Membership.objects.filter(user=world["member"]).update(role=Membership.Role.MISSION)
    client.force_login(world["member"])
    booking = world["booking"]
    answer = client.post(reverse("portal:booking_confirm", args=[booking.reference]), {})
    _refused(answer, "Only finance members and administrators may confirm a booking")
    Membership.objects.filter(user=world["member"]).update(role=Membership.Role.FINANCE)
    page = client.get(reverse("portal:booking_confirm", args=[booking.reference]))
    assert page.status_code == 200 and "Confirm the booking" in page.content.decode()


def test_two_organisations_one_at_a_time(world, client):
    """Admin of one organisation and viewer of another: each context sees only its own rows."""
    second = CustomerFactory(name="Second Sat", slug="second-sat")
    MembershipFactory(user=world["member"], customer=second, role=Membership.Role.VIEWER)
    theirs = BookingFactory(reference="LB-SEC01", customer=second, launch=world["launch"])
    Booking.objects.filter(pk=theirs.pk).update(status=Booking.Status.CONFIRMED)
    client.force_login(world["member"])
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert 'id="switch-customer"' in page and "Second Sat" in page
    # Acting for the first organisation (admin): the second's booking is not found.
    assert client.get(reverse("portal:booking_detail", args=[theirs.reference])).status_code == 404
    assert client.post(reverse("portal:booking_cancel", args=[theirs.reference]), {}).status_code == 404
    # Switched to the second (viewer): its booking is visible but cannot be cancelled ...
    client.post(reverse("portal:switch_customer"), {"customer": str(second.pk)})
    assert client.get(reverse("portal:booking_detail", args=[theirs.reference])).status_code == 200
    _refused(client.post(reverse("portal:booking_cancel", args=[theirs.reference]), {}), "not viewers")
    theirs.refresh_from_db()
    assert theirs.status == Booking.Status.CONFIRMED
    # ... and the first organisation's booking is now the one not found.
    own = world["booking"].reference
    assert client.get(reverse("portal:booking_detail", args=[own])).status_code == 404


def test_payments_are_shown_to_finance_and_administrators_only(world, client):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import PaymentMilestoneFactory

    PaymentMilestoneFactory(
        contract=world["contract"],
        reference=world["booking"].reference,
        label="Instalment Q7",
        due_at=timezone.now() + timedelta(days=3),
    )
    client.force_login(world["member"])
    for role, shown in [("admin", True), ("finance", True), ("mission", False), ("viewer", False)]:
        Membership.objects.filter(user=world["member"]).update(role=role)
        for name in ("portal:dashboard", "portal:contracts"):
            page = client.get(reverse(name)).content.decode()
            assert ("Instalment Q7" in page) is shown, (role, name)
            assert ("Payments are shown to finance members and administrators." in page) is not shown
