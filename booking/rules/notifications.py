"""Who hears of what, and how often a failed e-mail is tried again. Pure.

A notification has an audience; this module says who is in it, in words of roles:

- a readiness step's owner role: the payload customer's mission engineers (and administrators),
  the customer's finance members (and administrators) for a finance step, the provider's
  operators for operations, range, mission control and automatic steps;
- a booking, payment or document notification: the members of that customer, by category;
- a launch notification (slipped, scrubbed, launched, a closure): the members of the customers
  booked on it.

Members choose by category whether they receive e-mail (``Notification.Category``); the portal
lists every notification either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from booking.models import Notification, OwnerRole

Reason = Notification.Reason
Category = Notification.Category

ALL_MEMBER_ROLES = ("admin", "mission", "finance", "viewer")

CATEGORY_OF: dict[str, str] = {
    Reason.LATE: Category.READINESS,
    Reason.FAILED: Category.READINESS,
    Reason.HOLD: Category.READINESS,
    Reason.RELEASED: Category.READINESS,
    Reason.CLOSURE: Category.LAUNCHES,
    Reason.BOOKING_HELD: Category.BOOKINGS,
    Reason.BOOKING_CONFIRMED: Category.BOOKINGS,
    Reason.BOOKING_CANCELLED: Category.BOOKINGS,
    Reason.BOOKING_MOVED: Category.BOOKINGS,
    Reason.PAYMENT_DUE: Category.PAYMENTS,
    Reason.PAYMENT_OVERDUE: Category.PAYMENTS,
    Reason.LAUNCH_SLIPPED: Category.LAUNCHES,
    Reason.LAUNCH_SCRUBBED: Category.LAUNCHES,
    Reason.LAUNCH_LAUNCHED: Category.LAUNCHES,
    Reason.DOCUMENT_REVIEWED: Category.DOCUMENTS,
    Reason.DEDICATED_SCHEDULED: Category.BOOKINGS,
    Reason.DEDICATED_DECLINED: Category.BOOKINGS,
    Reason.STANDBY_OFFERED: Category.BOOKINGS,
    Reason.MOVE_OFFERED: Category.BOOKINGS,
}

CATEGORY_HELP: dict[str, str] = {
    Category.BOOKINGS: "a seat held, a booking confirmed, moved to another launch or cancelled, a dedicated launch request answered, a seat offered from a standby list, a move to another launch offered",
    Category.PAYMENTS: "a payment milestone due soon, or overdue",
    Category.LAUNCHES: "a launch you are booked on slipped, scrubbed, launched, or hit a site closure",
    Category.READINESS: "a readiness step of yours is late or failed, or put the launch on hold",
    Category.DOCUMENTS: "a document you submitted was approved or rejected",
}

#: Which members of a customer a category reaches when the audience is the whole customer.
MEMBER_ROLES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    Category.BOOKINGS: ALL_MEMBER_ROLES,
    Category.PAYMENTS: ("admin", "finance"),
    Category.LAUNCHES: ALL_MEMBER_ROLES,
    Category.READINESS: ("admin", "mission"),
    Category.DOCUMENTS: ("admin", "mission"),
}

#: A step's owner role → the member roles of the booked customers who own it.
MEMBER_ROLES_BY_OWNER: dict[str, tuple[str, ...]] = {
    OwnerRole.PAYLOAD: ("admin", "mission"),
    OwnerRole.FINANCE: ("admin", "finance"),
}
#: Owner roles the provider's operators answer for.
OPERATOR_OWNER_ROLES = (
    OwnerRole.OPERATIONS,
    OwnerRole.RANGE,
    OwnerRole.MISSION_CONTROL,
    OwnerRole.SYSTEM,
)

#: The Event verbs that notify people, and as what. ``launch.status_changed`` notifies only as
#: the lift-off (``launch_status_reason``).
VERB_REASONS: dict[str, str] = {
    "booking.held": Reason.BOOKING_HELD,
    "booking.confirmed": Reason.BOOKING_CONFIRMED,
    "booking.cancelled": Reason.BOOKING_CANCELLED,
    "booking.rebooked": Reason.BOOKING_MOVED,
    "launch.slipped": Reason.LAUNCH_SLIPPED,
    "launch.scrubbed": Reason.LAUNCH_SCRUBBED,
    "document.approved": Reason.DOCUMENT_REVIEWED,
    "document.rejected": Reason.DOCUMENT_REVIEWED,
    "dedicated.scheduled": Reason.DEDICATED_SCHEDULED,
    "dedicated.declined": Reason.DEDICATED_DECLINED,
    "standby.offered": Reason.STANDBY_OFFERED,
    "booking.move_offered": Reason.MOVE_OFFERED,
}
LIFT_OFF_STATUS = "launched"


def event_reason(verb: str, after: dict) -> str | None:
    """The notification an Event makes, or ``None``."""
    if verb == "launch.status_changed":
        return Reason.LAUNCH_LAUNCHED if after.get("status") == LIFT_OFF_STATUS else None
    return VERB_REASONS.get(verb)


@dataclass(frozen=True)
class Audience:
    """Who a notification reaches: ``operators`` of the launch's provider, or members with
    ``member_roles`` of its customer (``customer_wide``) or of the customers booked on its launch."""

    operators: bool = False
    member_roles: tuple[str, ...] = ()
    customer_wide: bool = False


def audience(*, category: str, recipient_role: str, has_customer: bool) -> Audience:
    if recipient_role in OPERATOR_OWNER_ROLES:
        return Audience(operators=True)
    if recipient_role in MEMBER_ROLES_BY_OWNER:
        return Audience(member_roles=MEMBER_ROLES_BY_OWNER[recipient_role], customer_wide=has_customer)
    return Audience(member_roles=MEMBER_ROLES_BY_CATEGORY[category], customer_wide=has_customer)


# --- sending -----------------------------------------------------------------------------------

#: Attempts at one e-mail before it is marked failed.
MAX_ATTEMPTS = 6
#: How long a sender holds a delivery it took; a sender that dies leaves it to the sweep after this.
SEND_LEASE = timedelta(minutes=2)
_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1 min, 5 min, 30 min, 2 h, then 6 h."""
    return _RETRY_DELAYS[min(max(attempts, 1), len(_RETRY_DELAYS)) - 1]


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS


# --- words ---------------------------------------------------------------------------------------

#: Subject lines, filled from a notification's ``details`` (a missing detail reads as a dash).
SUBJECTS: dict[str, str] = {
    Reason.LATE: "Readiness step late on {launch}: {step}",
    Reason.FAILED: "Readiness step failed on {launch}: {step}",
    Reason.HOLD: "{launch} is on hold: {step}",
    Reason.RELEASED: "{launch} is released from hold",
    Reason.CLOSURE: "Site closure on the launch window of {launch}",
    Reason.BOOKING_HELD: "Seat held on {launch}: booking {reference}",
    Reason.BOOKING_CONFIRMED: "Booking {reference} confirmed",
    Reason.BOOKING_CANCELLED: "Booking {reference} cancelled",
    Reason.BOOKING_MOVED: "Booking {reference} moved to {launch}",
    Reason.PAYMENT_DUE: "Payment due {due}: {label}",
    Reason.PAYMENT_OVERDUE: "Payment overdue: {label}",
    Reason.LAUNCH_SLIPPED: "{launch} slipped",
    Reason.LAUNCH_SCRUBBED: "{launch} scrubbed",
    Reason.LAUNCH_LAUNCHED: "{launch} has launched",
    Reason.DOCUMENT_REVIEWED: "{document} {outcome}",
    Reason.DEDICATED_SCHEDULED: "Your dedicated launch is scheduled: {launch}",
    Reason.DEDICATED_DECLINED: "Dedicated launch request {reference} declined",
    Reason.STANDBY_OFFERED: "A seat on {launch} is offered to {payload} until {hold_expires}",
    Reason.MOVE_OFFERED: "Booking {reference}: a move to another launch is offered",
}


class _Dash(dict):
    def __missing__(self, key: str) -> str:
        return "–"


def subject_for(reason: str, details: dict) -> str:
    """The e-mail subject of a notification, at most 200 characters."""
    return SUBJECTS[reason].format_map(_Dash({k: str(v) for k, v in details.items()}))[:200]
