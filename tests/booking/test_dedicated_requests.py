"""Dedicated launch requests through the services and the operator admin: a customer asks, the
providers that can fly it see it, an operator schedules it from the planner's plan (or declines
it), the customer is told, quotes the launch at the model's dedicated price, holds and confirms
it; nobody else books that launch."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from booking.demo import OPERATORS_GROUP
from booking.errors import Conflict, InvalidRequest
from booking.models import DedicatedPrice, DedicatedRequest, Event, Launch, Notification
from booking.rules.local_time import clock
from booking.selectors.dedicated import open_dedicated_requests
from booking.selectors.planner import plan_launch
from booking.services import bookings, quotes
from booking.services.dedicated import (
    dedicated_request_create,
    dedicated_request_decline,
    dedicated_request_link,
    dedicated_request_withdraw,
)
from booking.workflows.dedicated import dedicated_request_from_quote, dedicated_request_schedule
from customers.models import Customer, Membership, Payload
from tests.factories import ContractFactory
from vehicles.models import Provider, ProviderOperator, VehicleModel


@pytest.fixture
def demo(demo_catalog, db, settings):
    landspace_ops = User.objects.create_user("landspace-ops", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    landspace_ops.is_staff = True
    landspace_ops.save()
    landspace_ops.groups.set([Group.objects.get(name=OPERATORS_GROUP)])
    ProviderOperator.objects.create(user=landspace_ops, provider=Provider.objects.get(slug="landspace"))
    galactic_ops = User.objects.create_user("galactic-ops", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    galactic_ops.is_staff = True
    galactic_ops.save()
    galactic_ops.groups.set([Group.objects.get(name=OPERATORS_GROUP)])
    ProviderOperator.objects.create(user=galactic_ops, provider=Provider.objects.get(slug="galactic-energy"))
    return demo_catalog


def login(client, settings, username):
    assert client.login(username=username, password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    return client


def _gomspace_request(**extra) -> DedicatedRequest:
    gomspace = Customer.objects.get(slug="gomspace")
    now = timezone.now()
    values = {
        "customer": gomspace,
        "actor": Membership.objects.get(customer=gomspace).user,
        "payload": Payload.objects.get(name="GOMX-5A"),
        "vehicle_model": VehicleModel.objects.get(name="Ceres-1"),
        "earliest": now + timedelta(days=80),
        "latest": now + timedelta(days=200),
        "note": "A plane of our own for GOMX-5A.",
    }
    return dedicated_request_create(**{**values, **extra})


def _schedule_from_first_plan(asked: DedicatedRequest, actor) -> Launch:
    model = asked.vehicle_model
    assert model is not None
    result = plan_launch(
        orbit_family=asked.orbit_family,
        altitude_km=asked.altitude_km,
        inclination_deg=asked.inclination_deg,
        earliest=asked.earliest,
        latest=asked.latest,
        service_level="standard",
        provider=model.provider,
    )
    plan = next(p for p in result.plans if p.vehicle_model == model)
    return dedicated_request_schedule(
        request=asked,
        actor=actor,
        provider=model.provider,
        vehicle_model=model,
        site=plan.site,
        orbit_family=asked.orbit_family,
        altitude_km=asked.altitude_km,
        inclination_deg=asked.inclination_deg,
        window_start=plan.window_start,
        window_end=plan.window_end,
        vehicle=plan.vehicle,
        platform=plan.platform,
        pad=plan.pad,
    )


def _event(verb: str, asked: DedicatedRequest) -> Event:
    return Event.objects.get(verb=verb, subject_type="dedicatedrequest", subject_id=asked.pk)


def test_a_request_is_seen_by_the_providers_that_can_fly_it_and_logged(demo):
    asked = _gomspace_request()
    assert asked.status == "requested" and asked.reference.startswith("DR-")
    assert set(asked.providers.values_list("slug", flat=True)) == {"galactic-energy"}
    assert asked in open_dedicated_requests(provider=Provider.objects.get(slug="galactic-energy"))
    assert asked not in open_dedicated_requests(provider=Provider.objects.get(slug="expace"))
    event = Event.objects.get(verb="dedicated.requested", subject_id=asked.pk)
    assert event.customer.slug == "gomspace" and "GOMX-5A" in event.message


def test_an_any_vehicle_request_reaches_every_provider_with_a_model_that_flies_the_orbit(demo):
    jilin = Customer.objects.get(slug="jilin")
    now = timezone.now()
    asked = dedicated_request_create(
        customer=jilin,
        actor=None,
        orbit_family="SSO",
        altitude_km=500,
        earliest=now + timedelta(days=60),
        latest=now + timedelta(days=150),
    )
    assert asked.vehicle_model is None and asked.inclination_deg == Decimal("97.40")
    # Zhuque-1 is retired: Landspace has no model to fly it.
    assert set(asked.providers.values_list("slug", flat=True)) == {"expace", "galactic-energy", "cgwic"}


def test_a_request_no_vehicle_can_fly_is_refused_saying_why(demo):
    with pytest.raises(Conflict) as refused:
        _gomspace_request(
            payload=Payload.objects.get(name="Station cargo capsule"),
            customer=Customer.objects.get(slug="cmsa"),
        )
    assert "Ceres-1 lifts" in refused.value.message and "1205" in refused.value.message
    with pytest.raises(InvalidRequest, match="campaign of 30 days"):
        _gomspace_request(latest=timezone.now() + timedelta(days=10), earliest=timezone.now())
    with pytest.raises(Conflict, match="already has dedicated launch request"):
        _gomspace_request()
        _gomspace_request()


def test_scheduling_links_a_dedicated_launch_sold_to_the_customer_and_tells_them(
    demo, django_capture_on_commit_callbacks
):
    operator = User.objects.get(username="operator")
    asked = _gomspace_request()
    with django_capture_on_commit_callbacks(execute=True):
        launch = _schedule_from_first_plan(asked, operator)
    asked.refresh_from_db()
    launch.refresh_from_db()
    assert asked.status == "scheduled" and asked.launch == launch
    assert launch.rideshare is False and launch.dedicated_customer.slug == "gomspace"
    note = Notification.objects.get(reason="dedicated_scheduled", customer__slug="gomspace")
    assert asked.reference in note.details["reference"] and note.details["portal_link"].endswith(
        f"{asked.reference}/"
    )
    assert any(launch.name in m.subject for m in mail.outbox), [m.subject for m in mail.outbox]

    # The customer's dedicated quote is the model's dedicated price; the hold and the confirmation
    # book the request.
    gomspace, member = asked.customer, Membership.objects.get(customer=asked.customer).user
    quote = quotes.quote_create(customer=gomspace, payload=asked.payload, actor=member, launch=launch)
    price = DedicatedPrice.objects.get(vehicle_model=launch.vehicle_model)
    assert quote.kind == "dedicated" and quote.lines.get().description.startswith("Dedicated Ceres-1")
    assert price.currency == "CNY" and quote.total == Decimal("5401234.57")  # 35,000,000 CNY at 6.48
    held = bookings.booking_hold(quote=quote, actor=member, customer=gomspace)
    ContractFactory(customer=gomspace, provider=launch.provider, status="active")
    with pytest.raises(Conflict, match="sold to another customer"):
        cmsa = Customer.objects.get(slug="cmsa")
        quotes.quote_create(
            customer=cmsa,
            payload=Payload.objects.get(name="Station cargo capsule"),
            actor=None,
            launch=launch,
        )
    bookings.booking_confirm(booking=held, actor=member)
    asked.refresh_from_db()
    assert asked.status == "booked"
    booked = _event("dedicated.booked", asked)
    assert (booked.before["status"], booked.after["status"]) == ("scheduled", "booked")
    assert booked.after["booking"] == held.reference and booked.launch == launch
    with pytest.raises(Conflict, match="booked: it cannot be withdrawn"):
        dedicated_request_withdraw(request=asked, actor=member, customer=gomspace)


def test_another_provider_cannot_take_the_request_and_nothing_is_written(demo):
    asked = _gomspace_request()  # Ceres-1: Galactic Energy's
    kz1a = Launch.objects.get(name="Kuaizhou-1A · SSO 500 rideshare")
    with pytest.raises(Conflict, match="ExPace cannot fly request"):
        dedicated_request_link(request=asked, launch=kz1a, actor=None)
    asked.refresh_from_db()
    kz1a.refresh_from_db()
    assert asked.status == "requested" and kz1a.rideshare and kz1a.dedicated_customer is None


def test_an_operator_declines_with_a_reason_and_the_customer_hears_why(
    demo, django_capture_on_commit_callbacks
):
    asked = _gomspace_request()
    with pytest.raises(InvalidRequest, match="Say why"):
        dedicated_request_decline(request=asked, actor=None, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        dedicated_request_decline(
            request=asked, actor=None, reason="Our Ceres-1 manifest is full until 2028."
        )
    asked.refresh_from_db()
    assert asked.status == "declined" and asked.decline_reason.startswith("Our Ceres-1")
    note = Notification.objects.get(reason="dedicated_declined", customer__slug="gomspace")
    assert note.details["reason"].startswith("Our Ceres-1")
    with pytest.raises(Conflict, match="declined: it cannot be scheduled"):
        _schedule_from_first_plan(asked, None)


def test_each_step_of_a_request_is_logged_with_its_state_before_and_after(demo):
    operator = User.objects.get(username="operator")
    asked = _gomspace_request()
    launch = _schedule_from_first_plan(asked, operator)
    scheduled = _event("dedicated.scheduled", asked)
    assert (scheduled.before["status"], scheduled.after["status"]) == ("requested", "scheduled")
    assert scheduled.before["launch"] is None and scheduled.after["launch"] == launch.pk
    assert scheduled.after["launch_name"] == launch.name and scheduled.actor == operator
    assert (scheduled.customer, scheduled.provider, scheduled.launch) == (
        asked.customer,
        launch.provider,
        launch,
    )

    dedicated_request_withdraw(request=asked, actor=None, customer=asked.customer)
    withdrawn = _event("dedicated.withdrawn", asked)
    assert (withdrawn.before["status"], withdrawn.after["status"]) == ("scheduled", "withdrawn")
    assert (withdrawn.provider, withdrawn.launch) == (launch.provider, launch)
    assert withdrawn.message.endswith("withdrawn") and withdrawn.actor_label == "system"
    assert DedicatedRequest.objects.get(pk=asked.pk).status == "withdrawn"

    again = _gomspace_request()
    dedicated_request_decline(request=again, actor=operator, reason="Full until 2028.")
    declined = _event("dedicated.declined", again)
    assert (declined.before["status"], declined.after["status"]) == ("requested", "declined")
    assert (declined.before["decline_reason"], declined.after["decline_reason"]) == ("", "Full until 2028.")
    assert declined.provider is None and declined.launch is None
    assert DedicatedRequest.objects.get(pk=again.pk).decline_reason == "Full until 2028."


def test_an_accepted_dedicated_quote_without_a_launch_becomes_a_request_once(demo):
    gomspace = Customer.objects.get(slug="gomspace")
    quote = quotes.quote_create(
        customer=gomspace,
        payload=Payload.objects.get(name="GOMX-5B"),
        actor=None,
        vehicle_model=VehicleModel.objects.get(name="Kuaizhou-1A"),
    )
    asked = dedicated_request_from_quote(quote=quote, actor=None, customer=gomspace)
    assert asked.quote == quote and asked.vehicle_model.name == "Kuaizhou-1A" and asked.status == "requested"
    assert dedicated_request_from_quote(quote=quote, actor=None, customer=gomspace) == asked


def test_the_demo_gives_every_customer_a_path_to_a_confirmed_booking(demo):
    """InterSpace's and CMSA's payloads fit no rideshare launch: each has a dedicated launch scheduled."""
    for reference, contract in (("DR-DEMO-ZZ1", "ISE-GE-2022"), ("DR-DEMO-CARGO", "CMSA-EXP-KZ11")):
        asked = DedicatedRequest.objects.get(reference=reference)
        assert asked.status == "scheduled" and asked.launch.dedicated_customer == asked.customer
        member = Membership.objects.get(customer=asked.customer).user
        quote = quotes.quote_create(
            customer=asked.customer, payload=asked.payload, actor=member, launch=asked.launch
        )
        held = bookings.booking_hold(quote=quote, actor=member, customer=asked.customer)
        confirmed = bookings.booking_confirm(booking=held, actor=member)
        assert confirmed.status == "confirmed" and confirmed.contract.reference == contract
    assert DedicatedRequest.objects.get(reference="DR-DEMO-JL").status == "requested"


# --- the operator admin ------------------------------------------------------------------------


def test_the_dashboard_lists_requests_for_the_operators_providers_only(demo, client, settings):
    asked = _gomspace_request()
    login(client, settings, "galactic-ops")
    page = client.get(reverse("admin:index")).content.decode()
    assert "Dedicated launch requests" in page and asked.reference in page and "DR-DEMO-JL" in page
    client.logout()
    login(client, settings, "expace-ops")
    page = client.get(reverse("admin:index")).content.decode()
    assert asked.reference not in page and "DR-DEMO-JL" in page  # any vehicle: ExPace can fly it
    client.logout()
    login(client, settings, "operator")
    assert asked.reference in client.get(reverse("admin:index")).content.decode()


def test_an_operator_schedules_from_the_planners_plan_in_the_schedule_form(demo, client, settings):
    asked = _gomspace_request()
    login(client, settings, "galactic-ops")
    change = client.get(reverse("admin:booking_dedicatedrequest_change", args=[asked.pk]))
    assert change.status_code == 200 and "Schedule from the planner" in change.content.decode()
    dashboard = client.get(reverse("admin:index"))
    link = next(link for r, link in dashboard.context["dash"].dedicated_requests if r.pk == asked.pk)
    form_page = client.get(link)
    assert form_page.context["dedicated_request"] == asked and form_page.context["plans"]
    assert form_page.context["form"].initial["altitude_km"] == str(asked.altitude_km)
    plan_link = form_page.context["plans"][0]["link"]
    values = dict(parse_qsl(urlsplit(plan_link).query))
    assert values["dedicated_request"] == str(asked.pk)
    answer = client.post(
        reverse("admin:booking_launch_schedule"),
        {k: v for k, v in values.items() if not k.startswith("plan-")} | {"net_precision": "hour"},
    )
    assert answer.status_code == 302, [str(m) for m in answer.wsgi_request._messages]
    asked.refresh_from_db()
    assert asked.status == "scheduled" and asked.launch.dedicated_customer == asked.customer


def test_an_operator_of_another_provider_cannot_open_or_decline_the_request(demo, client, settings):
    asked = _gomspace_request()
    login(client, settings, "landspace-ops")
    assert client.get(reverse("admin:booking_dedicatedrequest_change", args=[asked.pk])).status_code == 302
    assert (
        client.get(reverse("admin:booking_launch_schedule") + f"?dedicated_request={asked.pk}").status_code
        == 404
    )
    client.post(
        reverse("admin:booking_dedicatedrequest_changelist"),
        {"action": "decline", "_selected_action": [asked.pk], "reason": "not ours"},
    )
    asked.refresh_from_db()
    assert asked.status == "requested"
    client.logout()
    login(client, settings, "galactic-ops")
    client.post(
        reverse("admin:booking_dedicatedrequest_changelist"),
        {"action": "decline", "_selected_action": [asked.pk], "reason": "Manifest full."},
    )
    asked.refresh_from_db()
    assert asked.status == "declined" and asked.decline_reason == "Manifest full."


def test_a_request_with_an_ltan_is_scheduled_from_the_plan_at_its_daily_launch_time(demo, client, settings):
    asked = DedicatedRequest.objects.get(reference="DR-DEMO-JL")  # any vehicle, SSO 535 km, LTAN 22:30
    login(client, settings, "expace-ops")
    link = next(
        link
        for r, link in client.get(reverse("admin:index")).context["dash"].dedicated_requests
        if r == asked
    )
    plans = client.get(link).context["plans"]
    values = dict(parse_qsl(urlsplit(plans[0]["link"]).query))
    assert values["ltan"] == "22:30" and values["dedicated_request"] == str(asked.pk)
    answer = client.post(
        reverse("admin:booking_launch_schedule"),
        {k: v for k, v in values.items() if not k.startswith("plan-")} | {"net_precision": "hour"},
    )
    assert answer.status_code == 302, [str(m) for m in answer.wsgi_request._messages]
    asked.refresh_from_db()
    assert asked.status == "scheduled" and clock(asked.launch.ltan) == "22:30"
    assert asked.launch.provider.slug == "expace"


def test_another_customers_booking_cannot_move_onto_a_dedicated_launch(demo):
    gomspace = Customer.objects.get(slug="gomspace")
    rideshare = Launch.objects.get(name="Ceres-1 · SSO 500 rideshare")
    quote = quotes.quote_create(
        customer=gomspace,
        payload=Payload.objects.get(name="GOMX-5A"),
        actor=None,
        launch=rideshare,
        port="cubesat_3u",
    )
    held = bookings.booking_hold(quote=quote, actor=None, customer=gomspace)
    interspace_launch = DedicatedRequest.objects.get(reference="DR-DEMO-ZZ1").launch  # Galactic Energy's too
    with pytest.raises(Conflict, match="sold to another customer"):
        bookings.booking_rebook(booking=held, launch=interspace_launch, actor=None)
    held.refresh_from_db()
    assert held.status == "held" and held.launch == rideshare
