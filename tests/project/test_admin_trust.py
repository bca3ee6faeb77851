"""Provider operators change only what is their provider's own, and every admin save is logged.

Three roles walk the admin: the platform administrator ("operator", all providers), ExPace's
operator and Landspace's operator. A customer is within a provider operator's reach through an
active contract or a booking with its provider; a draft contract gives none. Customers' rows are
read-only to provider operators (the document review excepted); global reference data is edited
by platform administrators only. Every admin edit writes an Event; a capacity curve that would
leave a launch over capacity is refused with the launch and the figures.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.forms import SplitDateTimeWidget
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from booking.demo import OPERATORS_GROUP, load_accounts, load_catalog
from booking.errors import Conflict
from booking.models import (
    AddOnService,
    ApiToken,
    Booking,
    DedicatedPrice,
    DedicatedRequest,
    Event,
    ExchangeRate,
    Invoice,
    Launch,
    ManifestProposal,
    Notification,
    NotificationDelivery,
    PlanStep,
    Quote,
    ReadinessPlan,
    ReadinessTemplate,
    Reservation,
    RideshareRate,
    WebhookDelivery,
    WebhookEndpoint,
)
from booking.rules import permissions
from booking.rules.permissions import ROLES, Action, Hat, Principal, may, refusal
from booking.selectors.capacity import launch_remaining_capacity_kg
from booking.services.capacity import capacity_curve_refusal, capacity_curve_replace
from booking.services.invoices import invoice_issue
from booking.services.tokens import api_token_create
from customers.models import (
    CargoProgramme,
    Contract,
    Customer,
    Document,
    Membership,
    Payload,
    PaymentMilestone,
)
from tests.factories import (
    BookingFactory,
    DocumentFactory,
    PaymentMilestoneFactory,
    WebhookEndpointFactory,
    portal_readiness_plan,
)
from vehicles.models import (
    Adapter,
    CapacityPoint,
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    ProviderOperator,
    Route,
    SiteClosure,
    Vehicle,
    VehicleModel,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, settings):
    load_catalog()
    load_accounts()
    landspace_ops = User.objects.create_user("landspace-ops", password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    landspace_ops.is_staff = True
    landspace_ops.save()
    landspace_ops.groups.set([Group.objects.get(name=OPERATORS_GROUP)])
    ProviderOperator.objects.create(user=landspace_ops, provider=Provider.objects.get(slug="landspace"))


def login(client, settings, username):
    assert client.login(username=username, password=settings.LAUNCHBOOK_DEMO_PASSWORD)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(response) -> dict:
    """The POST a change page would send back unchanged: its form and inline forms as shown."""
    data: dict = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if isinstance(field.widget, SplitDateTimeWidget):
                local = timezone.localtime(value)
                data[f"{key}_0"], data[f"{key}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.initial_forms:
            add(form)
    return data


# --- reach: an active contract or a booking, never a draft ------------------------------------


def test_a_draft_contract_gives_a_provider_operator_no_reach_into_the_customer(demo, client, settings):
    interspace = Customer.objects.get(slug="interspace")
    cargo = Payload.objects.get(name="Zengzhang-1")
    member = Membership.objects.get(customer=interspace).user
    token, _key = api_token_create(user=member, name="InterSpace ERP")
    hook = WebhookEndpointFactory(customer=interspace, url="https://hooks.interspace.example/lb")
    document = DocumentFactory(customer=interspace, payload=cargo)

    login(client, settings, "expace-ops")
    answer = client.post(
        reverse("admin:customers_contract_add"),
        {
            "reference": "ISE-EXP-DRAFT",
            "customer": interspace.pk,
            "provider": Provider.objects.get(slug="expace").pk,
            "launches_committed": 1,
            "value": "1000.00",
            "currency": "USD",
            "deposit_percent": "30.00",
            "balance_due_days_before_launch": 30,
            "status": Contract.Status.DRAFT,
            "milestones-TOTAL_FORMS": 0,
            "milestones-INITIAL_FORMS": 0,
        },
    )
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    contract = Contract.objects.get(reference="ISE-EXP-DRAFT")

    def reached() -> dict[str, bool]:
        return {
            "customer": client.get(
                reverse("admin:customers_customer_change", args=[interspace.pk])
            ).status_code
            == 200,
            "payload": client.get(reverse("admin:customers_payload_change", args=[cargo.pk])).status_code
            == 200,
            "document": client.get(reverse("admin:customers_document_change", args=[document.pk])).status_code
            == 200,
            "membership": interspace
            in {
                m.customer
                for m in client.get(reverse("admin:customers_membership_changelist"))
                .context["cl"]
                .result_list
            },
            "webhook": "hooks.interspace.example"
            in client.get(reverse("admin:booking_webhookendpoint_changelist")).content.decode(),
            "token": client.get(reverse("admin:booking_apitoken_change", args=[token.pk])).status_code == 200,
        }

    assert not any(reached().values()), reached()
    assert hook.pk and document.pk

    contract.status = Contract.Status.ACTIVE
    contract.save()
    assert all(reached().values()), reached()


def test_a_provider_operator_drafts_contracts_and_a_platform_administrator_activates_them(
    demo, client, settings
):
    interspace = Customer.objects.get(slug="interspace")
    expace = Provider.objects.get(slug="expace")
    login(client, settings, "expace-ops")
    answer = client.post(
        reverse("admin:customers_contract_add"),
        {
            "reference": "ISE-EXP-1",
            "customer": interspace.pk,
            "provider": expace.pk,
            "launches_committed": 1,
            "value": "1000.00",
            "currency": "USD",
            "deposit_percent": "30.00",
            "balance_due_days_before_launch": 30,
            "status": Contract.Status.ACTIVE,  # asked for, not granted
            "milestones-TOTAL_FORMS": 0,
            "milestones-INITIAL_FORMS": 0,
        },
    )
    assert answer.status_code == 302
    contract = Contract.objects.get(reference="ISE-EXP-1")
    assert contract.status == Contract.Status.DRAFT
    # Nor by editing it, nor by moving an active contract to another customer.
    data = form_data(client.get(reverse("admin:customers_contract_change", args=[contract.pk])))
    assert "status" not in data and "customer" not in data
    data["status"] = Contract.Status.ACTIVE
    client.post(reverse("admin:customers_contract_change", args=[contract.pk]), data)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    assert client.get(reverse("admin:customers_customer_change", args=[interspace.pk])).status_code == 302

    client.logout()
    login(client, settings, "operator")
    data = form_data(client.get(reverse("admin:customers_contract_change", args=[contract.pk])))
    data["status"] = Contract.Status.ACTIVE
    assert (
        client.post(reverse("admin:customers_contract_change", args=[contract.pk]), data).status_code == 302
    )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_the_contract_rule_is_the_permission_tables_and_the_admin_asks_it(
    demo, client, settings, monkeypatch
):
    """Drafting and activating contracts are two rows of ``booking.rules.permissions``: the
    table says who, and the contract admin asks the table (widen a row and the admin follows)."""
    operator, platform = Principal(operator=True), Principal(operator=True, platform=True)
    assert may(operator, Action.CONTRACT_DRAFT) and not may(operator, Action.CONTRACT_ACTIVATE)
    assert may(platform, Action.CONTRACT_ACTIVATE)
    assert not any(may(role, Action.CONTRACT_DRAFT) for role in ROLES)
    assert refusal(operator, Action.CONTRACT_ACTIVATE) == (
        "Only a platform administrator makes a contract active, once the customer has signed."
    )
    login(client, settings, "expace-ops")
    contract = Contract.objects.filter(provider__slug="expace").first()
    assert contract is not None
    change = reverse("admin:customers_contract_change", args=[contract.pk])
    assert "status" not in form_data(client.get(change))

    monkeypatch.setitem(
        permissions.RULES,
        Action.CONTRACT_ACTIVATE,
        permissions.Rule("make a contract active", frozenset({Hat.OPERATOR, Hat.PLATFORM})),
    )
    assert "status" in form_data(client.get(change))
    monkeypatch.setitem(
        permissions.RULES, Action.CONTRACT_DRAFT, permissions.Rule("draft", frozenset({Hat.PLATFORM}))
    )
    assert client.get(reverse("admin:customers_contract_add")).status_code == 403


def test_a_booking_on_the_providers_launch_gives_reach_without_a_contract(demo, client, settings):
    interspace = Customer.objects.get(slug="interspace")
    payload = interspace.payloads.first()
    login(client, settings, "expace-ops")
    url = reverse("admin:customers_customer_change", args=[interspace.pk])
    assert client.get(url).status_code == 302
    BookingFactory(
        customer=interspace, payload=payload, launch=Launch.objects.get(name__startswith="Kuaizhou-1A")
    )
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:customers_payload_change", args=[payload.pk])).status_code == 200


# --- customers' rows are read-only to provider operators ---------------------------------------


def test_a_provider_operator_cannot_change_a_customers_payload_token_or_webhook(demo, client, settings):
    gomspace = Customer.objects.get(slug="gomspace")
    payload = Payload.objects.get(name="GOMX-5A")
    BookingFactory(
        customer=gomspace, payload=payload, launch=Launch.objects.get(name__startswith="Kuaizhou-1A")
    )
    mass = payload.mass_kg
    token, _key = api_token_create(user=Membership.objects.get(customer=gomspace).user, name="ERP")
    hook = WebhookEndpointFactory(customer=gomspace)

    login(client, settings, "expace-ops")
    url = reverse("admin:customers_payload_change", args=[payload.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["adminform"].form.fields == {}
    data = {"name": payload.name, "mass_kg": "5000", "orbit_family": "SSO", "altitude_km": 500}
    assert client.post(url, data).status_code == 403
    payload.refresh_from_db()
    assert payload.mass_kg == mass

    tokens = reverse("admin:booking_apitoken_changelist")
    answer = client.post(tokens, {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert any("a customer's token is revoked by the customer" in m for m in messages_of(answer))
    own, _key = api_token_create(user=User.objects.get(username="expace-ops"), name="mine")
    client.post(tokens, {"action": "revoke", "_selected_action": [own.pk]})
    own.refresh_from_db()
    assert own.revoked_at is not None

    delete = reverse("admin:booking_webhookendpoint_delete", args=[hook.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert WebhookEndpoint.objects.filter(pk=hook.pk).exists()
    assert not Event.objects.filter(verb__startswith="admin.", actor__username="expace-ops").exists()


def test_a_provider_operator_still_reviews_the_documents_of_its_customers(demo, client, settings):
    document = DocumentFactory(
        customer=Customer.objects.get(slug="gomspace"),
        payload=Payload.objects.get(name="GOMX-5A"),
        status=Document.Status.SUBMITTED,
    )
    login(client, settings, "expace-ops")
    client.post(
        reverse("admin:customers_document_changelist"),
        {"action": "approve", "_selected_action": [document.pk]},
    )
    document.refresh_from_db()
    assert document.status == Document.Status.APPROVED
    assert Event.objects.filter(verb="document.approved", subject_id=document.pk).exists()


# --- global reference data: platform administrators only ---------------------------------------


def test_a_provider_operator_cannot_move_exchange_rates_or_close_a_site(demo, client, settings):
    eur = ExchangeRate.objects.get(currency="EUR")
    units = eur.units_per_usd
    site = LaunchSite.objects.get(code="JSLC")
    login(client, settings, "expace-ops")
    change = reverse("admin:booking_exchangerate_change", args=[eur.pk])
    assert client.post(change, {"currency": "EUR", "units_per_usd": "0.0001"}).status_code == 403
    eur.refresh_from_db()
    assert eur.units_per_usd == units
    now = timezone.now()
    closure = {
        "site": site.pk,
        "kind": "range",
        "starts_at_0": f"{now:%Y-%m-%d}",
        "starts_at_1": "00:00:00",
        "ends_at_0": f"{now + timedelta(days=30):%Y-%m-%d}",
        "ends_at_1": "00:00:00",
        "reason": "blocked",
    }
    assert client.post(reverse("admin:vehicles_siteclosure_add"), closure).status_code == 403
    assert not SiteClosure.objects.filter(reason="blocked").exists()

    client.logout()
    login(client, settings, "operator")
    assert client.post(change, {"currency": "EUR", "units_per_usd": "0.9100"}).status_code == 302
    event = Event.objects.get(verb="admin.exchangerate.changed", subject_id=eur.pk)
    assert event.actor.username == "operator"
    assert Decimal(event.before["units_per_usd"]) == units
    assert Decimal(event.after["units_per_usd"]) == Decimal("0.91")


GLOBAL = {
    ExchangeRate,
    LaunchSite,
    Pad,
    SiteClosure,
    Route,
    ReadinessTemplate,
    Provider,
    CargoProgramme,
    Adapter,  # platform administrators edit; an operator reads the global and its providers' own
}
CUSTOMERS_OWN = {Customer, Membership, Payload, Document, WebhookEndpoint, WebhookDelivery, ApiToken}
PROVIDERS_OWN = {
    VehicleModel,
    Vehicle,
    MobilePlatform,
    RideshareRate,
    DedicatedPrice,
    AddOnService,
    Contract,
    PaymentMilestone,
    Invoice,
    Launch,
    Booking,
    Quote,
    Reservation,
    ReadinessPlan,
    PlanStep,
    Event,
    NotificationDelivery,
    DedicatedRequest,
    ManifestProposal,  # written by the optimiser's service only: operators read and offer
}


def _expace_adapter(expace: Provider) -> Adapter:
    return Adapter.objects.create(
        name="ExPace 6U dispenser",
        kind="dispenser",
        provider=expace,
        mass_kg=Decimal("4.0"),
        port_kinds=["cubesat_6u"],
    )


def _expace_rows() -> dict:
    """One row of every admin's model that belongs to ExPace or to a customer within its reach."""
    expace = Provider.objects.get(slug="expace")
    gomspace = Customer.objects.get(slug="gomspace")
    launch = Launch.objects.get(name__startswith="Kuaizhou-1A")
    payload = Payload.objects.get(name="GOMX-5A")
    booking = BookingFactory.create(customer=gomspace, payload=payload, launch=launch)
    contract = Contract.objects.get(reference="GOM-EXP-2018")
    member = Membership.objects.get(customer=gomspace)
    token, _key = api_token_create(user=member.user, name="ERP")
    endpoint = WebhookEndpointFactory.create(customer=gomspace)
    event = Event.objects.create(
        verb="booking.held", subject_type="booking", subject_id=booking.pk, customer=gomspace, provider=expace
    )
    plan = ReadinessPlan.objects.filter(launch=launch).first() or portal_readiness_plan(
        launch, [("icd", "ICD agreed", -60, PlanStep.Status.PENDING)]
    )
    reservation = Reservation.objects.filter(launch=launch).first() or Reservation.objects.create(
        launch=launch,
        site=launch.site,
        pad=Pad.objects.filter(site=launch.site).first(),
        occupied_from=launch.window_start,
        arrive_at=launch.window_start,
        ready_at=launch.window_start,
        occupied_until=launch.window_end,
    )
    site = launch.site
    return {
        ExchangeRate: ExchangeRate.objects.first(),
        LaunchSite: site,
        Pad: Pad.objects.first(),
        SiteClosure: SiteClosure.objects.create(
            site=site, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(hours=1), reason="x"
        ),
        Route: Route.objects.first()
        or Route.objects.create(
            origin=site, destination=LaunchSite.objects.exclude(pk=site.pk)[0], transit_hours=3
        ),
        ReadinessTemplate: ReadinessTemplate.objects.first() or plan.template,
        Provider: expace,
        ManifestProposal: ManifestProposal.objects.create(provider=expace),
        Adapter: _expace_adapter(expace),
        CargoProgramme: CargoProgramme.objects.first(),
        Customer: gomspace,
        Membership: member,
        Payload: payload,
        Document: DocumentFactory.create(customer=gomspace, payload=payload),
        WebhookEndpoint: endpoint,
        WebhookDelivery: WebhookDelivery.objects.create(endpoint=endpoint, event=event),
        ApiToken: token,
        VehicleModel: launch.vehicle_model,
        Vehicle: Vehicle.objects.filter(vehicle_model__provider=expace).first(),
        MobilePlatform: MobilePlatform.objects.filter(provider=expace).first(),
        RideshareRate: RideshareRate.objects.filter(provider=expace).first(),
        DedicatedPrice: DedicatedPrice.objects.filter(vehicle_model__provider=expace).first(),
        AddOnService: AddOnService.objects.filter(provider=expace).first(),
        Contract: contract,
        PaymentMilestone: PaymentMilestoneFactory.create(contract=contract),
        Invoice: invoice_issue(milestone=PaymentMilestoneFactory.create(contract=contract), actor=None),
        Launch: launch,
        DedicatedRequest: DedicatedRequest.objects.get(reference="DR-DEMO-CARGO"),
        Booking: booking,
        Quote: None,
        Reservation: reservation,
        ReadinessPlan: plan,
        PlanStep: plan.steps.first(),
        Event: event,
        NotificationDelivery: NotificationDelivery.objects.create(
            notification=Notification.objects.create(
                reason=Notification.Reason.LAUNCH_SLIPPED, launch=launch, message=f"{launch.name} slipped"
            ),
            user=member.user,
            customer=gomspace,
        ),
    }


def _rights(model_admin, user, obj) -> dict[str, bool]:
    request = RequestFactory().get("/admin/")
    request.user = user
    visible = obj is not None and model_admin.get_queryset(request).filter(pk=obj.pk).exists()
    return {
        "view": visible and model_admin.has_view_permission(request, obj),
        "add": model_admin.has_add_permission(request),
        "change": visible and model_admin.has_change_permission(request, obj),
        "delete": visible and model_admin.has_delete_permission(request, obj),
    }


def test_walk_every_model_admin_for_three_roles(demo):
    """Every admin of the product's models is classified; each role's rights follow its class."""
    ours = {m for m in admin.site._registry if m._meta.app_label in {"vehicles", "customers", "booking"}}
    assert ours == GLOBAL | CUSTOMERS_OWN | PROVIDERS_OWN, ours ^ (GLOBAL | CUSTOMERS_OWN | PROVIDERS_OWN)
    rows = _expace_rows()
    platform = User.objects.get(username="operator")
    expace_ops = User.objects.get(username="expace-ops")
    landspace_ops = User.objects.get(username="landspace-ops")
    walked = 0
    for model in sorted(ours, key=lambda m: m._meta.label):
        model_admin = admin.site._registry[model]
        obj = rows[model]
        if obj is None and model is not Quote:
            pytest.fail(f"no {model._meta.label} row to walk")
        boss = _rights(model_admin, platform, obj)
        own = _rights(model_admin, expace_ops, obj)
        other = _rights(model_admin, landspace_ops, obj)
        label = model._meta.label
        if model in GLOBAL:
            assert boss["add"] and (obj is None or boss["change"] and boss["view"]), (label, boss)
            assert not any(own[k] for k in ("add", "change", "delete")), (label, own)
            assert not any(other[k] for k in ("add", "change", "delete")), (label, other)
        elif model in CUSTOMERS_OWN:
            assert boss["view"], (label, boss)
            assert own == {"view": True, "add": False, "change": False, "delete": False}, (label, own)
            # Gomspace has an active contract with Landspace too, but no Landspace booking:
            assert not any(other[k] for k in ("add", "change", "delete")), (label, other)
        else:
            assert own == boss, (label, own, boss)
            if obj is not None:
                assert not any(other[k] for k in ("view", "change", "delete")), (label, other)
        walked += 1
    assert walked == len(ours)


def test_an_operator_reads_the_global_adapters_and_its_providers_own_only(demo, client, settings):
    own = _expace_adapter(Provider.objects.get(slug="expace"))
    shared = Adapter.objects.filter(provider__isnull=True).first()
    assert shared is not None
    login(client, settings, "landspace-ops")
    page = client.get(reverse("admin:vehicles_adapter_changelist"))
    assert page.status_code == 200
    names = {a.name for a in page.context["cl"].queryset}
    assert shared.name in names and own.name not in names
    assert client.get(reverse("admin:vehicles_adapter_change", args=[own.pk])).status_code == 302
    login(client, settings, "expace-ops")
    page = client.get(reverse("admin:vehicles_adapter_change", args=[own.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    data = form_data(page)
    data["mass_kg"] = "1.0"
    client.post(reverse("admin:vehicles_adapter_change", args=[own.pk]), data)
    own.refresh_from_db()
    assert own.mass_kg == Decimal("4.0")  # read only to a provider operator
    login(client, settings, "operator")
    url = reverse("admin:vehicles_adapter_change", args=[own.pk])
    _edit(client, url, mass_kg="3.5", port_kinds='["cubesat_6u"]')
    own.refresh_from_db()
    assert own.mass_kg == Decimal("3.5")


def test_a_provider_operator_edits_its_own_fleet_but_not_anothers(demo, client, settings):
    mine = MobilePlatform.objects.get(name="ExPace TEL-01")
    theirs = MobilePlatform.objects.filter(provider__slug="landspace").first()
    login(client, settings, "expace-ops")
    page = client.get(reverse("admin:vehicles_mobileplatform_change", args=[mine.pk]))
    data = form_data(page)
    data["setup_hours"] = "7.5"
    assert (
        client.post(reverse("admin:vehicles_mobileplatform_change", args=[mine.pk]), data).status_code == 302
    )
    mine.refresh_from_db()
    assert mine.setup_hours == Decimal("7.5")
    assert Event.objects.get(verb="admin.mobileplatform.changed").after == {"setup_hours": "7.5"}
    assert client.get(reverse("admin:vehicles_mobileplatform_change", args=[theirs.pk])).status_code == 302


# --- every admin edit writes an Event -----------------------------------------------------------


def _whole_second():
    """A due time the admin's split date/time widgets show exactly (they drop microseconds)."""
    return (timezone.now() + timedelta(days=60)).replace(microsecond=0)


def _edit(client, url: str, **changes):
    data = form_data(client.get(url))
    data.update(changes)
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context and answer.context["adminform"].form.errors
    return answer


def test_admin_edits_of_contracts_milestones_screening_vehicles_and_platforms_write_events(
    demo, client, settings
):
    login(client, settings, "operator")
    contract = Contract.objects.get(reference="GOM-EXP-2018")
    milestone = PaymentMilestoneFactory(contract=contract, label="Deposit", due_at=_whole_second())
    gomspace = Customer.objects.get(slug="gomspace")
    vehicle = Vehicle.objects.filter(vehicle_model__provider__slug="expace").first()
    Vehicle.objects.filter(pk=vehicle.pk).update(ready_since=_whole_second())
    platform = MobilePlatform.objects.get(name="ExPace TEL-01")

    _edit(client, reverse("admin:customers_contract_change", args=[contract.pk]), value="3300000.00")
    _edit(
        client,
        reverse("admin:customers_paymentmilestone_change", args=[milestone.pk]),
        label="Second deposit",
    )
    _edit(client, reverse("admin:customers_customer_change", args=[gomspace.pk]), export_screening="refused")
    other_status = next(v for v, _ in Vehicle.Status.choices if v != vehicle.status)
    _edit(client, reverse("admin:vehicles_vehicle_change", args=[vehicle.pk]), status=other_status)
    platform_status = next(
        v for v, _ in MobilePlatform._meta.get_field("status").choices if v != platform.status
    )
    _edit(client, reverse("admin:vehicles_mobileplatform_change", args=[platform.pk]), status=platform_status)

    def event(verb, pk):
        return Event.objects.get(verb=verb, subject_id=pk)

    e = event("admin.contract.changed", contract.pk)
    assert (Decimal(e.before["value"]), Decimal(e.after["value"])) == (
        Decimal("3200000.00"),
        Decimal("3300000.00"),
    )
    assert e.actor.username == "operator" and e.customer == gomspace and e.provider.slug == "expace"
    assert event("admin.paymentmilestone.changed", milestone.pk).after == {"label": "Second deposit"}
    e = event("admin.customer.changed", gomspace.pk)
    assert (e.before, e.after) == ({"export_screening": "cleared"}, {"export_screening": "refused"})
    assert event("admin.vehicle.changed", vehicle.pk).after == {"status": other_status}
    assert event("admin.mobileplatform.changed", platform.pk).after == {"status": platform_status}
    assert Event.objects.get(verb="admin.contract.changed").message.startswith("Contract GOM-EXP-2018")

    # A save that changes nothing writes nothing; a delete is logged with the row as it was.
    _edit(client, reverse("admin:customers_contract_change", args=[contract.pk]))
    assert Event.objects.filter(verb="admin.contract.changed").count() == 1
    closure = SiteClosure.objects.create(
        site=LaunchSite.objects.get(code="JSLC"),
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=2),
        reason="range test",
    )
    client.post(reverse("admin:vehicles_siteclosure_delete", args=[closure.pk]), {"post": "yes"})
    gone = Event.objects.get(verb="admin.siteclosure.deleted", subject_id=closure.pk)
    assert gone.before["reason"] == "range test" and gone.after == {}


def test_an_inline_edit_writes_an_event_per_row(demo, client, settings):
    login(client, settings, "operator")
    contract = Contract.objects.get(reference="GOM-EXP-2018")
    milestone = PaymentMilestoneFactory(contract=contract, label="Deposit", due_at=_whole_second())
    url = reverse("admin:customers_contract_change", args=[contract.pk])
    data = form_data(client.get(url))
    [prefix] = {k.split("-")[0] for k in data if k.endswith("-TOTAL_FORMS")}
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-id") and v == str(milestone.pk))
    data[f"{prefix}-{index}-label"] = "Deposit, revised"
    assert client.post(url, data).status_code == 302
    assert Event.objects.get(verb="admin.paymentmilestone.changed", subject_id=milestone.pk).after == {
        "label": "Deposit, revised"
    }


def test_a_payload_edit_in_the_admin_goes_through_the_payload_service(demo, client, settings):
    payload = Payload.objects.get(name="GOMX-5A")
    login(client, settings, "operator")
    url = reverse("admin:customers_payload_change", args=[payload.pk])
    _edit(client, url, hazards="Lithium batteries")
    event = Event.objects.get(verb="payload.updated", subject_id=payload.pk)
    assert event.after == {"hazards": "Lithium batteries"} and event.customer == payload.customer
    assert not Event.objects.filter(verb="admin.payload.changed").exists()  # the service wrote it

    BookingFactory(
        customer=payload.customer,
        payload=payload,
        launch=Launch.objects.get(name__startswith="Kuaizhou-1A"),
        status=Booking.Status.CONFIRMED,
    )
    mass = payload.mass_kg
    data = form_data(client.get(url))
    data["mass_kg"] = "5000"
    answer = client.post(url, data, follow=True)
    payload.refresh_from_db()
    assert payload.mass_kg == mass
    assert any("its mass and orbit cannot change while booked" in m for m in messages_of(answer))


# --- capacity curves ----------------------------------------------------------------------------


@pytest.fixture
def kz1a_carrying_45_kg(demo):
    launch = Launch.objects.get(name__startswith="Kuaizhou-1A")
    gomspace = Customer.objects.get(slug="gomspace")
    BookingFactory(
        customer=gomspace,
        payload=Payload.objects.get(name="GOMX-5A"),
        launch=launch,
        status=Booking.Status.CONFIRMED,
        mass_kg=Decimal("45.0"),
    )
    return launch


def _low_curve(model: VehicleModel) -> list[tuple[str, int, Decimal]]:
    return [
        (p.orbit_family, p.altitude_km, Decimal("10.0") if p.orbit_family == "SSO" else p.capacity_kg)
        for p in CapacityPoint.objects.filter(vehicle_model=model)
    ]


def test_a_capacity_curve_below_what_is_booked_is_refused_with_the_launch_and_figures(kz1a_carrying_45_kg):
    launch = kz1a_carrying_45_kg
    day = launch.window_start
    expected = (
        f"Kuaizhou-1A KZ1A-Y7 · SSO 500 km on {day.day} {day:%b} carries 45 kg; "
        "this curve would give it 10 kg"
    )
    model = launch.vehicle_model
    refusal = capacity_curve_refusal(vehicle_model=model, points=_low_curve(model))
    assert refusal is not None and refusal.startswith(expected)
    with pytest.raises(Conflict) as refused:
        capacity_curve_replace(vehicle_model=model, points=_low_curve(model), actor=None)
    assert refused.value.message.startswith(expected)
    assert (
        CapacityPoint.objects.get(vehicle_model=model, orbit_family="SSO", altitude_km=500).capacity_kg == 230
    )


def test_the_admin_refuses_to_lower_a_curve_below_a_launchs_bookings(kz1a_carrying_45_kg, client, settings):
    launch = kz1a_carrying_45_kg
    model = launch.vehicle_model
    login(client, settings, "expace-ops")
    url = reverse("admin:vehicles_vehiclemodel_change", args=[model.pk])
    data = form_data(client.get(url))
    for key, value in list(data.items()):
        if key.endswith("-orbit_family") and value == "SSO":
            data[key.replace("-orbit_family", "-capacity_kg")] = "10.0"
    answer = client.post(url, data)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "carries 45 kg; this curve would give it 10 kg" in page
    assert (
        CapacityPoint.objects.get(vehicle_model=model, orbit_family="SSO", altitude_km=500).capacity_kg == 230
    )
    assert launch_remaining_capacity_kg(launch=launch) == Decimal("185.0")  # 230 kg less 45 booked

    # Raising the curve is fine, goes through the service and is recorded.
    for key, value in list(data.items()):
        if key.endswith("-capacity_kg") and value == "10.0":
            data[key] = "320.0"
    assert client.post(url, data).status_code == 302
    assert (
        CapacityPoint.objects.get(vehicle_model=model, orbit_family="SSO", altitude_km=500).capacity_kg == 320
    )
    event = Event.objects.get(verb="vehicle_model.capacity_changed", subject_id=model.pk)
    assert event.actor.username == "expace-ops"
    assert ["SSO", 500, "320.0", "at 97.40°"] in event.after["capacity_points"]


def test_the_provider_records_a_part_payment_on_an_invoice_in_the_admin(demo, client, settings):
    invoice = Invoice.objects.get(milestone__label="Launch campaign support")  # the demo's, 80,000 USD due
    login(client, settings, "expace-ops")
    change = client.get(reverse("admin:booking_invoice_change", args=[invoice.pk]))
    assert change.status_code == 200
    record = reverse("admin:booking_invoice_record_payment", args=[invoice.pk])
    assert record in change.content.decode()
    assert (
        client.get(reverse("admin:booking_invoice_pdf", args=[invoice.pk]))["Content-Type"]
        == "application/pdf"
    )

    too_much = client.post(record, {"amount": "90000.00", "paid_on": timezone.localdate().isoformat()})
    assert "more than the 80,000.00 USD left to pay" in too_much.content.decode()
    answer = client.post(
        record,
        {"amount": "30000.00", "paid_on": timezone.localdate().isoformat(), "reference": "SWIFT 77"},
        follow=True,
    )
    [message] = messages_of(answer)
    payment = invoice.payments.get()
    assert message == f"30,000.00 USD recorded against {invoice.number}: receipt {payment.receipt_number}."
    assert payment.reference == "SWIFT 77" and payment.recorded_by.username == "expace-ops"
    receipt = client.get(reverse("admin:booking_invoice_receipt", args=[invoice.pk, payment.pk]))
    assert payment.receipt_number.encode() in receipt.content

    # Another provider's operator does not reach it.
    login(client, settings, "landspace-ops")
    assert client.get(record).status_code == 404
