"""Launch and booking rows keep their invariants in the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from booking.models import Booking, Launch, Reservation
from tests.factories import (
    BookingFactory,
    LaunchFactory,
    MobilePlatformFactory,
    PadFactory,
    PayloadFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db


def test_launch_window_must_not_end_before_it_starts():
    launch = LaunchFactory()
    launch.window_end = launch.window_start - timedelta(minutes=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        launch.save()


def test_net_lies_inside_the_window():
    launch = LaunchFactory()
    launch.net = launch.window_end + timedelta(hours=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        launch.save()


def test_a_launch_uses_a_pad_or_a_platform_not_both():
    pad = PadFactory()
    platform = MobilePlatformFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LaunchFactory(pad=pad, platform=platform)


def test_a_vehicle_flies_on_one_live_launch_only():
    vehicle = VehicleFactory()
    LaunchFactory(vehicle=vehicle, vehicle_model=vehicle.vehicle_model)
    with pytest.raises(IntegrityError), transaction.atomic():
        LaunchFactory(vehicle=vehicle, vehicle_model=vehicle.vehicle_model)


def test_a_scrubbed_launch_frees_its_vehicle_for_another():
    vehicle = VehicleFactory()
    LaunchFactory(vehicle=vehicle, vehicle_model=vehicle.vehicle_model, status=Launch.Status.SCRUBBED)
    assert LaunchFactory(vehicle=vehicle, vehicle_model=vehicle.vehicle_model).vehicle == vehicle


def test_one_payload_rides_one_launch_at_a_time():
    payload = PayloadFactory()
    BookingFactory(payload=payload, customer=payload.customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(payload=payload, customer=payload.customer)


def test_a_cancelled_booking_lets_the_payload_book_again():
    payload = PayloadFactory()
    BookingFactory(payload=payload, customer=payload.customer, status=Booking.Status.CANCELLED)
    assert BookingFactory(payload=payload, customer=payload.customer).status == Booking.Status.CONFIRMED


def test_a_hold_always_has_an_expiry():
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(status=Booking.Status.HELD, hold_expires_at=None)


def test_a_booking_price_is_never_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingFactory(price=Decimal("-1.00"))


def test_a_reservation_names_a_platform_or_a_pad():
    launch = LaunchFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.create(
            launch=launch,
            site=launch.site,
            occupied_from=launch.window_start,
            occupied_until=launch.window_end,
        )


@pytest.mark.postgres
def test_postgres_refuses_overlapping_reservations_of_one_platform():
    """The exclusion constraint (btree_gist) holds even if a caller skips the service checks."""
    platform = MobilePlatformFactory()
    first = LaunchFactory(platform=platform)
    second = LaunchFactory(platform=platform)
    start = first.window_start
    Reservation.objects.create(
        launch=first,
        site=first.site,
        platform=platform,
        occupied_from=start,
        occupied_until=start + timedelta(hours=10),
    )
    # Back to back is allowed: the spans are half-open.
    Reservation.objects.create(
        launch=second,
        site=second.site,
        platform=platform,
        occupied_from=start + timedelta(hours=10),
        occupied_until=start + timedelta(hours=20),
    )
    with pytest.raises(IntegrityError, match="reservation_no_overlap_platform"), transaction.atomic():
        Reservation.objects.create(
            launch=second,
            site=second.site,
            platform=platform,
            occupied_from=start + timedelta(hours=9),
            occupied_until=start + timedelta(hours=11),
        )


@pytest.mark.postgres
def test_postgres_lets_a_released_reservation_be_overlapped():
    pad = PadFactory()
    launch = LaunchFactory(pad=pad, site=pad.site)
    start = launch.window_start
    Reservation.objects.create(
        launch=launch,
        site=launch.site,
        pad=pad,
        occupied_from=start,
        occupied_until=start + timedelta(hours=72),
        released_at=start,
    )
    Reservation.objects.create(
        launch=launch,
        site=launch.site,
        pad=pad,
        occupied_from=start,
        occupied_until=start + timedelta(hours=72),
    )
    assert Reservation.objects.filter(pad=pad, released_at__isnull=True).count() == 1


def test_a_reservation_holds_exactly_one_resource():
    launch = LaunchFactory()
    vehicle = VehicleFactory()
    with pytest.raises(IntegrityError, match="reservation_one_resource"), transaction.atomic():
        Reservation.objects.create(
            launch=launch,
            site=launch.site,
            vehicle=vehicle,
            range_site=launch.site,
            occupied_from=launch.window_start,
            occupied_until=launch.window_end,
        )
    rocket = Reservation.objects.create(
        launch=launch,
        site=launch.site,
        vehicle=vehicle,
        occupied_from=launch.window_start,
        occupied_until=launch.window_end,
    )
    assert rocket.kind == Reservation.Kind.VEHICLE


def test_a_range_reservation_holds_the_range_of_its_own_site():
    launch = LaunchFactory()
    other = LaunchFactory()
    with pytest.raises(IntegrityError, match="reservation_range_is_its_site"), transaction.atomic():
        Reservation.objects.create(
            launch=launch,
            site=launch.site,
            range_site=other.site,
            occupied_from=launch.window_start,
            occupied_until=launch.window_end,
        )
    held = Reservation.objects.create(
        launch=launch,
        site=launch.site,
        range_site=launch.site,
        occupied_from=launch.window_start,
        occupied_until=launch.window_end,
    )
    assert held.kind == Reservation.Kind.RANGE


@pytest.mark.postgres
def test_postgres_refuses_one_range_for_two_launches_at_once():
    """The range flies one launch at a time: two live range claims on one site cannot overlap."""
    first = LaunchFactory()
    second = LaunchFactory(site=first.site)
    start = first.window_start
    Reservation.objects.create(
        launch=first,
        site=first.site,
        range_site=first.site,
        occupied_from=start,
        occupied_until=start + timedelta(hours=5),
    )
    # Negative control: the next launch after the separation is accepted, and so is another range.
    Reservation.objects.create(
        launch=second,
        site=second.site,
        range_site=second.site,
        occupied_from=start + timedelta(hours=5),
        occupied_until=start + timedelta(hours=10),
    )
    elsewhere = LaunchFactory()
    Reservation.objects.create(
        launch=elsewhere,
        site=elsewhere.site,
        range_site=elsewhere.site,
        occupied_from=start,
        occupied_until=start + timedelta(hours=5),
    )
    with pytest.raises(IntegrityError, match="reservation_no_overlap_range_site"), transaction.atomic():
        Reservation.objects.create(
            launch=second,
            site=second.site,
            range_site=second.site,
            occupied_from=start + timedelta(hours=4),
            occupied_until=start + timedelta(hours=9),
        )


@pytest.mark.postgres
def test_postgres_refuses_one_rocket_on_two_launches_at_once():
    """A rocket cannot be in two places: two live claims on one vehicle cannot overlap."""
    vehicle = VehicleFactory()
    first = LaunchFactory()
    second = LaunchFactory()
    start = first.window_start
    Reservation.objects.create(
        launch=first,
        site=first.site,
        vehicle=vehicle,
        occupied_from=start - timedelta(days=3),
        occupied_until=start + timedelta(hours=2),
    )
    # Negative controls: another rocket at the same time, and this one once it is released.
    Reservation.objects.create(
        launch=second,
        site=second.site,
        vehicle=VehicleFactory(),
        occupied_from=start,
        occupied_until=start + timedelta(hours=2),
    )
    Reservation.objects.create(
        launch=second,
        site=second.site,
        vehicle=vehicle,
        occupied_from=start,
        occupied_until=start + timedelta(hours=2),
        released_at=start,
    )
    with pytest.raises(IntegrityError, match="reservation_no_overlap_vehicle"), transaction.atomic():
        Reservation.objects.create(
            launch=second,
            site=second.site,
            vehicle=vehicle,
            occupied_from=start + timedelta(hours=1),
            occupied_until=start + timedelta(hours=3),
        )
