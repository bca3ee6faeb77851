"""The terms of cancelling or moving a booking, gathered from rows: the provider's cancellation
tiers, what was paid, the time before launch, the price on the new launch and whether the
rebooking fee is waived. The figures are ``booking.rules.money``'s; the portal, the API and the
services (under their locks) all ask here, so what a customer is shown is what is charged.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import Conflict
from booking.models import Booking, Event, Launch
from booking.rules.money import (
    PROVIDER_INITIATIVE,
    WAIVING_CAUSES,
    CancelTerms,
    FeeTier,
    RebookTerms,
    cancellation_terms,
    rebooking_terms,
    whole_days_before,
)
from booking.selectors.capacity import BOOKED_STATUSES
from booking.selectors.ports import Seat, rebook_seat
from booking.selectors.prices import rebook_price
from vehicles.models import CancellationTier, Provider


def cancellation_tiers(provider: Provider) -> list[FeeTier]:
    """The provider's cancellation policy, most days first."""
    rows = CancellationTier.objects.filter(provider=provider).order_by("-days_before_launch")
    return [FeeTier(days_before_launch=row.days_before_launch, fee_percent=row.fee_percent) for row in rows]


def booking_cancel_terms(*, booking: Booking, now: datetime | None = None) -> CancelTerms:
    """What cancelling ``booking`` at ``now`` costs and refunds; ``Conflict`` for a booking that
    cannot be cancelled (flown, cancelled, expired). A booking on a launch scrubbed for the
    provider or the weather is cancelled free, as it would move free."""
    now = now or timezone.now()
    if booking.status not in (Booking.Status.HELD, *BOOKED_STATUSES):
        raise Conflict(
            _("booking %(reference)s is %(status)s: there is nothing to cancel")
            % {"reference": booking.reference, "status": booking.get_status_display().lower()}
        )
    launch = booking.launch
    no_fee_because = ""
    if booking.status not in BOOKED_STATUSES:  # a hold was never agreed
        no_fee_because = "held"
    elif launch.status == Launch.Status.SCRUBBED:
        no_fee_because = delay_waiver(booking=booking)
    return cancellation_terms(
        price=booking.price,
        amount_paid=booking.amount_paid,
        currency=booking.currency,
        days_before_launch=whole_days_before(launch_net=launch.net, now=now),
        tiers=[] if no_fee_because else cancellation_tiers(launch.provider),
        no_fee_because=no_fee_because,
    )


def _on_launch_since(booking: Booking) -> datetime:
    """When the booking came onto its launch: its last move there, or its hold."""
    moved = (
        Event.objects.filter(verb="booking.rebooked", subject_type="booking", subject_id=booking.pk)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    return moved or booking.created_at


def delay_waiver(*, booking: Booking) -> str:
    """The cause of a slip or scrub of the booking's launch, since the booking came onto it, that
    the customer did not make (provider or technical, weather); empty when there is none."""
    cause = (
        Event.objects.filter(
            launch_id=booking.launch_id,
            verb__in=("launch.slipped", "launch.scrubbed"),
            after__cause__in=list(WAIVING_CAUSES),
            created_at__gte=_on_launch_since(booking),
        )
        .order_by("-created_at", "-pk")
        .values_list("after__cause", flat=True)
        .first()
    )
    return str(cause) if cause else ""


def booking_rebook_terms(
    *,
    booking: Booking,
    launch: Launch,
    now: datetime | None = None,
    provider_initiated: bool = False,
    seat: Seat | None = None,
) -> RebookTerms:
    """What moving ``booking`` to ``launch`` costs: the seat's price there, the rebooking fee
    (waived on the provider's initiative or after a provider or weather delay) and the credit."""
    now = now or timezone.now()
    seat = seat or rebook_seat(booking=booking, target=launch)
    new_price = rebook_price(booking=booking, launch=launch, seat=seat, now=now).quote.total
    waived = PROVIDER_INITIATIVE if provider_initiated else delay_waiver(booking=booking)
    return rebooking_terms(
        old_price=booking.price,
        new_price=new_price,
        amount_paid=booking.amount_paid,
        currency=booking.currency,
        fee_percent=booking.launch.provider.rebooking_fee_percent,
        waived_because=waived,
        launch_id=launch.pk,
    )
