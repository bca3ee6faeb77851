"""Every row lock of the project, one helper per kind of row, each under a short lock wait.

A lock that waits longer than ``LAUNCHBOOK_LOCK_TIMEOUT_MS`` answers ``Busy`` ("busy, retry")
instead of hanging. Callers are inside ``transaction.atomic``.

THE lock order. A transaction that takes more than one kind of row lock takes them in this order,
each kind in pk order, so two writers never wait for each other in a circle:

1. platform or pad (``lock_platform_or_pad``): the scheduling services, first of all;
2. vehicle (``lock_vehicle``);
3. launch rows by pk (``lock_launches``, ``launch_lock``): every writer of bookings, capacity,
   status or readiness of a launch; the launch row is also the lock of its readiness plan and
   of its ports (slots taken are counted from bookings under it: ports have no lock of their own);
   a launch site's range (``lock_range``) follows: scheduling and slips book a range one writer
   at a time (a new launch has no row to lock yet, so scheduling takes the range after the vehicle);
   then a standby entry (``lock_standby_entry``): withdrawing or accepting an offer locks the
   offer's launch first; the offer pass claims entries with ``claim_unlocked`` (never waits);
4. customer (``lock_customer``; a hold takes it with its quote and payload in one statement,
   ``lock_quote_customer_and_payload``): a customer's holds on different launches queue here so
   the provider's hold limits count them one by one;
5. payload (``lock_payload``, or the hold's statement above, which locks it after the customer):
   a mass change (``payload_update``, which takes this lock alone) cannot slip between a hold's fit
   check and its insert; a confirm locks it after the launch so its sizes hold still while the
   envelope is checked;
6. booking (``lock_booking``, ``lock_launch_bookings``);
7. contract (``lock_contract``);
8. payment milestone (``lock_milestone_with_booking``: the booking, then the milestone), then its
   invoice (``lock_invoice_with_booking``: the booking, the milestone, the invoice);
9. readiness plan (``lock_readiness_plan``), after its launch;
10. number series (``lock_number_series``): held to the commit by every issue of a provider's
    invoices (or receipts) in a year, so the number is taken as late as possible;
11. dedicated launch request (``lock_dedicated_request``), last: scheduling one locks it after the
    new launch is written (platform, vehicle, range), and a confirm that books it after the
    booking, contract, milestones and their invoices.

Customer, payload and contract rows are locked ``FOR NO KEY UPDATE``: it queues the writers of the
row, yet lets other transactions insert rows that point at it (a foreign key check takes
``FOR KEY SHARE``, and Django's foreign keys are checked at commit, after every lock above).
A mass change holding the payload writes an Event naming the customer while a hold holds that
customer and waits for the payload: with ``FOR UPDATE`` on the customer the two would deadlock.

Rows taken alone, with no other lock held in the same transaction, stand outside the order:
an API token (``lock_api_token``, ``lock_user_api_tokens``), a webhook endpoint
(``lock_webhook_endpoint``), a webhook delivery whose attempt is recorded
(``lock_webhook_delivery``), a document under review (``lock_document``), and a customer whose
calendar address is rotated (``lock_customer``, taken alone there).

Periodic claims (``bookings_release_expired``, ``quotes_expire``, the readiness reconciler, the
webhook sender) take their rows with ``claim_unlocked`` (``SELECT … FOR UPDATE SKIP LOCKED``):
they never wait, so they need no wait limit and take no place in the order; a row someone else
holds is picked up on the next pass.

No other module calls ``select_for_update``: ``tests/project/test_house_rules.py`` holds it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import OperationalError, connection, transaction
from django.db.models import ForeignKey, Model, QuerySet
from django.utils.translation import gettext as _

from booking.errors import Busy
from booking.models import (
    ApiToken,
    Booking,
    DedicatedRequest,
    Invoice,
    Launch,
    NumberSeries,
    Quote,
    ReadinessPlan,
    StandbyEntry,
    WebhookDelivery,
    WebhookEndpoint,
)
from booking.selectors.kept_reads import KeptReads
from customers.models import Contract, Customer, Document, Payload, PaymentMilestone
from vehicles.models import LaunchSite, MobilePlatform, Pad, Vehicle

RowT = TypeVar("RowT", bound=Model)


@contextmanager
def short_lock_wait(what: str) -> Iterator[None]:
    """Run a locking query with ``lock_timeout`` set; a timeout becomes ``Busy``.

    Caller is inside ``transaction.atomic``. On SQLite, transactions are IMMEDIATE: the write
    lock is taken at BEGIN and waits up to the connection timeout, so there is nothing to set.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("short_lock_wait needs an open transaction")
    if connection.vendor == "postgresql" and not _lock_timeout_set_in_this_transaction():
        # SET LOCAL takes no bound parameter; set_config(..., true) is the same, and takes one.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{settings.LAUNCHBOOK_LOCK_TIMEOUT_MS}ms"]
            )
        transaction.on_commit(_LockTimeoutMark())
    try:
        yield
    except OperationalError as exc:
        text = str(exc).lower()
        if "lock" in text or "database is locked" in text:
            raise Busy(
                _("%(what)s is being changed by someone else right now; please retry.") % {"what": what}
            ) from exc
        raise


#: PostgreSQL's SQLSTATE for a deadlock it broke by aborting this transaction.
DEADLOCK_DETECTED = "40P01"


@contextmanager
def deadlock_as_busy(what: str) -> Iterator[None]:
    """Around a whole transaction: a deadlock PostgreSQL broke by aborting it answers ``Busy``.

    Writers that take their locks in THE order never deadlock on them; concurrent inserts checked
    by an exclusion constraint (claims of a platform, rocket and range) can still wait on each
    other's uncommitted rows, and then one of them is aborted: retrying it is the answer.
    """
    try:
        yield
    except OperationalError as exc:
        cause = exc.__cause__
        if (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) == DEADLOCK_DETECTED:
            raise Busy(
                _("%(what)s is being changed by someone else right now; please retry.") % {"what": what}
            ) from exc
        raise


class _LockTimeoutMark:
    """Left in the transaction's on-commit list when ``SET LOCAL lock_timeout`` ran in it.

    Django drops the list's entries when the transaction ends (commit or rollback) and those added
    inside a savepoint when it rolls back, exactly when PostgreSQL forgets a ``SET LOCAL``. So the
    mark is present if and only if the lock wait is still set: a transaction taking several locks
    sets it once, before the first.
    """

    def __call__(self) -> None:
        """Nothing to do after commit: the mark only needs to be in the list."""


def _lock_timeout_set_in_this_transaction() -> bool:
    return any(isinstance(entry[1], _LockTimeoutMark) for entry in connection.run_on_commit)


#: The lock statements of the booking flow and of scheduling, compiled once
#: (``selectors.kept_reads``).
_KEPT_LOCKS = KeptReads()


def _lock_one(
    model: type[RowT],
    pk: int,
    *,
    of: tuple[str, ...] = (),
    no_key: bool = False,
    related: tuple[str, ...] = (),
) -> RowT:
    """One row locked by id and read fresh (``DoesNotExist`` when it is gone), a kept statement per
    model and lock. Caller is inside ``short_lock_wait``."""

    def build(value: int) -> QuerySet[RowT]:
        rows = model._default_manager.select_for_update(of=of, no_key=no_key)
        return (rows.select_related(*related) if related else rows).filter(pk=value)

    return cast(RowT, _KEPT_LOCKS.get((model, of, no_key, related), build, pk))


# --- 1. platform or pad, 2. vehicle ----------------------------------------------------------


def lock_platform_or_pad(
    *, platform: MobilePlatform | None = None, pad: Pad | None = None, what: str
) -> MobilePlatform | Pad | None:
    """Lock the mobile platform or the pad a launch uses; first in the order. Answers the row as
    locked (the platform's when both are given), ``None`` when it is gone."""
    locked_platform: MobilePlatform | None = None
    locked_pad: Pad | None = None
    with short_lock_wait(what):
        # Ordered by pk: the models' default order joins the provider or site, whose row FOR UPDATE
        # would then lock too (and queue every scheduler of that provider on it).
        if platform is not None:
            found = _KEPT_LOCKS.rows(
                "platform",
                lambda pk: MobilePlatform.objects.select_for_update().filter(pk=pk).order_by("pk"),
                platform.pk,
            )
            locked_platform = found[0] if found else None
        if pad is not None:
            found_pads = _KEPT_LOCKS.rows(
                "pad", lambda pk: Pad.objects.select_for_update().filter(pk=pk).order_by("pk"), pad.pk
            )
            locked_pad = found_pads[0] if found_pads else None
    return locked_platform if platform is not None else locked_pad


def lock_range(*, site: LaunchSite) -> None:
    """Lock a launch site's row: one writer at a time books its range (range separation)."""
    with short_lock_wait(f"{site.name} range"):
        _KEPT_LOCKS.rows(
            "range", lambda pk: LaunchSite.objects.select_for_update().filter(pk=pk).order_by("pk"), site.pk
        )


def lock_vehicle(*, vehicle: Vehicle) -> Vehicle:
    """Lock one vehicle (a serial) and return it fresh; after its platform or pad."""
    with short_lock_wait(vehicle.serial):
        return _lock_one(Vehicle, vehicle.pk)


# --- 3. launch rows --------------------------------------------------------------------------


#: What a locked launch comes with: the rows its checks read (not locked).
LAUNCH_RELATED = ("vehicle_model", "vehicle__vehicle_model", "provider")


def _launch_lock_query(*, carried: bool) -> QuerySet[Launch]:
    locked = Launch.objects.select_for_update(of=("self",), no_key=True)
    return locked if carried else locked.select_related(*LAUNCH_RELATED)


def lock_launches(launches: Sequence[Launch], *, keep_related: bool = False) -> dict[int, Launch]:
    """Lock the launch rows, in pk order, with a short wait; contention becomes ``Busy``.

    This is the seam the capacity invariant rests on: the race test's negative control replaces
    it with an unlocked read to show that the test catches overbooking. Callers look it up on this
    module (``locking.lock_launches``) so that replacement reaches them all.

    ``FOR NO KEY UPDATE``: it queues every writer that takes this lock, but not the foreign-key
    checks of rows that merely name the launch (a quote, an event): with ``FOR UPDATE`` a quote
    inserted meanwhile waited for the hold, and one that had already key-share locked the
    customer deadlocked with it.

    Each launch answered comes with its vehicle model, rocket (with its model) and provider
    (``LAUNCH_RELATED``; none of them locked). With ``keep_related``, when every launch given
    already carries them (the hold's quote read them a moment before its transaction), the lock
    reads the launch rows alone and the
    answer keeps those the locked row still names: the same rows a join here would read a moment
    later, none locked either way, for one join-free statement under the wait.
    """
    ids = sorted({launch.pk for launch in launches})
    names = ", ".join(sorted({launch.name for launch in launches}))
    carried = keep_related and all(_carries_related(launch) for launch in launches)
    with short_lock_wait(f"launch {names}"):
        if len(ids) == 1:  # the booking flow's: one launch, its statement kept
            rows = _KEPT_LOCKS.rows(
                ("launch", carried), lambda pk: _launch_lock_query(carried=carried).filter(pk=pk), ids[0]
            )
        else:
            rows = list(_launch_lock_query(carried=carried).filter(pk__in=ids).order_by("pk"))
        fresh = {launch.pk: launch for launch in rows}
    if carried:
        for launch in launches:
            if launch.pk in fresh:
                _keep_related(fresh[launch.pk], launch)
    return fresh


def _related_field(model: type[Model], name: str) -> ForeignKey:
    return cast(ForeignKey, model._meta.get_field(name))


def _carries_related(launch: Launch) -> bool:
    if not all(_related_field(Launch, name).is_cached(launch) for name in ("vehicle_model", "provider")):
        return False
    if launch.vehicle_id is None:
        return True
    vehicle = launch.vehicle if _related_field(Launch, "vehicle").is_cached(launch) else None
    return vehicle is not None and _related_field(Vehicle, "vehicle_model").is_cached(vehicle)


def _keep_related(fresh: Launch, known: Launch) -> None:
    """Give the freshly locked row the related rows ``known`` carries, where it names the same ones
    (a row it names differently since is read when first asked for).

    A row is kept without what was prefetched onto it (a vehicle model's capacity points, say, or
    the kept catalog's): what is checked under the lock is read from the rows under it.
    """
    for name in ("vehicle_model", "provider", "vehicle"):
        field = _related_field(Launch, name)
        if getattr(fresh, field.attname) == getattr(known, field.attname) and field.is_cached(known):
            field.set_cached_value(fresh, _without_prefetches(field.get_cached_value(known)))


def _without_prefetches(row: RowT | None) -> RowT | None:
    if row is None or not getattr(row, "_prefetched_objects_cache", None):
        return row
    clone = copy.copy(row)  # Django copies the row's state and its cache of related rows
    clone.__dict__.pop("_prefetched_objects_cache", None)
    return clone


def launch_lock(*, launch: Launch, related: Sequence[str] = ()) -> Launch:
    """Lock one launch row and return it fresh, with the ``related`` rows loaded (not locked).

    The launch row is the lock for its readiness plan too: every writer of a plan's steps takes
    it first, so the order is always launch, then plan rows.
    """
    with short_lock_wait(f"Launch {launch.name}"):
        locked = Launch.objects.select_for_update(of=("self",))
        if related:  # select_related() with no names would follow every foreign key
            locked = locked.select_related(*related)
        return locked.get(pk=launch.pk)


def lock_standby_entry(*, entry: StandbyEntry) -> StandbyEntry:
    """Lock one standby entry and return it fresh; after the launch of its offer, if any."""
    with short_lock_wait("the standby entry"):
        return (
            StandbyEntry.objects.select_for_update(of=("self",))
            .select_related("payload", "customer", "launch", "offer_booking")
            .get(pk=entry.pk)
        )


# --- 4. customer, 5. payload -----------------------------------------------------------------


def lock_customer(*, customer_id: int, what: str) -> Customer:
    """Lock one customer row and return it fresh; after the launch rows."""
    with short_lock_wait(what):
        return Customer.objects.select_for_update(of=("self",), no_key=True).get(pk=customer_id)


def lock_quote_customer_and_payload(quote_id: int) -> Quote:
    """Re-read a quote with its customer and payload, locking all three rows in one statement
    (customer before payload, THE order's 4 and 5); the hold's lock after its launch's.

    The customer row queues one customer's holds, so they are counted one after the other against
    the provider's hold limits; the payload row queues a hold against a mass change
    (``payload_update`` locks it alone), so a booking always carries its payload's mass. Each half
    has a race test whose negative control replaces this seam with one that leaves that row
    unlocked. The quote's port and adapter are not read again: a quote's seat never changes.
    """
    with short_lock_wait("the customer's holds"):
        locked = _KEPT_LOCKS.get(
            "quote, customer and payload",
            lambda pk: (
                Quote.objects.select_for_update(of=("self", "customer", "payload"), no_key=True)
                .select_related("customer", "payload")
                .filter(pk=pk)
            ),
            quote_id,
        )
    return cast(Quote, locked)


def lock_payload(*, payload_id: int) -> Payload:
    """Lock one payload row and return it fresh; after the customer, before its bookings.

    A hold takes it before checking the fit, and ``payload_update`` before changing mass or
    orbit: one of them waits for the other, so a booking always carries its payload's mass (the
    payload race test's negative control replaces this seam).
    """
    with short_lock_wait("the payload"):
        return _lock_one(Payload, payload_id, of=("self",), no_key=True)


# --- 6. booking, 7. contract, 8. milestone and invoice, 9. plan, 10. number series --------------


def lock_booking(*, booking: Booking) -> Booking:
    """Lock one booking row and return it fresh, with its customer; after its launch."""
    with short_lock_wait(f"booking {booking.reference}"):
        return _lock_one(Booking, booking.pk, of=("self",), related=("customer",))


def lock_launch_bookings(*, launch: Launch, statuses: Sequence[str]) -> list[Booking]:
    """Lock the launch's bookings in ``statuses`` (pk order), with their customers loaded.

    Caller holds the launch row lock.
    """
    with short_lock_wait(f"the bookings on {launch.name}"):
        return list(
            Booking.objects.select_for_update(of=("self",))
            .select_related("customer")
            .filter(launch=launch, status__in=statuses)
            .order_by("pk")
        )


def lock_contract(*, contract_id: int, what: str) -> Contract:
    """Lock one contract row (``FOR NO KEY UPDATE``) and return it fresh; after the booking.

    Its milestones and invoices point at it: a cancel issuing a fee's invoice under the number
    series takes ``FOR KEY SHARE`` on the contract when it commits, and with ``FOR UPDATE`` here a
    confirm holding the contract and waiting for that series closed a circle.
    """
    with short_lock_wait(what):
        return _lock_one(Contract, contract_id, of=("self",), no_key=True)


def lock_milestone_with_booking(
    *, milestone: PaymentMilestone
) -> tuple[Booking | None, PaymentMilestone | None]:
    """Lock the booking a milestone pays for (if any), then the milestone; both fresh.

    The milestone is ``None`` when it is gone (a cancel or rebook dropped it while this waited).
    """
    with short_lock_wait(f"milestone {milestone.label}"):
        booking = None
        if milestone.reference:
            booking = (
                Booking.objects.select_for_update(of=("self",))
                .select_related("launch__provider")
                .filter(reference=milestone.reference, contract_id=milestone.contract_id)
                .first()
            )
        locked = (
            PaymentMilestone.objects.select_for_update(of=("self",))
            .select_related("contract__customer", "contract__provider")
            .filter(pk=milestone.pk)
            .first()
        )
    return booking, locked


def lock_invoice_with_booking(*, invoice: Invoice) -> tuple[Booking | None, PaymentMilestone | None, Invoice]:
    """Lock the booking an invoice bills (if any), its milestone (if it still has one), then the
    invoice; all fresh. The milestone is ``None`` for an invoice whose milestone was dropped."""
    with short_lock_wait(f"invoice {invoice.number}"):
        booking = (
            Booking.objects.select_for_update(of=("self",)).filter(pk=invoice.booking_id).first()
            if invoice.booking_id is not None
            else None
        )
        milestone = (
            PaymentMilestone.objects.select_for_update(of=("self",)).filter(pk=invoice.milestone_id).first()
            if invoice.milestone_id is not None
            else None
        )
        locked = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("provider", "customer", "contract")
            .get(pk=invoice.pk)
        )
    return booking, milestone, locked


def _series_rows(provider_id: int, kind: str, year: int) -> QuerySet[NumberSeries]:
    return (
        NumberSeries.objects.select_for_update()
        .filter(provider_id=provider_id, kind=kind, year=year)
        .order_by("pk")
    )


def lock_number_series(*, provider_id: int, kind: str, year: int) -> NumberSeries:
    """Lock (creating it at 0 if it is new) one provider's series of invoice or receipt numbers
    for a year, and return it fresh. Last in the lock order; held until the commit."""
    what = f"the {kind} numbers of {year}"
    rows = NumberSeries.objects.select_for_update().filter(provider_id=provider_id, kind=kind, year=year)
    with short_lock_wait(what):
        found = _KEPT_LOCKS.rows("number series", _series_rows, (provider_id, kind, year))
        series = found[0] if found else None
        if series is None:
            # Two first issues of a year race to create the row: the unique index lets one insert
            # win and makes the other wait for its commit, then insert nothing; both then queue on
            # the one row. That insert waits like a lock, so it is under the same short wait; and
            # waiting on an uncommitted row can close a cycle PostgreSQL breaks by aborting one
            # side: that side is answered "busy, retry", like any lock it could not take.
            NumberSeries.objects.bulk_create(
                [NumberSeries(provider_id=provider_id, kind=kind, year=year)], ignore_conflicts=True
            )
            series = rows.get()
    return series


def lock_readiness_plan(*, plan: ReadinessPlan) -> ReadinessPlan:
    """Lock one readiness plan row and return it fresh. Caller holds its launch's row lock."""
    with short_lock_wait(f"the readiness plan of launch {plan.launch_id}"):
        return _lock_one(ReadinessPlan, plan.pk, of=("self",))


# --- rows taken alone ------------------------------------------------------------------------


def lock_dedicated_request(*, request_id: int) -> DedicatedRequest:
    """Re-read a dedicated launch request under its row lock (last in the lock order)."""
    with short_lock_wait("the dedicated launch request"):
        return (
            DedicatedRequest.objects.select_for_update(of=("self",))
            .select_related("customer", "payload", "vehicle_model", "launch")
            .get(pk=request_id)
        )


def lock_api_token(*, token: ApiToken) -> ApiToken:
    """Lock one API token and return it fresh; no other lock is held with it."""
    with short_lock_wait(f"API token {token.prefix}…"):
        return ApiToken.objects.select_for_update().get(pk=token.pk)


def lock_user_api_tokens(*, user: AbstractBaseUser) -> list[ApiToken]:
    """Lock the live API tokens of ``user`` in pk order; no other lock is held with them."""
    with short_lock_wait(f"the API tokens of {user.get_username()}"):
        return list(
            ApiToken.objects.select_for_update()
            .filter(user_id=user.pk, revoked_at__isnull=True)
            .order_by("pk")
        )


def lock_webhook_endpoint(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Lock one webhook endpoint and return it fresh; no other lock is held with it."""
    with short_lock_wait(f"webhook endpoint {endpoint.url}"):
        return WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)


def lock_webhook_delivery(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Lock one webhook delivery, with its endpoint loaded, and return it fresh; no other lock is
    held with it (the sender records an attempt under it)."""
    with short_lock_wait(f"webhook delivery {delivery.pk}"):
        return WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)


def lock_document(*, document: Document) -> Document:
    """Lock one document under review and return it fresh; no other lock is held with it."""
    with short_lock_wait(f"the {document.get_kind_display().lower()}"):
        return Document.objects.select_for_update().get(pk=document.pk)


# --- periodic claims -------------------------------------------------------------------------


def claim_unlocked(queryset: QuerySet[RowT], *, of: Sequence[str] = ()) -> QuerySet[RowT]:
    """``queryset`` locking its rows ``FOR UPDATE SKIP LOCKED`` (of the ``of`` tables, else all):
    rows another transaction holds are passed over, never waited for. Caller is inside
    ``transaction.atomic`` and evaluates the queryset there."""
    return queryset.select_for_update(skip_locked=True, of=tuple(of))
