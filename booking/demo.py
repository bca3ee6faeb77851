"""The demo catalog: providers, rockets, sites, platforms, customers, launches and accounts.

Figures come from the seed articles and public reference values; docs/catalog.md lists each one
with its source, and which figures are demo assumptions. Loading is idempotent: rows are found by their natural keys and brought back to these values.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from booking.errors import ServiceError
from booking.models import (
    AddOnService,
    DedicatedPrice,
    DedicatedRequest,
    ExchangeRate,
    Launch,
    LaunchPort,
    PlanStep,
    RideshareRate,
    StandbyEntry,
)
from booking.rules.local_time import local_time_parse
from booking.rules.orbit import measured_inclination_deg
from booking.selectors.local_time import daily_launch_time
from booking.selectors.planner import plan_launch
from booking.services.dedicated import dedicated_request_create
from booking.services.invoices import invoice_issue, payment_record
from booking.services.payloads import document_review, document_upload
from booking.services.readiness import step_complete, template_for
from booking.services.scheduling import launch_schedule
from booking.services.standby import standby_join, standby_offers_make
from booking.workflows.dedicated import dedicated_request_schedule
from customers.models import (
    CargoItem,
    CargoProgramme,
    Contract,
    Customer,
    Document,
    Membership,
    Payload,
    PaymentMilestone,
)
from customers.programmes import install_cargo_programmes
from vehicles.models import (
    Adapter,
    CancellationTier,
    CapacityPoint,
    LaunchCorridor,
    LaunchSite,
    MobilePlatform,
    Pad,
    Provider,
    ProviderOperator,
    Route,
    RouteMode,
    Vehicle,
    VehicleModel,
)
from vehicles.selectors import ALL_PROVIDERS_GROUP

OPERATORS_GROUP = "Operators"

PROVIDERS = [
    # name, short name, slug, country, mobile launch, rebooking fee %
    ("CASIC Rocket Technology Co. (ExPace)", "ExPace", "expace", "CN", True, "10.00"),
    ("Landspace", "Landspace", "landspace", "CN", True, "12.00"),
    ("Galactic Energy", "Galactic Energy", "galactic-energy", "CN", True, "8.00"),
    ("China Great Wall Industry Corporation", "CGWIC", "cgwic", "CN", False, "15.00"),
]

#: Cancellation fee tiers per provider: (days before launch, fee % of the price). Demo
#: assumptions (no provider publishes its terms): docs/catalog.md, "Cancellation and rebooking".
CANCELLATION_TIERS = {
    "expace": [(180, "10.00"), (90, "30.00"), (30, "60.00"), (0, "100.00")],
    "landspace": [(180, "15.00"), (90, "35.00"), (30, "65.00"), (0, "100.00")],
    "galactic-energy": [(120, "10.00"), (60, "40.00"), (14, "75.00"), (0, "100.00")],
    "cgwic": [(365, "5.00"), (180, "20.00"), (60, "50.00"), (0, "100.00")],
}

SITES = [
    # name, code, lat, lon, {pad: vehicle families it serves}
    (
        "Jiuquan",
        "JSLC",
        "40.96",
        "100.29",
        {"LC-43/94": ["Long March 2"], "LC-43/95": ["Long March 2", "Long March 4"]},
    ),
    (
        "Taiyuan",
        "TSLC",
        "38.85",
        "111.61",
        {"LC-9": ["Long March 2", "Long March 4"], "LC-16": ["Long March 6"]},
    ),
    ("Xichang", "XSLC", "28.25", "102.03", {"LC-2": ["Long March 3"], "LC-3": ["Long March 3"]}),
    (
        "Wenchang",
        "WSLC",
        "19.61",
        "110.95",
        {"LC-101": ["Long March 5"], "LC-201": ["Long March 7", "Long March 8"]},
    ),
]

CORRIDORS = [
    # site code, inertial azimuth from, to (clockwise), what flies it, source (docs/catalog.md)
    (
        "JSLC",
        "90.0",
        "195.0",
        "due east to south-southwest: crewed and station flights at 41.5-42.8°, SSO southward at 97-98°",
        "demo assumption from flown orbits: Shenzhou/Tiangong 41.5-42.8°, Kuaizhou-1A SSO 97.5° arcing "
        "south (Spaceflight Now, 27 Sep 2021)",
    ),
    (
        "TSLC",
        "165.0",
        "200.0",
        "south: polar and sun-synchronous orbits only",
        "demo assumption from flown orbits: Taiyuan flies polar and SSO (Long March 6, 700 km SSO; "
        "NASASpaceflight, Nov 2019)",
    ),
    (
        "XSLC",
        "90.0",
        "145.0",
        "east to southeast: GTO at 28.5°, navigation satellites at 55°",
        "demo assumption from flown orbits: Long March 3B GTO 28.5°, BeiDou MEO/IGSO 55°",
    ),
    (
        "WSLC",
        "90.0",
        "190.0",
        "east over the sea to south: GTO at 19.5°, station cargo at 41.5°, SSO southward",
        "demo assumption from flown orbits: Long March 5 GTO 19.5°, Tianzhou 41.5°, Long March 8 SSO "
        "(Dec 2020)",
    ),
]

ROUTES = [
    # origin, destination, mode, hours, note (both directions for rail and sea)
    ("JSLC", "JSLC", "road", "3.0", "TEL from the technical area to the mobile launch point"),
    ("TSLC", "TSLC", "road", "2.0", "TEL from the technical area to the mobile launch point"),
    ("JSLC", "TSLC", "rail", "72.0", "rail between launch centres"),
    ("JSLC", "XSLC", "rail", "72.0", "rail between launch centres"),
    ("TSLC", "XSLC", "rail", "60.0", "rail between launch centres"),
    (
        "JSLC",
        "WSLC",
        "sea",
        "216.0",
        "rail to Tianjin (3 days), then by rocket carrier to Qinglan port (6 days)",
    ),
    (
        "TSLC",
        "WSLC",
        "sea",
        "168.0",
        "rail to Tianjin (1 day), then by rocket carrier to Qinglan port (6 days)",
    ),
    (
        "XSLC",
        "WSLC",
        "sea",
        "120.0",
        "rail to Zhanjiang (3 days), then across the Qiongzhou Strait and by road (2 days)",
    ),
]


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    name: str
    stages: int
    propellant: str
    height_m: str | None
    diameter_m: str | None
    liftoff_mass_t: str | None
    mobile: bool
    active: bool
    curve: dict[str, list[tuple[int, int]]]
    description: str = ""
    family: str = ""
    express: bool = False
    min_pad_campaign_hours: str = "0.0"
    envelope: tuple[str, str] | None = None  # usable fairing envelope, diameter × height in m


VEHICLE_MODELS = [
    ModelSpec(
        "expace",
        "Kaituozhe-1",
        4,
        "mixed",
        "13.60",
        "1.40",
        None,
        False,
        False,
        {"SSO": [(400, 50)]},
        "Modified DF-21: three solid stages and a liquid upper stage. Flew 2002 and 2003 from Taiyuan; both failed.",
        family="Kaituozhe",
    ),
    ModelSpec(
        "expace",
        "Kuaizhou-1",
        4,
        "mixed",
        "18.00",
        "1.70",
        "32.00",
        True,
        False,
        {"SSO": [(300, 470), (400, 430), (500, 380), (700, 280)], "LEO": [(200, 550), (400, 480)]},
        "Kaituozhe-2 lineage: three solid stages, upper stage integrated with its own satellite, launched "
        "from a TEL. Flew 2013 and 2014 with CASIC's own satellites: not a third-party launcher.",
        family="Kuaizhou",
    ),
    ModelSpec(
        "expace",
        "Kuaizhou-1A",
        4,
        "mixed",
        "19.40",
        "1.40",
        "30.00",
        True,
        True,
        {"SSO": [(400, 250), (500, 230), (700, 200)], "LEO": [(200, 300), (500, 260)]},
        "Three solid stages and a liquid upper stage, flown from mobile platforms within 24 hours of an order.",
        family="Kuaizhou",
        express=True,
        min_pad_campaign_hours="6.0",
        envelope=("1.30", "1.60"),
    ),
    ModelSpec(
        "expace",
        "Kuaizhou-11",
        4,
        "mixed",
        "25.00",
        "2.20",
        "78.00",
        True,
        True,
        {"SSO": [(500, 1200), (700, 1000)], "LEO": [(200, 1500), (400, 1400)]},
        family="Kuaizhou",
        express=True,
        min_pad_campaign_hours="8.0",
        envelope=("2.40", "3.00"),
    ),
    ModelSpec(
        "landspace",
        "Zhuque-1",
        3,
        "solid",
        "19.00",
        "1.35",
        "27.00",
        True,
        False,
        {"SSO": [(300, 350), (500, 300)], "LEO": [(200, 400)]},
        "Landspace's three-stage solid rocket: one flight, 27 Oct 2018, lost in the third stage. Retired.",
        family="Zhuque",
    ),
    ModelSpec(
        "galactic-energy",
        "Ceres-1",
        4,
        "mixed",
        "19.00",
        "1.40",
        "33.00",
        True,
        True,
        {"SSO": [(500, 300), (700, 230)], "LEO": [(200, 400), (500, 330)]},
        "Three solid stages and a liquid upper stage, launched from a transporter-erector-launcher.",
        family="Ceres",
        min_pad_campaign_hours="24.0",
        envelope=("1.45", "1.80"),
    ),
    ModelSpec(
        "cgwic",
        "Long March 6",
        3,
        "liquid",
        "29.00",
        "3.35",
        "103.00",
        False,
        True,
        {"SSO": [(500, 1200), (700, 1080)], "LEO": [(200, 1500)]},
        "Liquid oxygen and kerosene; first flight put 20 satellites in orbit. Flies from Taiyuan LC-16.",
        family="Long March 6",
        min_pad_campaign_hours="240.0",
        envelope=("2.00", "3.30"),
    ),
]

PLATFORMS = [
    # provider, name, home site code, road speed, set-up hours, tear-down hours, vehicle models carried
    ("expace", "ExPace TEL-01", "JSLC", "50.0", "6.0", "4.0", ["Kuaizhou-1A"]),
    ("expace", "ExPace TEL-02", "JSLC", "50.0", "6.0", "4.0", ["Kuaizhou-1A"]),
    ("expace", "ExPace TEL-03", "TSLC", "45.0", "6.0", "4.0", ["Kuaizhou-11"]),
    # Kuaizhou-11 has flown from Jiuquan since its first flight (docs/catalog.md): a truck there too.
    ("expace", "ExPace TEL-04", "JSLC", "45.0", "6.0", "4.0", ["Kuaizhou-11"]),
    ("landspace", "Landspace TEL-A", "JSLC", "45.0", "8.0", "5.0", ["Zhuque-1"]),
    ("landspace", "Landspace TEL-B", "TSLC", "45.0", "8.0", "5.0", ["Zhuque-1"]),
    ("galactic-energy", "Galactic Energy TEL-1", "JSLC", "40.0", "8.0", "5.0", ["Ceres-1"]),
    ("galactic-energy", "Galactic Energy TEL-2", "JSLC", "40.0", "8.0", "5.0", ["Ceres-1"]),
]

VEHICLES = [
    # model, serials, storage site code
    ("Kuaizhou-1", ["KZ1-Y3"], "JSLC"),
    ("Kuaizhou-1A", ["KZ1A-Y7", "KZ1A-Y8", "KZ1A-Y9", "KZ1A-Y10", "KZ1A-Y11"], "JSLC"),
    ("Kuaizhou-11", ["KZ11-Y2", "KZ11-Y3", "KZ11-Y4"], "TSLC"),
    ("Zhuque-1", ["ZQ1-Y2", "ZQ1-Y3"], "JSLC"),
    ("Ceres-1", ["CERES1-Y5", "CERES1-Y6", "CERES1-Y7"], "JSLC"),
    ("Long March 6", ["CZ6-Y5", "CZ6-Y6"], "TSLC"),
]

CUSTOMERS = [
    # name, slug, country, time zone, username
    ("Gomspace", "gomspace", "DK", "Europe/Copenhagen", "gomspace"),
    ("InterSpace Explore", "interspace", "CN", "Asia/Shanghai", "interspace"),
    ("Jilin (Chang Guang Satellite)", "jilin", "CN", "Asia/Shanghai", "jilin"),
    ("CMSA", "cmsa", "CN", "Asia/Shanghai", "cmsa"),
]

CONTRACTS = [
    # customer slug, provider slug, reference, launches, value, currency, deposit %
    ("gomspace", "expace", "GOM-EXP-2018", 2, "3200000.00", "USD", "30.00"),
    ("interspace", "galactic-energy", "ISE-GE-2022", 1, "18000000.00", "CNY", "40.00"),
    ("jilin", "expace", "JL-EXP-KZ10", 10, "450000000.00", "CNY", "20.00"),
    ("cmsa", "cgwic", "CMSA-CARGO-01", 2, "95000000.00", "USD", "25.00"),
    ("gomspace", "landspace", "GOM-LS-2019", 1, "1100000.00", "USD", "30.00"),
    # Demo assumption: CMSA's cargo capsule needs a return capsule, which the demo gives Kuaizhou-11
    # (Long March 6, CMSA's other contract, brings nothing back): one dedicated Kuaizhou-11 flight.
    ("cmsa", "expace", "CMSA-EXP-KZ11", 1, "100000000.00", "CNY", "25.00"),
]

PAYLOADS = [
    # customer slug, name, mass kg, orbit, altitude, inclination (None: SSO), returnable, size m
    ("gomspace", "GOMX-5A", "3.0", "SSO", 500, None, False, ("0.10", "0.10", "0.34")),
    ("gomspace", "GOMX-5B", "3.2", "SSO", 500, None, False, ("0.10", "0.10", "0.34")),
    ("interspace", "Zengzhang-1", "220.0", "LEO", 500, "41.00", True, ("1.00", "1.00", "1.10")),
    ("jilin", "Jilin-1 Video 09", "95.0", "SSO", 500, None, False, ("1.00", "0.80", "1.20")),
    ("jilin", "Jilin-1 Video 10", "95.0", "SSO", 500, None, False, ("1.00", "0.80", "1.20")),
    ("cmsa", "Station cargo capsule", "1200.0", "LEO", 400, "41.50", True, ("1.60", "1.60", "2.20")),
]

# --- ports and adapters (docs/catalog.md) ------------------------------------------------------

#: Port kinds: max payload mass (kg) and box envelope (length, width, height in m). CubeSat slots
#: follow the CubeSat Design Specification Rev. 14.1; ring ports follow the ESPA 15-inch and
#: ESPA Grande 24-inch port limits.
PORT_KINDS = {
    "ring_15in": ("181.00", ("0.610", "0.711", "0.965")),
    "ring_24in": ("318.00", ("1.067", "1.168", "1.422")),
    "cubesat_3u": ("6.00", ("0.100", "0.100", "0.3405")),
    "cubesat_6u": ("12.00", ("0.100", "0.2263", "0.366")),
    "cubesat_12u": ("24.00", ("0.2263", "0.2263", "0.366")),
}

#: Slot fees (USD) added to the seat: demo assumptions. Ring ports are priced by mass alone.
PORT_PRICES = {"cubesat_3u": "15000.00", "cubesat_6u": "25000.00", "cubesat_12u": "40000.00"}

#: Ports per demo rideshare launch (demo assumptions sized to each vehicle's capacity and fairing).
LAUNCH_PORTS = {
    "Kuaizhou-1A · SSO 500 rideshare": {"ring_24in": 1, "cubesat_3u": 4, "cubesat_6u": 2},
    "Ceres-1 · SSO 500 rideshare": {
        "ring_24in": 1,
        "ring_15in": 2,
        "cubesat_3u": 6,
        "cubesat_6u": 2,
        "cubesat_12u": 1,
    },
    "Kuaizhou-11 · SSO 700 rideshare": {"ring_24in": 2, "ring_15in": 4, "cubesat_6u": 4, "cubesat_12u": 2},
    "Long March 6 · SSO 700 rideshare": {
        "ring_24in": 3,
        "ring_15in": 6,
        "cubesat_3u": 8,
        "cubesat_6u": 4,
        "cubesat_12u": 2,
    },
}

ADAPTERS = [
    # name, kind, mass kg, port kinds, source (all global: offered on every provider's launches)
    ("15-inch clamp-band separation system", "separation_system", "4.00", ["ring_15in"], "demo assumption"),
    (
        "15-inch motorised ring separation system",
        "separation_system",
        "2.50",
        ["ring_15in"],
        "demo assumption",
    ),
    ("24-inch clamp-band separation system", "separation_system", "7.50", ["ring_24in"], "demo assumption"),
    ("3U CubeSat dispenser", "dispenser", "2.00", ["cubesat_3u"], "demo assumption"),
    ("6U CubeSat dispenser", "dispenser", "4.50", ["cubesat_6u"], "demo assumption"),
    ("12U CubeSat dispenser", "dispenser", "7.00", ["cubesat_12u"], "demo assumption"),
]
#: What comes back, by payload: Zengzhang-1 is a returnable satellite (the demo brings it back whole);
#: the station cargo mission brings back 250 kg, within CMSA's 100-300 kg.
RETURN_MASSES = {"Zengzhang-1": "220.0", "Station cargo capsule": "250.0"}
#: Local time of the ascending node asked for, by payload (Jilin-1's LTDN is 10:30: LTAN 22:30).
PAYLOAD_LTANS = {"Jilin-1 Video 09": "22:30", "Jilin-1 Video 10": "22:30"}
#: Station cargo missions and their programme (``customers.programmes``).
CARGO_PROGRAMMES = {"Station cargo capsule": "cmsa-station-cargo"}
#: The station cargo mission's manifest: direction, item, kg, priority.
CARGO_MANIFESTS = {
    "Station cargo capsule": [
        ("up", "Crew provisions", "600.0", 1),
        ("up", "Experiment racks", "450.0", 2),
        ("up", "Spare parts", "120.0", 3),
        ("down", "Experiment samples", "180.0", 1),
        ("down", "Failed pump for analysis", "40.0", 2),
        ("waste", "Packaging and used filters", "520.0", 3),
    ]
}
#: Most a return capsule flown on the vehicle brings back, by model. Demo figures: CMSA's call asks for
#: 100-300 kg returned (seed article 002); no flown capsule's limit is public (docs/catalog.md).
RETURN_CAPSULES = {"Ceres-1": "300.0", "Kuaizhou-11": "300.0"}

# --- prices (booking engine) -------------------------------------------------------------------

EXCHANGE_RATES = [
    # currency, units per US dollar (the seed articles quote 6.48 yuan per dollar)
    ("USD", "1"),
    ("CNY", "6.48"),
    ("EUR", "0.92"),
]

RIDESHARE_RATES = [
    # provider slug, orbit family, price per kg, minimum charge, currency
    ("expace", "SSO", "64800.00", "324000.00", "CNY"),
    ("expace", "LEO", "58000.00", "290000.00", "CNY"),
    ("landspace", "SSO", "11000.00", "60000.00", "USD"),
    ("landspace", "LEO", "9500.00", "50000.00", "USD"),
    ("galactic-energy", "SSO", "62000.00", "300000.00", "CNY"),
    ("galactic-energy", "LEO", "55000.00", "280000.00", "CNY"),
    ("cgwic", "SSO", "8000.00", "100000.00", "USD"),
    ("cgwic", "LEO", "7000.00", "100000.00", "USD"),
]

DEDICATED_PRICES = [
    # vehicle model, price of a whole launch, currency
    ("Kuaizhou-1", "30000000.00", "CNY"),
    ("Kuaizhou-1A", "40000000.00", "CNY"),
    ("Kuaizhou-11", "100000000.00", "CNY"),
    ("Zhuque-1", "5500000.00", "USD"),
    ("Ceres-1", "35000000.00", "CNY"),
    ("Long March 6", "20000000.00", "USD"),
]

ADD_ON_SERVICES = [
    # provider slug, kind, name, flat price, percent of declared value, currency
    ("landspace", "insurance", "Launch and first-year insurance", None, "6.50", "USD"),
    ("landspace", "it_support", "IT support for payload operations", "45000.00", None, "USD"),
    ("landspace", "mission_control", "Mission-control elements", "120000.00", None, "USD"),
    ("expace", "insurance", "Launch insurance", None, "7.00", "CNY"),
    ("expace", "mission_control", "Mission control support", "650000.00", None, "CNY"),
]


@dataclass(frozen=True)
class DedicatedSpec:
    """A demo dedicated launch request; ``scheduled`` ones are scheduled from the planner's first plan."""

    reference: str
    customer: str
    payload: str | None
    model: str | None
    orbit: tuple[str, int, str | None, str | None] | None  # family, altitude, inclination, LTAN
    days_from_now: tuple[int, int]  # earliest, latest
    note: str
    scheduled: bool


#: No rideshare launch goes where Zengzhang-1 (LEO 500 km, 41°) and the station cargo capsule
#: (LEO 400 km, 41.5°) go, and both come back to Earth: each flies a dedicated launch, scheduled.
#: Jilin asks for a plane of its own for its next satellites: a request waiting for an operator.
DEDICATED_REQUESTS = [
    DedicatedSpec(
        "DR-DEMO-ZZ1",
        "interspace",
        "Zengzhang-1",
        "Ceres-1",
        None,
        (75, 200),
        "Zengzhang-1 flies alone and comes back: a dedicated Ceres-1, as in 2022.",
        True,
    ),
    DedicatedSpec(
        "DR-DEMO-CARGO",
        "cmsa",
        "Station cargo capsule",
        "Kuaizhou-11",
        None,
        (75, 200),
        "Station cargo up, 250 kg of samples and spares back in the return capsule.",
        True,
    ),
    DedicatedSpec(
        "DR-DEMO-JL",
        "jilin",
        None,
        None,
        ("SSO", 535, None, "22:30"),
        (60, 170),
        "A plane of our own for the next Jilin-1 batch, LTDN 10:30.",
        False,
    ),
]


@dataclass(frozen=True)
class LaunchSpec:
    name: str
    model: str
    serial: str
    site: str
    pad: str | None
    platform: str | None
    orbit: str
    altitude_km: int
    inclination_deg: str
    days_from_now: int
    window_hours: int
    net_precision: str
    # Sun-synchronous launches: the plane's local time of the ascending node. The window then
    # opens at the daily launch time it gives from the site (docs/orbits.md section 4).
    ltan: str | None = None


LAUNCHES = [
    LaunchSpec(
        "Kuaizhou-1A · SSO 500 rideshare",
        "Kuaizhou-1A",
        "KZ1A-Y7",
        "JSLC",
        None,
        "ExPace TEL-01",
        "SSO",
        500,
        "97.40",
        10,
        2,
        "hour",
        "22:30",
    ),
    LaunchSpec(
        "Ceres-1 · SSO 500 rideshare",
        "Ceres-1",
        "CERES1-Y5",
        "JSLC",
        None,
        "Galactic Energy TEL-1",
        "SSO",
        500,
        "97.40",
        18,
        1,
        "hour",
        "21:00",
    ),
    LaunchSpec(
        "Kuaizhou-11 · SSO 700 rideshare",
        "Kuaizhou-11",
        "KZ11-Y2",
        "TSLC",
        None,
        "ExPace TEL-03",
        "SSO",
        700,
        "98.20",
        30,
        3,
        "day",
        "22:30",
    ),
    LaunchSpec(
        "Long March 6 · SSO 700 rideshare",
        "Long March 6",
        "CZ6-Y5",
        "TSLC",
        "LC-16",
        None,
        "SSO",
        700,
        "98.20",
        60,
        4,
        "month",
        "22:00",
    ),
]


def _upsert(model, lookup: dict, values: dict):
    obj, created = model.objects.update_or_create(defaults=values, **lookup)
    return obj


def _load_providers() -> dict[str, Provider]:
    return {
        slug: _upsert(
            Provider,
            {"slug": slug},
            {
                "name": name,
                "short_name": short,
                "country": country,
                "mobile_launch": mobile,
                "rebooking_fee_percent": Decimal(fee),
            },
        )
        for name, short, slug, country, mobile, fee in PROVIDERS
    }


def _load_cancellation_tiers(providers: dict[str, Provider]) -> None:
    """Each provider's cancellation policy, exactly the tiers above (a tier no longer listed goes)."""
    for slug, tiers in CANCELLATION_TIERS.items():
        provider = providers[slug]
        for days, percent in tiers:
            _upsert(
                CancellationTier,
                {"provider": provider, "days_before_launch": days},
                {"fee_percent": Decimal(percent)},
            )
        CancellationTier.objects.filter(provider=provider).exclude(
            days_before_launch__in=[days for days, _percent in tiers]
        ).delete()


def _load_sites() -> tuple[dict[str, LaunchSite], dict[tuple[str, str], Pad]]:
    """Sites, their pads and the routes between them (each route both ways)."""
    sites: dict[str, LaunchSite] = {}
    pads: dict[tuple[str, str], Pad] = {}
    for name, code, lat, lon, pad_families in SITES:
        site = _upsert(
            LaunchSite,
            {"code": code},
            {
                "name": name,
                "country": "CN",
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "time_zone": "Asia/Shanghai",
            },
        )
        sites[code] = site
        corridors = [
            _upsert(
                LaunchCorridor,
                {"site": site, "azimuth_from": Decimal(start), "azimuth_to": Decimal(end)},
                {"note": note, "source": source},
            ).pk
            for site_code, start, end, note, source in CORRIDORS
            if site_code == code
        ]
        LaunchCorridor.objects.filter(site=site).exclude(pk__in=corridors).delete()
        for pad_name, families in pad_families.items():
            pads[(code, pad_name)] = _upsert(
                Pad, {"site": site, "name": pad_name}, {"vehicle_families": families}
            )
    for origin, destination, mode, hours, note in ROUTES:
        for there, back in {(origin, destination), (destination, origin)}:
            _upsert(
                Route,
                {"origin": sites[there], "destination": sites[back], "mode": RouteMode(mode)},
                {"transit_hours": Decimal(hours), "note": note},
            )
    return sites, pads


def _load_vehicle_models(providers: dict[str, Provider]) -> dict[str, VehicleModel]:
    """Vehicle models and their capacity curves, by model name."""
    models_by_name: dict[str, VehicleModel] = {}
    for spec in VEHICLE_MODELS:
        vm = _upsert(
            VehicleModel,
            {"name": spec.name},
            {
                "provider": providers[spec.provider],
                "slug": spec.name.lower().replace(" ", "-"),
                "stages": spec.stages,
                "propellant": spec.propellant,
                "height_m": spec.height_m and Decimal(spec.height_m),
                "diameter_m": spec.diameter_m and Decimal(spec.diameter_m),
                "liftoff_mass_t": spec.liftoff_mass_t and Decimal(spec.liftoff_mass_t),
                "mobile_launch": spec.mobile,
                "active": spec.active,
                "description": spec.description,
                "family": spec.family,
                "express_capable": spec.express,
                "min_pad_campaign_hours": Decimal(spec.min_pad_campaign_hours),
                "envelope_diameter_m": spec.envelope and Decimal(spec.envelope[0]),
                "envelope_height_m": spec.envelope and Decimal(spec.envelope[1]),
                "return_capsule_kg": Decimal(RETURN_CAPSULES[spec.name])
                if spec.name in RETURN_CAPSULES
                else None,
            },
        )
        models_by_name[spec.name] = vm
        kept = [
            _upsert(
                CapacityPoint,
                {"vehicle_model": vm, "orbit_family": family, "altitude_km": altitude},
                # Every figure carries the inclination it is quoted for (docs/catalog.md).
                {
                    "capacity_kg": Decimal(capacity),
                    "inclination_deg": measured_inclination_deg(family, altitude, None),
                },
            ).pk
            for family, points in spec.curve.items()
            for altitude, capacity in points
        ]
        # A point dropped from the catalog (a figure that was wrong) leaves the curve too.
        CapacityPoint.objects.filter(vehicle_model=vm).exclude(pk__in=kept).delete()
    return models_by_name


def _load_platforms(
    providers: dict[str, Provider],
    sites: dict[str, LaunchSite],
    models_by_name: dict[str, VehicleModel],
) -> dict[str, MobilePlatform]:
    platforms: dict[str, MobilePlatform] = {}
    for provider, name, home, speed, setup, teardown, carried in PLATFORMS:
        platform = _upsert(
            MobilePlatform,
            {"name": name},
            {
                "provider": providers[provider],
                "home_site": sites[home],
                "road_speed_kmh": Decimal(speed),
                "setup_hours": Decimal(setup),
                "teardown_hours": Decimal(teardown),
            },
        )
        platform.vehicle_models.set([models_by_name[model] for model in carried])
        platforms[name] = platform
    return platforms


def _load_vehicles(
    sites: dict[str, LaunchSite], models_by_name: dict[str, VehicleModel], now: datetime
) -> dict[str, Vehicle]:
    vehicles: dict[str, Vehicle] = {}
    for model_name, serials, site_code in VEHICLES:
        for serial in serials:
            vehicle, created = Vehicle.objects.get_or_create(
                serial=serial,
                defaults={
                    "vehicle_model": models_by_name[model_name],
                    "status": Vehicle.Status.READY_STORAGE,
                    "storage_site": sites[site_code],
                    "ready_since": now - timedelta(days=30),
                },
            )
            vehicles[serial] = vehicle
    # Serials of a retired model never fly again; those still in storage are retired with it.
    Vehicle.objects.filter(
        vehicle_model__active=False,
        status__in=[Vehicle.Status.READY_STORAGE, Vehicle.Status.IN_PRODUCTION],
    ).update(status=Vehicle.Status.RETIRED)
    return vehicles


def _load_customers(providers: dict[str, Provider], now: datetime) -> None:
    """Customers with their contracts and payloads."""
    customers: dict[str, Customer] = {}
    for name, slug, country, tz, _username in CUSTOMERS:
        customers[slug] = _upsert(
            Customer,
            {"slug": slug},
            {
                "name": name,
                "country": country,
                "time_zone": tz,
                "export_screening": Customer.ExportScreening.CLEARED,
            },
        )
    for cust, prov, reference, launches, value, currency, deposit in CONTRACTS:
        _upsert(
            Contract,
            {"reference": reference},
            {
                "customer": customers[cust],
                "provider": providers[prov],
                "launches_committed": launches,
                "value": Decimal(value),
                "currency": currency,
                "deposit_percent": Decimal(deposit),
                "status": Contract.Status.ACTIVE,
                "signed_on": (now - timedelta(days=90)).date(),
            },
        )
    install_cargo_programmes(CargoProgramme)
    for cust, name, mass, orbit, altitude, inclination, returnable, size in PAYLOADS:
        _upsert(
            Payload,
            {"customer": customers[cust], "name": name},
            {
                "mass_kg": Decimal(mass),
                "orbit_family": orbit,
                "altitude_km": altitude,
                "inclination_deg": inclination and Decimal(inclination),
                "returnable": returnable,
                "return_mass_kg": Decimal(RETURN_MASSES[name]) if returnable else None,
                "ltan": local_time_parse(PAYLOAD_LTANS.get(name)),
                "cargo_programme": (
                    CargoProgramme.objects.get(slug=CARGO_PROGRAMMES[name])
                    if name in CARGO_PROGRAMMES
                    else None
                ),
                "length_m": Decimal(size[0]),
                "width_m": Decimal(size[1]),
                "height_m": Decimal(size[2]),
            },
        )
    for name, lines in CARGO_MANIFESTS.items():  # the programmes were installed before the payloads
        payload = Payload.objects.get(name=name)
        for direction, item, mass, priority in lines:
            _upsert(
                CargoItem,
                {"payload": payload, "direction": direction, "name": item},
                {"mass_kg": Decimal(mass), "priority": priority},
            )


def _load_prices(providers: dict[str, Provider], models_by_name: dict[str, VehicleModel]) -> None:
    """Exchange rates, rideshare rates, dedicated prices and add-on services."""
    for currency, units in EXCHANGE_RATES:
        _upsert(ExchangeRate, {"currency": currency}, {"units_per_usd": Decimal(units)})
    for prov, family, per_kg, minimum, currency in RIDESHARE_RATES:
        _upsert(
            RideshareRate,
            {"provider": providers[prov], "orbit_family": family},
            {"price_per_kg": Decimal(per_kg), "minimum_charge": Decimal(minimum), "currency": currency},
        )
    for model_name, price, currency in DEDICATED_PRICES:
        _upsert(
            DedicatedPrice,
            {"vehicle_model": models_by_name[model_name]},
            {"price": Decimal(price), "currency": currency},
        )
    for prov, kind, name, flat, percent, currency in ADD_ON_SERVICES:
        _upsert(
            AddOnService,
            {"provider": providers[prov], "kind": kind},
            {
                "name": name,
                "flat_price": flat and Decimal(flat),
                "percent_of_declared_value": percent and Decimal(percent),
                "currency": currency,
                "active": True,
            },
        )


def _load_launches(
    *,
    sites: dict[str, LaunchSite],
    pads: dict[tuple[str, str], Pad],
    models_by_name: dict[str, VehicleModel],
    platforms: dict[str, MobilePlatform],
    vehicles: dict[str, Vehicle],
    now: datetime,
) -> None:
    """Schedule the demo launches that do not exist yet.

    Demo launches go through the scheduling service, so they hold real reservations (platform
    transit, set-up, window, tear-down; pad turnaround) and start readiness. Found by name:
    loading again leaves them, and whatever operators did to them, alone.
    """
    launch_hour = now.replace(minute=0, second=0, microsecond=0)
    for spec in LAUNCHES:
        if Launch.objects.filter(name=spec.name).exists():
            continue
        window_start = launch_hour + timedelta(days=spec.days_from_now)
        ltan = local_time_parse(spec.ltan)
        if ltan is not None:
            window_start = daily_launch_time(
                site=sites[spec.site],
                inclination_deg=Decimal(spec.inclination_deg),
                ltan=ltan,
                on=window_start.date(),
            )
        vm = models_by_name[spec.model]
        # A demo launch is a campaign under way: it was ordered its template's lead before the
        # window (never squeezed into the days left), and what was due by now is done.
        template = template_for(service_level=Launch.ServiceLevel.STANDARD, returnable=False)
        template_lead = max(-step.offset_minutes for step in template.steps.all())
        ordered_at = min(window_start - timedelta(minutes=template_lead), now)
        vehicle = Vehicle.objects.get(pk=vehicles[spec.serial].pk)
        launch = launch_schedule(
            provider=vm.provider,
            vehicle_model=vm,
            site=sites[spec.site],
            orbit_family=spec.orbit,
            altitude_km=spec.altitude_km,
            inclination_deg=Decimal(spec.inclination_deg),
            window_start=window_start,
            window_end=window_start + timedelta(hours=spec.window_hours),
            actor=None,
            vehicle=vehicle if vehicle.status == Vehicle.Status.READY_STORAGE else None,
            platform=platforms[spec.platform] if spec.platform else None,
            pad=pads[(spec.site, spec.pad)] if spec.pad else None,
            name=spec.name,
            net=window_start,
            net_precision=spec.net_precision,
            now=ordered_at,
            readiness_template=template,
            ltan=ltan,
        )
        # The campaign's sign-offs and checks due so far happened before the demo starts.
        for step in PlanStep.objects.filter(
            plan__launch=launch,
            status=PlanStep.Status.PENDING,
            due_at__lte=now + timedelta(hours=1),
        ).order_by("due_at", "pk"):
            step_complete(step=step, actor=None, note="signed before the demo catalog was loaded")


def _load_adapters() -> None:
    for name, kind, mass, port_kinds, source in ADAPTERS:
        _upsert(
            Adapter,
            {"name": name},
            {
                "kind": kind,
                "mass_kg": Decimal(mass),
                "port_kinds": port_kinds,
                "source": source,
                "active": True,
            },
        )


def _load_ports() -> None:
    """Ports of the demo rideshare launches; a launch that has ports already (an operator's) is left alone."""
    for launch_name, counts in LAUNCH_PORTS.items():
        launch = Launch.objects.filter(name=launch_name).first()
        if launch is None or launch.ports.exists():
            continue
        for kind, count in counts.items():
            max_mass, (length, width, height) = PORT_KINDS[kind]
            LaunchPort.objects.create(
                launch=launch,
                kind=kind,
                count=count,
                max_mass_kg=Decimal(max_mass),
                envelope_length_m=Decimal(length),
                envelope_width_m=Decimal(width),
                envelope_height_m=Decimal(height),
                price=Decimal(PORT_PRICES.get(kind, "0.00")),
                currency="USD",
            )


# --- invoices and payments (docs/catalog.md: billing details) -----------------------------------

BILLING = {
    # slug: legal name, address lines, tax ID (the tax IDs are made up, and say so)
    "expace": ("Expace Technology Co., Ltd.", "Wuhan, Hubei\nChina", "DEMO-CN-EXPACE-01"),
    "gomspace": ("GomSpace A/S", "Aalborg\nDenmark", "DEMO-DK-GOMSPACE-01"),
    "jilin": ("Chang Guang Satellite Technology Co., Ltd.", "Changchun, Jilin\nChina", "DEMO-CN-CGST-01"),
}

DEMO_INVOICES = [
    # label, amount (USD), issued (days from now), due (days from now), paid: (share, days from now)
    ("Programme management fee, first quarter", "120000.00", -50, -40, ("1", -38)),
    ("Payload integration services", "250000.00", -20, 20, ("0.4", -5)),
    ("Launch campaign support", "80000.00", -10, 10, None),
    ("Ground segment fee", "60000.00", -35, -5, None),
]


def _load_invoices(now: datetime) -> None:
    """Billing details of the demo providers and customers, and four contract milestones of
    Gomspace with ExPace, invoiced: one paid (with its receipt), one part paid, one due, one
    overdue. Made once: a milestone that exists keeps its invoice and payments as they are."""
    for model in (Provider, Customer):
        for row in model.objects.filter(slug__in=BILLING):
            legal_name, address, tax_id = BILLING[row.slug]
            if (row.legal_name, row.billing_address, row.tax_id) != (legal_name, address, tax_id):
                row.legal_name, row.billing_address, row.tax_id = legal_name, address, tax_id
                row.save(update_fields=["legal_name", "billing_address", "tax_id"])
    contract = Contract.objects.get(reference="GOM-EXP-2018")
    day = timedelta(days=1)
    for label, amount, issued, due, paid in DEMO_INVOICES:
        milestone, created = PaymentMilestone.objects.get_or_create(
            contract=contract,
            label=label,
            defaults={"amount": Decimal(amount), "currency": contract.currency, "due_at": now + due * day},
        )
        if not created:
            continue
        invoice = invoice_issue(milestone=milestone, actor=None, now=now + issued * day)
        if paid is not None:
            share, on = paid
            payment_record(
                invoice=invoice,
                amount=(invoice.amount * Decimal(share)).quantize(Decimal("0.01")),
                paid_on=(now + on * day).date(),
                reference=f"SWIFT {label[:12].upper()}",
                actor=None,
                now=now + on * day,
            )


def _load_dedicated_requests(now: datetime) -> None:
    """The demo's dedicated launch requests, found by reference: loading again leaves them (and
    what operators and customers did with them) alone. A scheduled one is scheduled the way an
    operator does it: the planner's first plan for its vehicle and dates, then the workflow."""
    for spec in DEDICATED_REQUESTS:
        if DedicatedRequest.objects.filter(reference=spec.reference).exists():
            continue
        customer = Customer.objects.get(slug=spec.customer)
        payload = Payload.objects.get(customer=customer, name=spec.payload) if spec.payload else None
        vehicle_model = VehicleModel.objects.get(name=spec.model) if spec.model else None
        family, altitude, inclination, ltan = spec.orbit or (None, None, None, None)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        asked = dedicated_request_create(
            customer=customer,
            actor=None,
            payload=payload,
            vehicle_model=vehicle_model,
            orbit_family=family,
            altitude_km=altitude,
            inclination_deg=Decimal(inclination) if inclination else None,
            ltan=local_time_parse(ltan),
            earliest=day + timedelta(days=spec.days_from_now[0]),
            latest=day + timedelta(days=spec.days_from_now[1]),
            note=spec.note,
            now=now,
        )
        DedicatedRequest.objects.filter(pk=asked.pk).update(reference=spec.reference)
        asked.reference = spec.reference
        if spec.scheduled:
            _schedule_dedicated(asked, now=now)


def _schedule_dedicated(asked: DedicatedRequest, *, now: datetime) -> None:
    assert asked.vehicle_model is not None
    result = plan_launch(
        orbit_family=asked.orbit_family,
        altitude_km=asked.altitude_km,
        inclination_deg=asked.inclination_deg,
        earliest=asked.earliest,
        latest=asked.latest,
        service_level=Launch.ServiceLevel.STANDARD,
        mass_kg=asked.payload.mass_kg if asked.payload else None,
        returnable=bool(asked.payload and asked.payload.returnable),
        provider=asked.vehicle_model.provider,
        now=now,
    )
    plan = next((p for p in result.plans if p.vehicle_model.pk == asked.vehicle_model.pk), None)
    if plan is None:
        raise RuntimeError(f"the demo cannot schedule {asked.reference}: {'; '.join(result.reasons[:12])}")
    dedicated_request_schedule(
        request=asked,
        actor=None,
        provider=asked.vehicle_model.provider,
        vehicle_model=plan.vehicle_model,
        site=plan.site,
        orbit_family=asked.orbit_family,
        altitude_km=asked.altitude_km,
        inclination_deg=asked.inclination_deg,
        window_start=plan.window_start,
        window_end=plan.window_end,
        vehicle=plan.vehicle,
        platform=plan.platform,
        pad=plan.pad,
        name=f"{plan.vehicle_model.name} · {asked.payload.name if asked.payload else asked.customer.name} dedicated",
        now=now,
    )


#: Demo payloads' acceptable launch dates, days from the load (demo assumptions): the manifest
#: optimiser keeps each within them, and a launch slipping past the latest proposes moves.
PAYLOAD_LAUNCH_DAYS = {
    "GOMX-5A": (None, 120),
    "GOMX-5B": (None, 120),
    "Jilin-1 Video 09": (7, 150),
    "Jilin-1 Video 10": (7, 150),
}


def _load_manifest_dates(now: datetime) -> None:
    for name, (earliest, latest) in PAYLOAD_LAUNCH_DAYS.items():
        Payload.objects.filter(name=name).update(
            earliest_launch=None if earliest is None else (now + timedelta(days=earliest)).date(),
            latest_launch=None if latest is None else (now + timedelta(days=latest)).date(),
        )


def load_catalog(now: datetime | None = None) -> dict[str, int]:
    """Create or refresh the demo catalog; answers how many rows of each kind it holds."""
    now = now or timezone.now()
    with transaction.atomic():
        providers = _load_providers()
        _load_cancellation_tiers(providers)
        sites, pads = _load_sites()
        models_by_name = _load_vehicle_models(providers)
        platforms = _load_platforms(providers, sites, models_by_name)
        vehicles = _load_vehicles(sites, models_by_name, now)
        _load_customers(providers, now)
        _load_prices(providers, models_by_name)
        _load_launches(
            sites=sites,
            pads=pads,
            models_by_name=models_by_name,
            platforms=platforms,
            vehicles=vehicles,
            now=now,
        )
        _load_adapters()
        _load_ports()
        _load_invoices(now)
        _load_dedicated_requests(now)
        _load_manifest_dates(now)

    return {
        "providers": Provider.objects.count(),
        "vehicle models": VehicleModel.objects.count(),
        "vehicles": Vehicle.objects.count(),
        "sites": LaunchSite.objects.count(),
        "platforms": MobilePlatform.objects.count(),
        "routes": Route.objects.count(),
        "customers": Customer.objects.count(),
        "payloads": Payload.objects.count(),
        "launches": Launch.objects.count(),
        "exchange rates": ExchangeRate.objects.count(),
        "rideshare rates": RideshareRate.objects.count(),
        "dedicated prices": DedicatedPrice.objects.count(),
        "add-on services": AddOnService.objects.count(),
        "cancellation tiers": CancellationTier.objects.count(),
        "dedicated launch requests": DedicatedRequest.objects.count(),
    }


def demo_password() -> str:
    return settings.LAUNCHBOOK_DEMO_PASSWORD


def _user(username: str, *, email: str, staff: bool, first_name: str = "") -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.email = email
    user.is_staff = staff
    user.is_active = True
    user.first_name = first_name
    user.set_password(demo_password())
    user.save()
    return user


def load_accounts() -> list[tuple[str, str]]:
    """Create or refresh the demo accounts; answers (username, what it is) pairs."""
    with transaction.atomic():
        operators, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
        # Operators run the catalog, customers and bookings; the audit trail and the webhook log
        # and the notifications are written by services only, and API tokens are only revoked ("change"). Which
        # customers a provider operator reaches is the admin's scoping (booking.admin.scoping).
        operators.permissions.set(
            Permission.objects.filter(content_type__app_label__in=["vehicles", "customers", "booking"])
            .exclude(
                content_type__model__in=[
                    "event",
                    "webhookdelivery",
                    "webhookattempt",
                    "idempotencykey",
                    "notification",
                    "notificationdelivery",
                ],
                codename__regex=r"^(add|change|delete)_",
            )
            .exclude(codename__in=["add_apitoken", "delete_apitoken"])
        )
        all_providers, _ = Group.objects.get_or_create(name=ALL_PROVIDERS_GROUP)

        operator = _user("operator", email="operator@launchbook.example", staff=True, first_name="Operations")
        operator.groups.set([operators, all_providers])

        expace_ops = _user(
            "expace-ops", email="ops@expace.example", staff=True, first_name="ExPace operations"
        )
        expace_ops.groups.set([operators])
        ProviderOperator.objects.get_or_create(user=expace_ops, provider=Provider.objects.get(slug="expace"))

        accounts = [
            ("operator", "staff operator, all providers (admin)"),
            ("expace-ops", "staff operator of ExPace only (admin)"),
        ]
        for name, slug, _country, _tz, username in CUSTOMERS:
            user = _user(username, email=f"{username}@customer.example", staff=False, first_name=name)
            Membership.objects.get_or_create(
                user=user, customer=Customer.objects.get(slug=slug), defaults={"role": Membership.Role.ADMIN}
            )
            accounts.append((username, f"customer member of {name} (portal)"))
    return accounts


# --- standby lists -------------------------------------------------------------------------------

#: The demo's standby lists: (payload, launch whose dates the orbit entry covers, days after it).
#: Jilin-1 Video 09 waits for any SSO 500 launch up to a day after the Kuaizhou-1A rideshare, which
#: has room: it is offered a seat there at once. Jilin-1 Video 10 waits for a launch 120 days out or
#: later, which no demo launch is: it waits.
STANDBY_WAITING = ("Jilin-1 Video 10", 120)
STANDBY_OFFERED = ("Jilin-1 Video 09", "Kuaizhou-1A · SSO 500 rideshare")


def load_standby(now: datetime | None = None) -> dict[str, int]:
    """A waiting standby entry and an offered one, through the standby service.

    A payload that has a standby entry already (in any state), or a booking, is left alone, so
    loading again changes nothing. The offered payload gets an approved interface control
    document first (a ready payload: ``selectors.standby.payload_readiness_refusal``).
    Answers how many entries are waiting and offered.
    """
    now = now or timezone.now()
    with transaction.atomic():
        waiting_name, days_out = STANDBY_WAITING
        waiting = Payload.objects.get(name=waiting_name)
        if not waiting.standby_entries.exists():
            with contextlib.suppress(ServiceError):  # booked meanwhile: nothing to wait for
                standby_join(
                    customer=waiting.customer,
                    payload=waiting,
                    actor=None,
                    earliest_date=(now + timedelta(days=days_out)).date(),
                    now=now,
                )
        offered_name, launch_name = STANDBY_OFFERED
        offered = Payload.objects.get(name=offered_name)
        launch = Launch.objects.filter(name=launch_name).first()
        if launch is not None and not offered.standby_entries.exists():
            _approved_icd(offered)
            try:
                standby_join(
                    customer=offered.customer,
                    payload=offered,
                    actor=None,
                    latest_date=(launch.net + timedelta(days=1)).date(),
                    now=now,
                )
            except ServiceError:
                pass
            else:
                standby_offers_make(launch_id=launch.pk, now=now)
    return {
        status: StandbyEntry.objects.filter(status=status).count()
        for status in (StandbyEntry.Status.WAITING, StandbyEntry.Status.OFFERED)
    }


def _approved_icd(payload: Payload) -> None:
    if Document.objects.filter(payload=payload, status=Document.Status.APPROVED).exists():
        return
    document = document_upload(
        customer=payload.customer,
        kind=Document.Kind.ICD,
        file=SimpleUploadedFile("icd.pdf", b"%PDF-1.4 demo interface control document", "application/pdf"),
        actor=None,
        payload=payload,
    )
    document_review(document=document, approve=True, actor=None, note="demo: reviewed before loading")
