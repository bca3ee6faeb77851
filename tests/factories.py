"""factory_boy factories for the booking side (launches, bookings, prices, reservations, webhooks)
and the small worlds tests build from them.

The supply side's factories live in ``tests.vehicles.factories`` and the demand side's in
``tests.customers.factories``; they are importable from here too.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import Q
from django.utils import timezone

from booking.models import Booking, Launch, LaunchPort, WebhookEndpoint
from tests.customers.factories import (
    ContractFactory,
    CustomerFactory,
    DocumentFactory,
    MembershipFactory,
    PayloadFactory,
    PaymentMilestoneFactory,
    UserFactory,
)
from tests.vehicles.factories import (
    LaunchSiteFactory,
    MobilePlatformFactory,
    PadFactory,
    ProviderFactory,
    SiteClosureFactory,
    VehicleFactory,
    VehicleModelFactory,
)

__all__ = [
    "cubesat_3u_port",
    "AddOnServiceFactory",
    "BookingFactory",
    "ContractFactory",
    "CustomerFactory",
    "DedicatedPriceFactory",
    "DocumentFactory",
    "ExchangeRateFactory",
    "LaunchFactory",
    "LaunchSiteFactory",
    "MembershipFactory",
    "MobilePlatformFactory",
    "PadFactory",
    "PayloadFactory",
    "PaymentMilestoneFactory",
    "PlatformReservationFactory",
    "ProviderFactory",
    "RideshareRateFactory",
    "SiteClosureFactory",
    "UserFactory",
    "VehicleFactory",
    "VehicleModelFactory",
    "WebhookEndpointFactory",
    "engine_world",
    "members_world",
    "portal_readiness_plan",
    "readiness_templates",
    "schedule_world",
]


class LaunchFactory(factory.django.DjangoModelFactory[Launch]):
    class Meta:
        model = Launch

    name = factory.Sequence(lambda n: f"Launch {n}")
    vehicle_model = factory.SubFactory(VehicleModelFactory)
    provider = factory.SelfAttribute("vehicle_model.provider")
    site = factory.SubFactory(LaunchSiteFactory)
    orbit_family = "SSO"
    altitude_km = 500
    inclination_deg = Decimal("97.40")
    window_start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=10))
    window_end = factory.LazyAttribute(lambda launch: launch.window_start + timedelta(hours=2))
    net = factory.SelfAttribute("window_start")
    status = Launch.Status.SCHEDULED


class BookingFactory(factory.django.DjangoModelFactory[Booking]):
    class Meta:
        model = Booking

    reference = factory.Sequence(lambda n: f"LB-T{n:05d}")
    customer = factory.SubFactory(CustomerFactory)
    payload = factory.SubFactory(PayloadFactory, customer=factory.SelfAttribute("..customer"))
    launch = factory.SubFactory(LaunchFactory)
    status = Booking.Status.CONFIRMED
    price = Decimal("90000.00")
    currency = "USD"
    mass_kg = factory.LazyAttribute(lambda b: b.payload.mass_kg + Decimal("5.0"))


# --- engine (booking engine: pricing, quotes) -------------------------------------------------

from booking.models import AddOnService, DedicatedPrice, ExchangeRate, RideshareRate  # noqa: E402


class ExchangeRateFactory(factory.django.DjangoModelFactory[ExchangeRate]):
    class Meta:
        model = ExchangeRate
        django_get_or_create = ["currency"]

    currency = "CNY"
    units_per_usd = Decimal("6.48")


class RideshareRateFactory(factory.django.DjangoModelFactory[RideshareRate]):
    class Meta:
        model = RideshareRate
        django_get_or_create = ["provider", "orbit_family"]

    provider = factory.SubFactory(ProviderFactory)
    orbit_family = "SSO"
    price_per_kg = Decimal("10000.00")
    minimum_charge = Decimal("50000.00")
    currency = "USD"


class DedicatedPriceFactory(factory.django.DjangoModelFactory[DedicatedPrice]):
    class Meta:
        model = DedicatedPrice
        django_get_or_create = ["vehicle_model"]

    vehicle_model = factory.SubFactory(VehicleModelFactory)
    price = Decimal("6000000.00")
    currency = "USD"


class AddOnServiceFactory(factory.django.DjangoModelFactory[AddOnService]):
    class Meta:
        model = AddOnService
        django_get_or_create = ["provider", "kind"]

    provider = factory.SubFactory(ProviderFactory)
    kind = AddOnService.Kind.MISSION_CONTROL
    name = factory.LazyAttribute(lambda s: AddOnService.Kind(s.kind).label)
    flat_price = Decimal("100000.00")
    percent_of_declared_value = None
    currency = "USD"


def cubesat_3u_port(launch: Launch, *, count: int) -> LaunchPort:
    """A launch's 3U CubeSat dispenser port: ``count`` slots of 6 kg, 10 × 10 × 34.05 cm each."""
    return LaunchPort.objects.create(
        launch=launch,
        kind="cubesat_3u",
        count=count,
        max_mass_kg=Decimal("6.00"),
        envelope_length_m=Decimal("0.100"),
        envelope_width_m=Decimal("0.100"),
        envelope_height_m=Decimal("0.3405"),
    )


def engine_world(*, now=None, shipped_minimums=False):
    """A small priced world: ExPace flies a Kuaizhou-1A (300 kg to SSO 500 km) from Jiuquan.

    Answers a namespace with provider, vehicle_model, site, vehicle, launch (rideshare to SSO 500 km,
    97.40°, NET in 10 days), customer, payload (95 kg to SSO 500 km), contract, user, and the rates:
    10,000 USD/kg to SSO with a 50,000 USD minimum, a 6,000,000 USD dedicated launch, 6.48 CNY and
    0.92 EUR per USD, insurance at 5 % of the declared value, mission control 100,000 USD flat and
    IT support 64,800 CNY flat.
    """
    from types import SimpleNamespace

    now = now or timezone.now()
    provider = ProviderFactory(
        name="CASIC Rocket Technology Co. (ExPace)",
        short_name="ExPace",
        slug="expace",
        rebooking_fee_percent=Decimal("10.00"),
        express_premium_percent=Decimal("50.00"),
    )
    vehicle_model = VehicleModelFactory(provider=provider, name="Kuaizhou-1A", slug="kuaizhou-1a")
    site = LaunchSiteFactory(
        name="Jiuquan", code="JSLC", latitude=Decimal("40.96"), longitude=Decimal("100.29")
    )
    vehicle = VehicleFactory(vehicle_model=vehicle_model, serial="KZ1A-Y7", storage_site=site)
    launch = LaunchFactory(
        name="Kuaizhou-1A · SSO 500 rideshare",
        vehicle_model=vehicle_model,
        vehicle=vehicle,
        site=site,
        window_start=now.replace(microsecond=0) + timedelta(days=10),
    )
    customer = CustomerFactory(name="Gomspace", slug="gomspace")
    payload = PayloadFactory(customer=customer, name="GOMX-5A", mass_kg=Decimal("95.0"))
    contract = ContractFactory(
        customer=customer,
        provider=provider,
        reference="GOM-EXP-2018",
        launches_committed=2,
        deposit_percent=Decimal("30.00"),
        balance_due_days_before_launch=7,
    )
    ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
    ExchangeRateFactory(currency="CNY", units_per_usd=Decimal("6.48"))
    ExchangeRateFactory(currency="EUR", units_per_usd=Decimal("0.92"))
    RideshareRateFactory(provider=provider, orbit_family="SSO")
    DedicatedPriceFactory(vehicle_model=vehicle_model)
    AddOnServiceFactory(
        provider=provider,
        kind=AddOnService.Kind.INSURANCE,
        name="Launch insurance",
        flat_price=None,
        percent_of_declared_value=Decimal("5.00"),
    )
    AddOnServiceFactory(provider=provider, kind=AddOnService.Kind.MISSION_CONTROL, name="Mission control")
    AddOnServiceFactory(
        provider=provider,
        kind=AddOnService.Kind.IT_SUPPORT,
        name="IT support",
        flat_price=Decimal("64800.00"),
        currency="CNY",
    )
    user = UserFactory(username="gomspace-engineer")
    if not shipped_minimums:
        campaign_minimums_set()
    return SimpleNamespace(
        provider=provider,
        vehicle_model=vehicle_model,
        site=site,
        vehicle=vehicle,
        launch=launch,
        customer=customer,
        payload=payload,
        contract=contract,
        user=user,
        now=now,
    )


def members_world():
    """engine_world, with four members of the customer: ana (admin), mo (mission), fi (finance),
    vi (viewer), each with an address at example.test."""
    w = engine_world()
    roles = {"admin": "ana", "mission": "mo", "finance": "fi", "viewer": "vi"}
    w.members = {
        role: MembershipFactory(customer=w.customer, role=role, user=UserFactory(username=name))
        for role, name in roles.items()
    }
    return w


# --- api ----------------------------------------------------------------------------------------


class WebhookEndpointFactory(factory.django.DjangoModelFactory[WebhookEndpoint]):
    class Meta:
        model = "booking.WebhookEndpoint"

    customer = factory.SubFactory(CustomerFactory)
    url = "http://127.0.0.1:9/hooks"
    secret = factory.Sequence(lambda n: f"{n:064x}")
    event_types = factory.LazyFunction(list)


# --- scheduling --------------------------------------------------------------------------------


def campaign_minimums_set(minutes=0, *, slugs=("standard-campaign", "cargo-mission")):
    """The world's operator has set the campaign templates' minimum step durations (data,
    editable in the admin) to ``minutes``: the schedule tests' launches days ahead then fit the
    readiness work. Tests of the shipped minimums (a campaign three days out is refused) use
    worlds without this."""
    from booking.models import TemplateStep

    readiness_templates()
    TemplateStep.objects.filter(template__slug__in=slugs).update(min_duration_minutes=minutes)


def schedule_world(*, provider=None, shipped_minimums=False):
    """Three real sites, an ExPace-like provider with two TELs at Jiuquan, a Kuaizhou-1A-like model
    with three rockets in ready storage, and a pad at Taiyuan. Returns a plain namespace."""
    from types import SimpleNamespace

    provider = provider or ProviderFactory(name="ExPace", short_name="ExPace", slug="expace-t")
    jiuquan = LaunchSiteFactory(
        name="Jiuquan", code="JSLC", latitude=Decimal("40.96"), longitude=Decimal("100.29")
    )
    taiyuan = LaunchSiteFactory(
        name="Taiyuan", code="TSLC", latitude=Decimal("38.85"), longitude=Decimal("111.61")
    )
    wenchang = LaunchSiteFactory(
        name="Wenchang", code="WSLC", latitude=Decimal("19.61"), longitude=Decimal("110.95")
    )
    model = VehicleModelFactory(provider=provider, name="Kuaizhou-1A", slug="kuaizhou-1a")
    rockets = [
        VehicleFactory(
            vehicle_model=model,
            serial=f"KZ1A-Y{n}",
            storage_site=jiuquan,
            ready_since=timezone.now() - timedelta(days=40 - n),
        )
        for n in (7, 8, 9)
    ]
    tel1 = MobilePlatformFactory(provider=provider, name="TEL-01", home_site=jiuquan)
    tel2 = MobilePlatformFactory(provider=provider, name="TEL-02", home_site=jiuquan)
    pad_model = VehicleModelFactory(
        provider=provider, name="Long March 6", slug="long-march-6", mobile_launch=False
    )
    pad_rockets = [
        VehicleFactory(vehicle_model=pad_model, serial=f"CZ6-Y{n}", storage_site=taiyuan) for n in (5, 6)
    ]
    pad = PadFactory(site=taiyuan, name="LC-16", turnaround_hours=Decimal("72.0"))
    if not shipped_minimums:
        campaign_minimums_set()
    return SimpleNamespace(
        provider=provider,
        jiuquan=jiuquan,
        taiyuan=taiyuan,
        wenchang=wenchang,
        model=model,
        rockets=rockets,
        tel1=tel1,
        tel2=tel2,
        pad_model=pad_model,
        pad_rockets=pad_rockets,
        pad=pad,
    )


def range_launch_point(world, *, road_hours=Decimal("2.5")):
    """Add a second launch point on the Jiuquan range to a ``schedule_world``: "Jiuquan North",
    80 km north of the technical area, with a TEL road leg each way of ``road_hours`` (the
    rockets' journey and the trucks' drive; ``None``: no leg, the trucks' drive is estimated from
    the distance). A site of its own, so its range flies apart from Jiuquan's. Answers the site."""
    from vehicles.models import Route

    north = LaunchSiteFactory(
        name="Jiuquan North", code="JSLC-N", latitude=Decimal("41.68"), longitude=Decimal("100.29")
    )
    if road_hours is not None:
        for origin, destination in ((world.jiuquan, north), (north, world.jiuquan)):
            Route.objects.create(
                origin=origin, destination=destination, mode=Route.Mode.ROAD, transit_hours=road_hours
            )
    world.north = north
    return north


# --- readiness ---------------------------------------------------------------------------------
# (imports kept here so this block merges cleanly with other areas' additions)
from booking.models import Reservation  # noqa: E402


def readiness_templates():
    """Install the shipped readiness templates (a transactional test's flush removes them)."""
    from booking.models import ReadinessTemplate, TemplateStep
    from booking.readiness_templates import install_readiness_templates

    install_readiness_templates(ReadinessTemplate, TemplateStep)
    return {template.slug: template for template in ReadinessTemplate.objects.all()}


class PlatformReservationFactory(factory.django.DjangoModelFactory[Reservation]):
    """A mobile platform's claim for a launch, arriving ``arrive_before`` ahead of the window."""

    class Meta:
        model = Reservation
        exclude = ["arrive_before"]

    launch = factory.SubFactory(LaunchFactory)
    platform = factory.SubFactory(MobilePlatformFactory)
    pad = None
    site = factory.SelfAttribute("launch.site")
    arrive_before = timedelta(hours=9)
    occupied_from = factory.LazyAttribute(
        lambda r: r.launch.window_start - r.arrive_before - timedelta(hours=10)
    )
    arrive_at = factory.LazyAttribute(lambda r: r.launch.window_start - r.arrive_before)
    ready_at = factory.LazyAttribute(lambda r: r.launch.window_start - timedelta(hours=1))
    occupied_until = factory.LazyAttribute(lambda r: r.launch.window_end + timedelta(hours=4))


# --- portal ----------------------------------------------------------------------------------


def portal_readiness_plan(launch, steps):
    """A readiness plan on ``launch`` with ``steps``: (code, name, offset_minutes, status) tuples.

    Built from rows directly so portal tests do not depend on the readiness services.
    """
    from booking.models import OwnerRole, PlanStep, ReadinessPlan, ReadinessTemplate

    template, _ = ReadinessTemplate.objects.get_or_create(
        slug="portal-test", defaults={"name": "Standard campaign (test)"}
    )
    plan = ReadinessPlan.objects.create(launch=launch, template=template)
    for position, (code, name, offset, status) in enumerate(steps, start=1):
        PlanStep.objects.create(
            plan=plan,
            position=position,
            code=code,
            name=name,
            owner_role=OwnerRole.OPERATIONS,
            kind="manual",
            offset_minutes=offset,
            due_at=launch.net + timedelta(minutes=offset),
            status=status,
        )
    return plan


def resource_claim(launch, **filters):
    """A launch's claim on its platform or pad (beside it, it holds its rocket and its range)."""
    return Reservation.objects.filter(Q(platform__isnull=False) | Q(pad__isnull=False)).get(
        launch=launch, **filters
    )
