"""factory_boy factories for the whole domain; tests build their world from these."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from booking.models import Booking, Launch
from customers.models import Contract, Customer, Membership, Payload
from vehicles.models import (
    CapacityPoint,
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    SiteClosure,
    Vehicle,
    VehicleModel,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("launchbook-test")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Provider {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")
    country = "CN"
    mobile_launch = True


#: The family every factory model belongs to and every factory pad serves (a test that checks a
#: mismatch names its own families).
TEST_FAMILY = "Test family"


class VehicleModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleModel
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Kuaizhou-T{n}")
    slug = factory.Sequence(lambda n: f"kuaizhou-t{n}")
    mobile_launch = True
    adapter_mass_kg = Decimal("5.0")
    family = TEST_FAMILY
    express_capable = factory.LazyAttribute(lambda vm: vm.mobile_launch)

    @factory.post_generation
    def carried_by(self, create, extracted, **kwargs):
        """The trucks that carry a mobile model: given, or every truck its provider has so far."""
        if not create or not self.mobile_launch:
            return
        platforms = (
            extracted if extracted is not None else MobilePlatform.objects.filter(provider=self.provider)
        )
        for platform in platforms:
            platform.vehicle_models.add(self)

    @factory.post_generation
    def curve(self, create, extracted, **kwargs):
        """``curve={"SSO": [(500, 300), (700, 200)]}``; default: a Kuaizhou-1A-like SSO curve."""
        if not create:
            return
        points = extracted if extracted is not None else {"SSO": [(400, 350), (500, 300), (700, 200)]}
        for family, pairs in points.items():
            for altitude, capacity in pairs:
                CapacityPoint.objects.create(
                    vehicle_model=self,
                    orbit_family=family,
                    altitude_km=altitude,
                    capacity_kg=Decimal(capacity),
                )


class LaunchSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaunchSite
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Site {n}")
    code = factory.Sequence(lambda n: f"S{n}")
    country = "CN"
    latitude = Decimal("40.96")
    longitude = Decimal("100.29")
    time_zone = "Asia/Shanghai"


class PadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pad

    site = factory.SubFactory(LaunchSiteFactory)
    name = factory.Sequence(lambda n: f"LC-{n}")
    turnaround_hours = Decimal("72.0")
    # A test pad is built for the test family, which every factory model belongs to.
    vehicle_families = factory.LazyFunction(lambda: [TEST_FAMILY])


class MobilePlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MobilePlatform
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"TEL-{n:02d}")
    home_site = factory.SubFactory(LaunchSiteFactory)
    road_speed_kmh = Decimal("50.0")
    setup_hours = Decimal("6.0")
    teardown_hours = Decimal("4.0")

    @factory.post_generation
    def carries(self, create, extracted, **kwargs):
        """The models the truck carries: given, or every mobile model its provider has so far."""
        if not create:
            return
        models = (
            extracted
            if extracted is not None
            else VehicleModel.objects.filter(provider=self.provider, mobile_launch=True)
        )
        self.vehicle_models.set(models)


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    vehicle_model = factory.SubFactory(VehicleModelFactory)
    serial = factory.Sequence(lambda n: f"Y{n}")
    status = Vehicle.Status.READY_STORAGE
    storage_site = factory.SubFactory(LaunchSiteFactory)


class SiteClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteClosure

    site = factory.SubFactory(LaunchSiteFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda c: c.starts_at + timedelta(hours=12))
    reason = "Range closed"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    country = "DK"
    export_screening = Customer.ExportScreening.CLEARED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    role = Membership.Role.ADMIN


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    provider = factory.SubFactory(ProviderFactory)
    reference = factory.Sequence(lambda n: f"CT-{n:04d}")
    launches_committed = 10
    value = Decimal("1000000.00")
    currency = "USD"


class PayloadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payload

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"GOMX-T{n}")
    mass_kg = Decimal("3.0")
    orbit_family = "SSO"
    altitude_km = 500
    inclination_deg = None


class LaunchFactory(factory.django.DjangoModelFactory):
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


class BookingFactory(factory.django.DjangoModelFactory):
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


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate
        django_get_or_create = ["currency"]

    currency = "CNY"
    units_per_usd = Decimal("6.48")


class RideshareRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RideshareRate
        django_get_or_create = ["provider", "orbit_family"]

    provider = factory.SubFactory(ProviderFactory)
    orbit_family = "SSO"
    price_per_kg = Decimal("10000.00")
    minimum_charge = Decimal("50000.00")
    currency = "USD"


class DedicatedPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DedicatedPrice
        django_get_or_create = ["vehicle_model"]

    vehicle_model = factory.SubFactory(VehicleModelFactory)
    price = Decimal("6000000.00")
    currency = "USD"


class AddOnServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AddOnService
        django_get_or_create = ["provider", "kind"]

    provider = factory.SubFactory(ProviderFactory)
    kind = AddOnService.Kind.MISSION_CONTROL
    name = factory.LazyAttribute(lambda s: AddOnService.Kind(s.kind).label)
    flat_price = Decimal("100000.00")
    percent_of_declared_value = None
    currency = "USD"


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


# --- api ----------------------------------------------------------------------------------------


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "booking.WebhookEndpoint"

    customer = factory.SubFactory(CustomerFactory)
    url = "http://127.0.0.1:9/hooks"
    secret = factory.Sequence(lambda n: f"{n:064x}")
    event_types = factory.LazyFunction(list)


# --- scheduling (issue 4) ---------------------------------------------------------------------


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


# --- readiness ---------------------------------------------------------------------------------
# (imports kept here so this block merges cleanly with other areas' additions)
from booking.models import Reservation  # noqa: E402
from customers.models import Document, PaymentMilestone  # noqa: E402


def readiness_templates():
    """Install the shipped readiness templates (a transactional test's flush removes them)."""
    from booking.models import ReadinessTemplate, TemplateStep
    from booking.readiness_templates import install_readiness_templates

    install_readiness_templates(ReadinessTemplate, TemplateStep)
    return {template.slug: template for template in ReadinessTemplate.objects.all()}


class PlatformReservationFactory(factory.django.DjangoModelFactory):
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


class PaymentMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMilestone

    contract = factory.SubFactory(ContractFactory)
    label = "Deposit"
    reference = ""
    amount = Decimal("27000.00")
    currency = "USD"
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    paid_at = None


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    customer = factory.SubFactory(CustomerFactory)
    payload = factory.SubFactory(PayloadFactory, customer=factory.SelfAttribute("..customer"))
    kind = Document.Kind.ICD
    file = factory.django.FileField(filename="icd.pdf", data=b"%PDF-1.4 test")
    status = Document.Status.APPROVED


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
