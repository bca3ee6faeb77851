"""The operator admin changes launches and payments only through the services: read-only launches
and milestones, actions that need the "change" permission, and the integrations admin (tokens
revoked through the service, webhooks scoped to the customer, secrets never shown).

How the admin scopes customers to a provider's operators is in tests/customers/test_admin_scoping.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from booking.models import ApiToken, Event, IdempotencyKey, Launch, WebhookAttempt, WebhookDelivery
from booking.services.tokens import api_token_create
from customers.models import Customer, Membership, PaymentMilestone
from tests.factories import (
    BookingFactory,
    PaymentMilestoneFactory,
    UserFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_catalog, db):
    return demo_catalog


def login(client, settings, username):
    assert client.login(username=username, password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- 2. launches change only through the services ---------------------------------------------


def test_the_launch_change_form_edits_nothing(demo, client, settings):
    launch = Launch.objects.filter(provider__slug="expace").first()
    login(client, settings, "operator")
    url = reverse("admin:booking_launch_change", args=[launch.pk])
    form = client.get(url).context["adminform"].form
    assert form.fields == {}
    before = Launch.objects.filter(pk=launch.pk).values().get()
    client.post(url, {"name": "Renamed", "orbit_family": "LEO", "altitude_km": 300, "rideshare": ""})
    assert Launch.objects.filter(pk=launch.pk).values().get() == before


def test_view_only_staff_cannot_slip_or_scrub(demo, client):
    launch = Launch.objects.filter(provider__slug="expace").first()
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_launch"))
    client.force_login(viewer)
    url = reverse("admin:booking_launch_changelist")
    actions = dict(client.get(url).context["action_form"].fields["action"].choices)
    assert "slip_launch" not in actions and "scrub_launches" not in actions
    client.post(
        url,
        {
            "action": "scrub_launches",
            "_selected_action": [launch.pk],
            "apply": "1",
            "reason": "x",
            "cause": "weather",
        },
    )
    client.post(
        url,
        {
            "action": "slip_launch",
            "_selected_action": [launch.pk],
            "apply": "1",
            "window_start": "2040-01-01 06:00",
            "cause": "weather",
        },
    )
    launch_after = Launch.objects.get(pk=launch.pk)
    assert (launch_after.status, launch_after.window_start) == (launch.status, launch.window_start)
    assert not Event.objects.filter(launch=launch, verb__in=["launch.scrubbed", "launch.slipped"]).exists()


# --- 6. payments are recorded through the service --------------------------------------------


def test_paid_at_is_read_only_and_mark_paid_goes_through_the_service(demo, client, settings):
    booking = BookingFactory(amount_paid=Decimal("0"))
    milestone = PaymentMilestoneFactory(reference=booking.reference, amount=Decimal("27000.00"))
    booking.contract = milestone.contract
    booking.save(update_fields=["contract"])
    login(client, settings, "operator")
    change = client.get(reverse("admin:customers_paymentmilestone_change", args=[milestone.pk]))
    assert "paid_at" not in change.context["adminform"].form.fields
    contract = client.get(reverse("admin:customers_contract_change", args=[milestone.contract_id]))
    [inline] = [f for f in contract.context["inline_admin_formsets"] if f.opts.model is PaymentMilestone]
    assert "paid_at" not in inline.formset.forms[0].fields

    url = reverse("admin:customers_paymentmilestone_changelist")
    answer = client.post(url, {"action": "mark_paid", "_selected_action": [milestone.pk]}, follow=True)
    assert messages_of(answer) == ["Deposit: 27,000.00 USD paid"]
    milestone.refresh_from_db()
    booking.refresh_from_db()
    assert milestone.paid_at is not None and booking.amount_paid == Decimal("27000.00")
    assert Event.objects.filter(verb="milestone.paid", subject_id=milestone.pk).count() == 1

    again = client.post(url, {"action": "mark_paid", "_selected_action": [milestone.pk]}, follow=True)
    assert any("Deposit was already paid on" in m for m in messages_of(again))
    booking.refresh_from_db()
    assert booking.amount_paid == Decimal("27000.00")


# --- 7. the integrations admin ---------------------------------------------------------------


def test_api_tokens_are_read_only_and_revoked_through_the_service(demo, client, settings):
    member = Membership.objects.get(user__username="gomspace").user
    token, _key = api_token_create(user=member, name="ERP")
    login(client, settings, "operator")
    change = client.get(reverse("admin:booking_apitoken_change", args=[token.pk]))
    assert change.status_code == 200 and change.context["adminform"].form.fields == {}
    assert token.key_digest not in change.content.decode()
    url = reverse("admin:booking_apitoken_changelist")
    answer = client.post(url, {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert "1 token revoked." in messages_of(answer)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Event.objects.filter(verb="api_token.revoked", subject_id=token.pk).count() == 1
    assert IdempotencyKey not in admin.site._registry


def test_webhook_admin_is_customer_scoped_and_never_shows_the_secret(demo, client, settings):
    gomspace, interspace = Customer.objects.get(slug="gomspace"), Customer.objects.get(slug="interspace")
    mine = WebhookEndpointFactory(customer=gomspace, url="https://hooks.gomspace.example/lb")
    theirs = WebhookEndpointFactory(customer=interspace, url="https://hooks.interspace.example/lb")
    event = Event.objects.create(verb="booking.held", subject_type="booking", subject_id=1, customer=gomspace)
    delivery = WebhookDelivery.objects.create(endpoint=mine, event=event)
    WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=502, error="Bad gateway")
    WebhookDelivery.objects.create(endpoint=theirs, event=event)

    login(client, settings, "expace-ops")
    endpoints = client.get(reverse("admin:booking_webhookendpoint_changelist")).content.decode()
    assert "hooks.gomspace.example" in endpoints and "hooks.interspace.example" not in endpoints
    page = client.get(reverse("admin:booking_webhookendpoint_change", args=[mine.pk]))
    assert page.status_code == 200 and mine.secret not in page.content.decode()
    assert client.get(reverse("admin:booking_webhookendpoint_change", args=[theirs.pk])).status_code == 302
    deliveries = client.get(reverse("admin:booking_webhookdelivery_changelist")).context["cl"].result_list
    assert list(deliveries) == [delivery]
    detail = client.get(reverse("admin:booking_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "Bad gateway" in detail and "502" in detail
    assert ApiToken in admin.site._registry
