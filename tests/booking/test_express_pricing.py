"""Express prices follow the launch, the customer sees the price before anything is committed, and
the search offers what the customer can confirm: the express quote, its confirmation, its lapse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking.errors import Conflict, InvalidRequest
from booking.models import Booking, Launch, Quote, Reservation
from booking.selectors.prices import quote_price
from booking.services.bookings import booking_hold, booking_rebook, bookings_release_expired
from booking.services.quotes import quote_create
from booking.workflows.express import (
    express_quote_cancel,
    express_quote_confirm,
    express_quote_create,
    order_express_launch,
)
from customers.models import Contract
from tests.factories import (
    BookingFactory,
    ContractFactory,
    CustomerFactory,
    DedicatedPriceFactory,
    ExchangeRateFactory,
    LaunchFactory,
    MobilePlatformFactory,
    PayloadFactory,
    ProviderFactory,
    RideshareRateFactory,
    UserFactory,
    VehicleFactory,
    VehicleModelFactory,
    schedule_world,
)
from vehicles.models import Vehicle

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
DEDICATED = Decimal("4600000.00")


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        world = schedule_world()
        world.provider.express_premium_percent = Decimal("50")
        world.provider.save(update_fields=["express_premium_percent"])
        world.customer = CustomerFactory(name="Gomspace", slug="gomspace")
        world.payload = PayloadFactory(customer=world.customer, name="GOMX-5A", mass_kg=Decimal("3.2"))
        world.contract = ContractFactory(
            customer=world.customer, provider=world.provider, launches_committed=4, reference="CT-EXP"
        )
        ExchangeRateFactory(currency="USD", units_per_usd=Decimal("1"))
        ExchangeRateFactory(currency="CNY", units_per_usd=Decimal("7"))
        RideshareRateFactory(
            provider=world.provider,
            orbit_family="SSO",
            price_per_kg=Decimal("10000"),
            minimum_charge=Decimal("50000"),
        )
        DedicatedPriceFactory(vehicle_model=world.model, price=DEDICATED)
        world.user = UserFactory(username="gomspace-engineer")
        yield world


def travel():
    return time_machine.travel(NOW, tick=False)


def offer(world, **kwargs):
    with travel():
        return express_quote_create(
            customer=world.customer, payload=world.payload, actor=world.user, now=NOW, **kwargs
        )


def test_an_express_launch_of_its_own_costs_the_dedicated_price_plus_the_premium(world):
    quoted = offer(world)

    quote = quoted.quote
    assert quote.kind == Quote.Kind.DEDICATED and quote.launch == quoted.launch and quote.launch_made_for_it
    assert quote.service_level == Launch.ServiceLevel.EXPRESS
    lines = list(quote.lines.order_by("position").values_list("kind", "amount"))
    # Not a 3.2 kg seat at the minimum charge: the whole rocket, plus 50 %.
    assert lines == [("launch", DEDICATED), ("express", Decimal("2300000.00"))]
    assert quote.total == Decimal("6900000.00")
    assert quoted.booking.price == quote.total and quoted.booking.status == Booking.Status.HELD


def test_the_express_quote_is_held_a_few_minutes_under_the_contract_shown(world, settings):
    settings.LAUNCHBOOK_EXPRESS_HOLD_MINUTES = 7
    second = ContractFactory(customer=world.customer, provider=world.provider, reference="CT-SECOND")
    quoted = offer(world, contract=second, currency="CNY")

    assert quoted.booking.hold_expires_at == NOW + timedelta(minutes=7)
    assert quoted.contract == second and quoted.booking.contract == second
    assert quoted.quote.currency == "CNY" and quoted.quote.total == Decimal("48300000.00")
    with travel():
        order = express_quote_confirm(
            booking=quoted.booking, actor=world.user, customer=world.customer, now=NOW
        )
    assert order.booking.status == Booking.Status.CONFIRMED and order.booking.contract == second


def test_joining_an_express_launch_pays_the_express_seat_rate_whatever_the_request_says(world):
    launch = offer(world).launch
    other = CustomerFactory(name="Spire", slug="spire")
    payload = PayloadFactory(customer=other, name="LEMUR-9", mass_kg=Decimal("15.0"))

    with travel():
        seat = quote_price(customer=other, payload=payload, launch=launch, now=NOW)
        # 15 kg + 5 kg adapter at 10,000 USD/kg, plus 50 %: the express seat rate.
        assert [(line.kind, line.amount) for line in seat.lines] == [
            ("launch", Decimal("200000.00")),
            ("express", Decimal("100000.00")),
        ]
        assert seat.quote.total == Decimal("300000.00") and seat.quote.service_level == "express"
        assert quote_price(
            customer=other, payload=payload, launch=launch, now=NOW, service_level="express"
        ).quote.total == Decimal("300000.00")
        with pytest.raises(
            InvalidRequest, match="is an express launch: its seats are priced at the express level"
        ):
            quote_create(customer=other, payload=payload, actor=None, launch=launch, service_level="standard")
    assert not Quote.objects.filter(customer=other).exists()


def test_a_standard_launch_cannot_be_quoted_express(world):
    launch = LaunchFactory(
        vehicle_model=world.model, site=world.jiuquan, window_start=NOW + timedelta(days=5)
    )
    with travel():
        assert quote_price(
            customer=world.customer, payload=world.payload, launch=launch, now=NOW
        ).quote.total == Decimal("82000.00")
        with pytest.raises(InvalidRequest, match="Leave the service level out"):
            quote_price(
                customer=world.customer,
                payload=world.payload,
                launch=launch,
                now=NOW,
                service_level="express",
            )


def test_a_booking_does_not_move_between_an_express_and_a_standard_launch_at_its_price(world):
    standard = LaunchFactory(
        vehicle_model=world.model, site=world.jiuquan, window_start=NOW + timedelta(days=5)
    )
    express_launch = offer(world).launch
    other = PayloadFactory(customer=world.customer, name="GOMX-5B", mass_kg=Decimal("10.0"))
    with travel():
        quote = quote_create(customer=world.customer, payload=other, actor=None, launch=standard, now=NOW)
        booking = booking_hold(quote=quote, actor=None, now=NOW)
        with pytest.raises(Conflict, match="was priced for a standard launch and .* is an express launch"):
            booking_rebook(booking=booking, launch=express_launch, actor=None, now=NOW)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD and booking.launch == standard


def _galactic(world):
    """A second provider whose truck at Jiuquan sorts first: its plan ranks ahead of ExPace's."""
    galactic = ProviderFactory(name="Galactic Energy", short_name="Galactic", slug="galactic-t")
    ceres = VehicleModelFactory(provider=galactic, name="Ceres-1", slug="ceres-1")
    MobilePlatformFactory(provider=galactic, name="CTEL-01", home_site=world.jiuquan)
    VehicleFactory(vehicle_model=ceres, serial="CE1-Y1", storage_site=world.jiuquan)
    DedicatedPriceFactory(vehicle_model=ceres, price=Decimal("5000000.00"))
    return galactic


def test_the_search_offers_the_plan_the_customer_can_confirm_not_the_first_one(world):
    galactic = _galactic(world)
    quoted = offer(world)
    # Ceres-1 on CTEL-01 would open as early; the customer has a contract with ExPace only.
    assert quoted.launch.provider == world.provider and quoted.contract == world.contract
    assert not Launch.objects.filter(provider=galactic).exists()


def test_a_refusal_names_the_earliest_plan_the_customer_can_confirm_and_why_others_fail(world):
    _galactic(world)
    Vehicle.objects.filter(vehicle_model=world.model).update(status=Vehicle.Status.IN_PRODUCTION)
    with pytest.raises(Conflict) as refused:
        offer(world)
    message = str(refused.value)
    assert message.startswith(
        "No express launch for GOMX-5A can open by 2030-03-02 08:00 UTC, nor within 30 days."
    )
    assert (
        "Galactic could fly it: Ceres-1 CE1-Y1 from Jiuquan on CTEL-01, window 2030-03-01 15:40 UTC, "
        "but confirming needs an active contract with Galactic with a launch left, and you have none"
    ) in message
    assert "no Kuaizhou-1A in ready storage" in message
    assert not Launch.objects.exists() and not Booking.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_refusal_outside_a_transaction_searches_only_the_other_fleets_and_says_the_same(world):
    """As production runs it (the kept catalog warm): the fleets the customer can confirm with were
    searched already, so the refusal plans only the others'; the answer is word for word the one
    given inside a transaction, where every fleet is searched again."""
    _galactic(world)
    Vehicle.objects.filter(vehicle_model=world.model).update(status=Vehicle.Status.IN_PRODUCTION)
    answers = []
    for inside in (False, True):
        with CaptureQueriesContext(connection) as ctx, pytest.raises(Conflict) as refused:
            if inside:
                with transaction.atomic():
                    offer(world)
            else:
                offer(world)
        searched = [q["sql"] for q in ctx.captured_queries if '"first_ready_id"' in q["sql"]]
        answers.append((str(refused.value), refused.value.reasons, searched, len(ctx)))
    (outside, outside_reasons, outside_searches, outside_queries) = answers[0]
    (inside, inside_reasons, inside_searches, inside_queries) = answers[1]
    assert outside == inside and outside_reasons == inside_reasons
    assert "Galactic could fly it: Ceres-1 CE1-Y1 from Jiuquan on CTEL-01" in outside
    # Three searches each (by the deadline, within 30 days, the other fleets): the last one names
    # the other providers outside, every provider inside.
    assert len(outside_searches) == len(inside_searches) == 3
    assert '"provider_id" IN' in outside_searches[-1] and '"provider_id" IN' not in inside_searches[-1]
    assert outside_queries < inside_queries
    assert not Launch.objects.exists() and not Booking.objects.exists()


def test_without_any_contract_the_refusal_says_so_and_names_what_could_fly(world):
    world.contract.status = Contract.Status.DRAFT
    world.contract.save(update_fields=["status"])
    with pytest.raises(Conflict) as refused:
        offer(world)
    message = str(refused.value)
    assert message.startswith("No express launch for GOMX-5A can be confirmed: you have no active contract")
    assert "ExPace could fly it: Kuaizhou-1A KZ1A-Y7 from Jiuquan on TEL-01" in message
    assert not Launch.objects.exists()


def test_a_contract_with_no_launch_left_is_refused_before_planning(world):
    world.contract.launches_committed = 1
    world.contract.save(update_fields=["launches_committed"])
    used = LaunchFactory(vehicle_model=world.model, site=world.jiuquan, window_start=NOW + timedelta(days=5))
    BookingFactory(customer=world.customer, contract=world.contract, launch=used)
    with pytest.raises(Conflict, match="contract CT-EXP has no launches left"):
        offer(world, contract=world.contract)


def test_a_price_above_the_ceiling_is_refused_naming_it_and_leaves_nothing(world):
    with travel(), pytest.raises(Conflict) as refused:
        order_express_launch(
            customer=world.customer,
            payload=world.payload,
            actor=world.user,
            max_price=Decimal("75000"),
            now=NOW,
        )
    message = str(refused.value)
    assert message.startswith("The express launch costs 6,900,000.00 USD (Kuaizhou-1A KZ1A-Y7")
    assert "above your ceiling of 75,000.00 USD" in message
    assert not Launch.objects.exists() and not Quote.objects.exists() and not Booking.objects.exists()
    assert not Reservation.objects.exists()
    assert not Vehicle.objects.filter(status=Vehicle.Status.ASSIGNED).exists()


def test_a_price_within_the_ceiling_is_ordered_in_one_call(world):
    with travel():
        order = order_express_launch(
            customer=world.customer,
            payload=world.payload,
            actor=world.user,
            max_price=Decimal("6900000"),
            now=NOW,
        )
    assert order.booking.status == Booking.Status.CONFIRMED and order.booking.price == Decimal("6900000.00")


def _released(launch):
    launch.refresh_from_db()
    return (
        launch.status == Launch.Status.SCRUBBED
        and not Reservation.objects.filter(launch=launch, released_at__isnull=True).exists()
    )


def test_a_lapsed_express_quote_releases_the_launch_made_for_it(world):
    quoted = offer(world)
    expires = quoted.booking.hold_expires_at
    assert expires == NOW + timedelta(minutes=10)
    with time_machine.travel(expires - timedelta(seconds=1), tick=False):
        assert bookings_release_expired(now=expires - timedelta(seconds=1)) == 0
    assert not _released(quoted.launch)

    with time_machine.travel(expires, tick=False):
        assert bookings_release_expired(now=expires) == 1
    quoted.booking.refresh_from_db()
    assert quoted.booking.status == Booking.Status.EXPIRED
    assert _released(quoted.launch)
    world.rockets[0].refresh_from_db()
    assert world.rockets[0].status == Vehicle.Status.READY_STORAGE
    # Nothing left to confirm.
    with time_machine.travel(expires, tick=False), pytest.raises(Conflict):
        express_quote_confirm(booking=quoted.booking, actor=world.user, now=expires)


def test_a_confirmed_express_launch_is_never_released_by_the_sweep(world):
    quoted = offer(world)
    with travel():
        express_quote_confirm(booking=quoted.booking, actor=world.user, now=NOW)
    later = NOW + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        bookings_release_expired(now=later)
    quoted.launch.refresh_from_db()
    assert quoted.launch.status == Launch.Status.SCHEDULED


def test_an_express_launch_another_customer_booked_stays_when_the_quote_lapses(world):
    quoted = offer(world)
    other = CustomerFactory(name="Spire", slug="spire")
    payload = PayloadFactory(customer=other, name="LEMUR-9", mass_kg=Decimal("15.0"))
    with travel():
        quote = quote_create(customer=other, payload=payload, actor=None, launch=quoted.launch, now=NOW)
        booking_hold(quote=quote, actor=None, now=NOW)
    expires = quoted.booking.hold_expires_at
    with time_machine.travel(expires, tick=False):
        bookings_release_expired(now=expires)
    quoted.launch.refresh_from_db()
    assert quoted.launch.status == Launch.Status.SCHEDULED


def test_letting_an_express_quote_go_releases_its_launch_at_once(world):
    quoted = offer(world)
    with travel():
        cancelled = express_quote_cancel(
            booking=quoted.booking, actor=world.user, customer=world.customer, now=NOW
        )
    assert cancelled.status == Booking.Status.CANCELLED
    assert _released(quoted.launch)
    # The same payload can be offered again at once.
    assert offer(world).launch.vehicle.serial == "KZ1A-Y7"


def test_a_one_call_order_whose_confirmation_is_refused_lets_the_quote_go(world):
    world.customer.export_screening = "pending"
    world.customer.holds_before_screening = True
    world.customer.save(update_fields=["export_screening", "holds_before_screening"])
    with travel(), pytest.raises(Conflict, match="export screening is pending"):
        order_express_launch(
            customer=world.customer,
            payload=world.payload,
            actor=world.user,
            max_price=Decimal("7000000"),
            now=NOW,
        )
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.CANCELLED
    assert _released(Launch.objects.get())
    world.rockets[0].refresh_from_db()
    assert world.rockets[0].status == Vehicle.Status.READY_STORAGE
