"""Tenant isolation: customers see only their organisation; operators only their provider."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from booking.models import (
    Booking,
    DedicatedRequest,
    Event,
    ManifestMove,
    ManifestProposal,
    OwnerRole,
    PlanStep,
    Quote,
    ReadinessPlan,
    ReadinessTemplate,
    StandbyEntry,
    WebhookDelivery,
)
from booking.services.events import event_record
from booking.services.invoices import invoice_issue, payment_record
from booking.services.tokens import api_token_create
from customers.models import Membership
from tests.customers.factories import PaymentMilestoneFactory
from tests.factories import (
    BookingFactory,
    ContractFactory,
    LaunchFactory,
    PayloadFactory,
    ProviderFactory,
    UserFactory,
    VehicleModelFactory,
    WebhookEndpointFactory,
)
from vehicles.models import ProviderOperator

from .conftest import make_tenant, token_client

pytestmark = pytest.mark.django_db

# Catalog and schedule: the same for every signed-in caller.
PUBLIC = {"provider", "vehicle-model", "vehicle", "site", "platform", "launch"}
# Provider operators' actions on their launches (tested against other providers' operators below).
OPERATOR_ONLY = {"launch-slip", "launch-scrub", "launch-plan"}


def world_of(tenant, launch):
    """One of everything a customer owns, for ``tenant``, on ``launch``."""
    payload = PayloadFactory(customer=tenant.customer)
    booking = BookingFactory(customer=tenant.customer, payload=payload, launch=launch)
    contract = ContractFactory(customer=tenant.customer, provider=launch.provider)
    quote = Quote.objects.create(
        reference=f"Q-{tenant.customer.pk}",
        customer=tenant.customer,
        payload=payload,
        kind=Quote.Kind.RIDESHARE,
        launch=launch,
        vehicle_model=launch.vehicle_model,
        provider=launch.provider,
        mass_kg=Decimal("8.0"),
        total=Decimal("1000.00"),
        currency="USD",
        valid_until=timezone.now() + timedelta(hours=72),
    )
    event = event_record(
        verb="booking.confirmed", subject=booking, actor=None, customer=tenant.customer, launch=launch
    )
    endpoint = WebhookEndpointFactory(customer=tenant.customer)
    WebhookDelivery.objects.create(endpoint=endpoint, event=event)
    token, _ = api_token_create(user=tenant.user, name="other")
    template = ReadinessTemplate.objects.get_or_create(slug="t", defaults={"name": "T"})[0]
    plan = ReadinessPlan.objects.create(launch=launch, template=template)
    PlanStep.objects.create(
        plan=plan,
        position=1,
        code="go",
        name="Go/no-go poll",
        owner_role=OwnerRole.OPERATIONS,
        kind="manual",
        offset_minutes=-30,
        due_at=launch.net - timedelta(minutes=30),
    )
    asked = DedicatedRequest.objects.create(
        reference=f"DR-{tenant.customer.pk}",
        customer=tenant.customer,
        payload=payload,
        orbit_family=payload.orbit_family,
        altitude_km=payload.altitude_km,
        earliest=launch.net,
        latest=launch.net + timedelta(days=30),
    )
    invoice = invoice_issue(milestone=PaymentMilestoneFactory(contract=contract), actor=None)
    receipt = payment_record(
        invoice=invoice, amount=Decimal("10.00"), paid_on=timezone.localdate(), reference="", actor=None
    )
    # A standby entry (written as the list keeps them: one waiting entry for a launch).
    standby = StandbyEntry.objects.create(
        customer=tenant.customer, payload=payload, launch=launch, orbit_family=launch.orbit_family
    )
    proposal = ManifestProposal.objects.create(provider=launch.provider)
    offer = ManifestMove.objects.create(
        proposal=proposal,
        booking=booking,
        customer=tenant.customer,
        from_launch=launch,
        to_launch=LaunchFactory(vehicle_model=launch.vehicle_model, site=launch.site),
        status=ManifestMove.Status.OFFERED,
        reason="room elsewhere",
        booking_status=booking.status,
        booking_mass_kg=booking.mass_kg,
        mass_kg=booking.mass_kg,
        currency="USD",
    )
    return {
        "invoice": invoice.number,
        "receipt": receipt.receipt_number,
        "move-offer": offer.pk,
        "payload": payload.pk,
        "standby": standby.pk,
        "booking": booking.pk,
        "dedicated-request": asked.pk,
        "contract": contract.pk,
        "quote": quote.pk,
        "event": event.pk,
        "webhook": endpoint.pk,
        "api-token": token.pk,
        "launch": launch.pk,
    }


def api_routes():
    """(name, pattern) of every /api/v1/ route, straight from the URL resolver."""
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if isinstance(p, URLResolver) and str(p.pattern) == "api/v1/")
    return [(p.name, str(p.pattern)) for p in api.url_patterns if isinstance(p, URLPattern)]


#: Route names whose action has a dash of its own.
DASHED_ACTIONS = {
    "webhook-rotate-secret": ("webhook", "rotate-secret"),
    "payload-cargo-items": ("payload", "cargo-items"),
    "booking-cancel-terms": ("booking", "cancel-terms"),
    "booking-rebook-terms": ("booking", "rebook-terms"),
}


def route_parts(name: str) -> tuple[str, str]:
    """A route name's basename and action: "webhook-deliveries" → ("webhook", "deliveries")."""
    if name in DASHED_ACTIONS:
        return DASHED_ACTIONS[name]
    basename, _, kind = name.rpartition("-")
    return basename, kind


def _express_route_refuses_their_rows(name, client, theirs):
    """Another customer's payload is refused, their booking's reference is not found."""
    if name in {"express-orders", "express-quotes"}:
        answer = client.post(
            f"/api/v1/{name}/", {"payload": theirs["payload"], "max_price": "1"}, format="json"
        )
        assert answer.status_code == 400 and "No payload of yours" in str(answer.json())
        return
    reference = Booking.objects.get(pk=theirs["booking"]).reference
    verb = name.rpartition("-")[2]  # express-quote-confirm, express-quote-cancel
    answer = client.post(f"/api/v1/express-quotes/{reference}/{verb}/", {}, format="json")
    assert answer.status_code == 404, name


def _consent_route_keeps_to_the_callers_rows(name, tenant_a, tenant_b, theirs):
    """The organisation's consent is the caller's own; another customer's booking is not found."""
    if name == "move-offer-consent":
        url = "/api/v1/move-offers/consent/"
        assert tenant_a.client.patch(url, {"allows_moves": False}, format="json").status_code == 200
        assert tenant_a.client.get(url).json() == {"allows_moves": False}
        assert type(tenant_b.customer).objects.get(pk=tenant_b.customer.pk).allows_moves is True
        return
    reference = Booking.objects.get(pk=theirs["booking"]).reference
    url = f"/api/v1/move-offers/consent/bookings/{reference}/"
    assert tenant_a.client.patch(url, {"may_move": False}, format="json").status_code == 404
    assert Booking.objects.get(pk=theirs["booking"]).may_move is True


def _check_invoice_route(tenant, name, pattern, *, kind, mine, theirs):
    url = "/api/v1/" + pattern.removeprefix("^").removesuffix("$")
    url = re.sub(r"\(\?P<number>[^)]*\)", theirs["invoice"], url)
    url = re.sub(r"\(\?P<receipt>[^)]*\)", theirs["receipt"], url)
    if kind == "list":
        numbers = {row["number"] for row in tenant.client.get(url).json()["results"]}
        assert theirs["invoice"] not in numbers and mine["invoice"] in numbers, name
    elif kind == "payments":
        assert tenant.client.post(url, {}, format="json").status_code == 403, name
    else:
        assert tenant.client.get(url).status_code == 404, name


def test_every_api_route_is_tenant_filtered(tenant_a, tenant_b):
    """Walks every route: customer A never sees B's ids in a list, and B's rows are 404 to A."""
    mine = world_of(tenant_a, LaunchFactory())
    theirs = world_of(tenant_b, LaunchFactory())
    checked = set()
    for name, pattern in api_routes():
        if name in {"auth-token", "launches-ics", "customer-ics", "not-found"} or name.startswith("invoice-"):
            continue  # no tenant rows: login, calendars (tested in their own files), the JSON 404; invoices: below
        if name == "availability":  # takes a payload id: another customer's is refused
            answer = tenant_a.client.get(f"/api/v1/availability/?payload={theirs['payload']}")
            assert answer.status_code == 400 and "No payload of yours" in str(answer.json())
            checked.add(name)
            continue
        if name.startswith("express-"):
            _express_route_refuses_their_rows(name, tenant_a.client, theirs)
            checked.add(name)
            continue
        if name == "calendar-rotate":  # acts on the caller's own organisation only
            before = type(tenant_b.customer).objects.get(pk=tenant_b.customer.pk).calendar_token
            assert tenant_a.client.post("/api/v1/calendar/rotate/").status_code == 200
            assert type(tenant_b.customer).objects.get(pk=tenant_b.customer.pk).calendar_token == before
            checked.add(name)
            continue
        if name in {"move-offer-consent", "move-offer-booking-consent"}:
            _consent_route_keeps_to_the_callers_rows(name, tenant_a, tenant_b, theirs)
            checked.add(name)
            continue
        basename, kind = route_parts(name)
        if name in OPERATOR_ONLY:  # customers may not call them at all
            url = "/api/v1/" + pattern.replace("(?P<pk>[0-9]{1,18})", str(theirs["launch"])).strip("^$")
            assert tenant_a.client.post(url, {}, format="json").status_code == 403, name
            checked.add(name)
            continue
        if basename in PUBLIC and kind in {"list", "detail"}:
            continue
        assert basename in theirs, f"route {name} ({pattern}) has no tenant-isolation check: add one"
        if kind == "list":
            answer = tenant_a.client.get("/api/v1/" + pattern.removeprefix("^").removesuffix("$"))
            assert answer.status_code == 200, name
            ids = {row["id"] for row in answer.json()["results"]}
            assert theirs[basename] not in ids, f"{name} leaks another customer's row"
            assert mine[basename] in ids, f"{name} does not show the caller's own row"
        else:
            url = "/api/v1/" + pattern.removeprefix("^").removesuffix("$")
            url = url.replace("(?P<pk>[0-9]{1,18})", "{pk}").replace("<int:pk>", "{pk}").replace("\\.", ".")
            for method in ("get", "post", "put", "patch", "delete"):
                answer = getattr(tenant_a.client, method)(url.format(pk=theirs[basename]), {}, format="json")
                assert answer.status_code in {404, 405}, (
                    f"{method.upper()} {name} on another customer's row: {answer.status_code}"
                )
        checked.add(name)
    assert {
        "booking-list",
        "booking-detail",
        "payload-list",
        "webhook-deliveries",
        "launch-readiness",
        "move-offer-consent",
        "move-offer-booking-consent",
    } <= checked


def test_every_invoice_route_is_tenant_filtered(tenant_a, tenant_b):
    """Invoices are looked up by number: A never sees B's in the list, B's are 404 to A, and
    recording a payment is refused to customers (it is the provider's)."""
    mine = world_of(tenant_a, LaunchFactory())
    theirs = world_of(tenant_b, LaunchFactory())
    routes = [(name, pattern) for name, pattern in api_routes() if name.startswith("invoice-")]
    for name, pattern in routes:
        _check_invoice_route(
            tenant_a, name, pattern, kind=name.removeprefix("invoice-"), mine=mine, theirs=theirs
        )
    assert {name for name, _ in routes} == {
        "invoice-list",
        "invoice-detail",
        "invoice-pdf",
        "invoice-receipt",
        "invoice-payments",
    }


def test_another_customers_booking_is_404_and_never_listed(tenant_a, tenant_b):
    launch = LaunchFactory()
    theirs = BookingFactory(customer=tenant_b.customer, launch=launch)
    mine = BookingFactory(customer=tenant_a.customer, launch=launch)
    assert tenant_a.client.get(f"/api/v1/bookings/{theirs.pk}/").status_code == 404
    listed = tenant_a.client.get("/api/v1/bookings/").json()
    assert [b["id"] for b in listed["results"]] == [mine.pk]


def test_provider_operators_see_only_their_providers_bookings_and_contracts(tenant_a):
    own_provider, other_provider = ProviderFactory(), ProviderFactory()
    operator = UserFactory(username="ops", is_staff=True)
    ProviderOperator.objects.create(user=operator, provider=own_provider)
    ours = BookingFactory(launch=LaunchFactory(vehicle_model__provider=own_provider))
    BookingFactory(launch=LaunchFactory(vehicle_model__provider=other_provider))
    ContractFactory(provider=own_provider)
    ContractFactory(provider=other_provider)
    client = token_client(operator)
    assert [b["id"] for b in client.get("/api/v1/bookings/").json()["results"]] == [ours.pk]
    contracts = client.get("/api/v1/contracts/").json()["results"]
    assert {c["provider"] for c in contracts} == {own_provider.pk}
    # An operator is not a customer: registering a payload is refused.
    answer = client.post(
        "/api/v1/payloads/",
        {"name": "x", "mass_kg": "1", "orbit": {"family": "SSO", "altitude_km": 500}},
        format="json",
    )
    assert answer.status_code == 403


def test_staff_with_every_provider_see_everything(tenant_a, tenant_b):
    BookingFactory(customer=tenant_a.customer)
    BookingFactory(customer=tenant_b.customer)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert token_client(admin).get("/api/v1/bookings/").json()["count"] == 2


def test_a_user_in_no_organisation_sees_no_customer_rows(tenant_a):
    BookingFactory(customer=tenant_a.customer)
    loner = token_client(UserFactory(username="loner"))
    assert loner.get("/api/v1/bookings/").json()["count"] == 0
    assert loner.get("/api/v1/events/").json()["count"] == 0


def test_viewers_read_but_cannot_write(db):
    viewer = make_tenant("Jilin", role=Membership.Role.VIEWER)
    assert viewer.client.get("/api/v1/payloads/").status_code == 200
    answer = viewer.client.post(
        "/api/v1/payloads/",
        {"name": "x", "mass_kg": "1", "orbit": {"family": "SSO", "altitude_km": 500}},
        format="json",
    )
    assert answer.status_code == 403
    assert "not viewers" in answer.json()["detail"]


def test_events_are_the_callers_own(tenant_a, tenant_b):
    launch = LaunchFactory()
    mine = event_record(verb="booking.held", subject=launch, actor=None, customer=tenant_a.customer)
    event_record(verb="booking.held", subject=launch, actor=None, customer=tenant_b.customer)
    event_record(verb="launch.slipped", subject=launch, actor=None, launch=launch)
    listed = tenant_a.client.get("/api/v1/events/").json()["results"]
    assert [e["id"] for e in listed] == [mine.pk]
    assert Event.objects.filter(verb__in=["booking.held", "launch.slipped"]).count() == 3


def test_server_owned_fields_cannot_be_set(tenant_a, tenant_b):
    VehicleModelFactory()
    answer = tenant_a.client.post(
        "/api/v1/payloads/",
        {
            "name": "GOMX-5",
            "mass_kg": "3.0",
            "orbit": {"family": "SSO", "altitude_km": 500},
            "customer": tenant_b.customer.pk,
            "id": 999999,
            "created_at": "2001-01-01T00:00:00Z",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["customer"] == tenant_a.customer.pk and body["id"] != 999999
    assert not body["created_at"].startswith("2001")
    endpoint = tenant_a.client.post(
        "/api/v1/webhooks/",
        {"url": "https://example.com/h", "secret": "mine", "customer": tenant_b.customer.pk},
        format="json",
    ).json()
    assert endpoint["secret"] != "mine" and endpoint["customer"] == tenant_a.customer.pk


def test_schedule_is_public_and_readable_by_every_customer(tenant_a, tenant_b):
    launch = LaunchFactory()
    BookingFactory(customer=tenant_b.customer, launch=launch)
    assert tenant_a.client.get(f"/api/v1/launches/{launch.pk}/").status_code == 200
    # … but its readiness plan is for those flying on it.
    assert tenant_a.client.get(f"/api/v1/launches/{launch.pk}/readiness/").status_code == 404


def test_unauthenticated_callers_get_nothing():
    for url in ("/api/v1/bookings/", "/api/v1/payloads/", "/api/v1/events/", "/api/v1/webhooks/"):
        assert APIClient().get(url).status_code == 401
