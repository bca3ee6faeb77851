"""Read queries behind the portal pages, always for one customer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from booking.models import Booking, Event, Launch, PlanStep, Quote, ReadinessPlan
from booking.rules.orbit import names_text
from booking.rules.readiness import step_late_at
from booking.selectors.capacity import capacity_taking_q
from booking.selectors.contracts import contract_usage
from booking.selectors.orbit import catalog_orbit_review
from customers.models import Contract, Customer, Document, Payload, PaymentMilestone
from vehicles.models import OrbitFamily


def upcoming_launches(*, customer: Customer, now: datetime | None = None) -> list[Launch]:
    """Active launches carrying one of the customer's live bookings, soonest first.

    Each launch has ``my_bookings``: the customer's bookings on it.
    """
    now = now or timezone.now()
    mine = Booking.objects.filter(capacity_taking_q(now=now), customer=customer).select_related("payload")
    return list(
        Launch.objects.filter(
            capacity_taking_q(now=now, prefix="bookings__"),
            status__in=Launch.ACTIVE_STATUSES,
            window_end__gte=now,
            bookings__customer=customer,
        )
        .distinct()
        .select_related("site", "vehicle_model", "provider")
        .prefetch_related(Prefetch("bookings", queryset=mine, to_attr="my_bookings"))
        .order_by("net", "pk")
    )


def bookings_by_status(*, customer: Customer) -> list[tuple[str, str, int]]:
    """(status, label, count) for every booking status, in the lifecycle's order."""
    counts = dict(
        Booking.objects.filter(customer=customer)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in Booking.Status.choices]


def customer_bookings(*, customer: Customer, status: str | None = None) -> QuerySet[Booking]:
    qs = Booking.objects.filter(customer=customer).select_related("launch__site", "payload", "contract")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


@dataclass
class MilestoneRow:
    milestone: PaymentMilestone
    booking: Booking | None
    overdue: bool


def payments_due(
    *, customer: Customer, now: datetime | None = None, limit: int | None = None
) -> list[MilestoneRow]:
    """Unpaid milestones of the customer's contracts, oldest due first, with their booking."""
    now = now or timezone.now()
    qs = (
        PaymentMilestone.objects.filter(contract__customer=customer, paid_at__isnull=True)
        .select_related("contract__provider")
        .order_by("due_at", "pk")
    )
    milestones = list(qs[:limit] if limit else qs)
    return _with_bookings(customer, milestones, now)


def _with_bookings(
    customer: Customer, milestones: list[PaymentMilestone], now: datetime
) -> list[MilestoneRow]:
    references = {m.reference for m in milestones if m.reference}
    bookings = {b.reference: b for b in Booking.objects.filter(customer=customer, reference__in=references)}
    return [
        MilestoneRow(m, bookings.get(m.reference), m.paid_at is None and m.due_at < now) for m in milestones
    ]


@dataclass
class ContractSummary:
    contract: Contract
    launches_used: int
    launches_remaining: int
    paid: Decimal
    outstanding: Decimal
    milestones: list[MilestoneRow]
    bookings: list[Booking]


def contract_summaries(*, customer: Customer, now: datetime | None = None) -> list[ContractSummary]:
    now = now or timezone.now()
    contracts = (
        Contract.objects.filter(customer=customer).select_related("provider").order_by("-status", "reference")
    )
    summaries = []
    for contract in contracts:
        usage = contract_usage(contract)  # the engine's count: distinct launches used
        bookings = list(
            Booking.objects.filter(contract=contract)
            .select_related("launch", "payload")
            .order_by("launch__net")
        )
        summaries.append(
            ContractSummary(
                contract=contract,
                launches_used=usage.launches_used,
                launches_remaining=usage.launches_remaining,
                paid=usage.amount_paid,
                outstanding=usage.amount_due,
                milestones=_with_bookings(customer, usage.milestones, now),
                bookings=bookings,
            )
        )
    return summaries


def customer_payloads(*, customer: Customer) -> QuerySet[Payload]:
    live = Booking.objects.filter(capacity_taking_q(now=timezone.now())).select_related("launch")
    return (
        Payload.objects.filter(customer=customer)
        .prefetch_related(Prefetch("bookings", queryset=live, to_attr="live_bookings"))
        .order_by("name")
    )


@dataclass
class TimelineStep:
    step: PlanStep
    overdue: bool

    @property
    def late(self) -> bool:
        return self.step.status == PlanStep.Status.LATE or self.overdue


def readiness_timeline(
    *, launch: Launch, now: datetime | None = None
) -> tuple[ReadinessPlan | None, list[TimelineStep]]:
    """The launch's readiness plan and its steps; ``overdue`` marks an open step past its due time
    and its grace (``readiness.step_late_at``), as the reconciler counts it."""
    now = now or timezone.now()
    plan = ReadinessPlan.objects.filter(launch=launch).select_related("template").first()
    if plan is None:
        return None, []
    steps = list(plan.steps.order_by("due_at", "position"))
    return plan, [
        TimelineStep(step=s, overdue=s.status in PlanStep.OPEN_STATUSES and step_late_at(s) <= now)
        for s in steps
    ]


def events_for_booking(*, booking: Booking, limit: int = 50) -> QuerySet[Event]:
    """The booking's own events and the launch-wide ones (slips, holds, readiness) of its launch."""
    return Event.objects.filter(
        Q(customer=booking.customer, subject_type="booking", subject_id=booking.pk)
        | Q(launch=booking.launch_id, customer__isnull=True)
    ).order_by("-created_at", "-pk")[:limit]


def events_for_customer(*, customer: Customer, limit: int = 100) -> QuerySet[Event]:
    return Event.objects.filter(customer=customer).order_by("-created_at", "-pk")[:limit]


def payload_documents(*, customer: Customer, payload: Payload | None = None) -> QuerySet[Document]:
    qs = Document.objects.filter(customer=customer).select_related("payload", "uploaded_by")
    if payload is not None:
        qs = qs.filter(payload=payload)
    return qs.order_by("-uploaded_at", "-pk")


REQUIRED_DOCUMENT_KINDS = (Document.Kind.ICD, Document.Kind.MASS_PROPERTIES, Document.Kind.EXPORT)


def required_documents(*, customer: Customer, payload: Payload) -> list[tuple[str, str, Document | None]]:
    """For each document a launch needs: (kind, label, the latest one submitted or None)."""
    latest: dict[str, Document] = {}
    for doc in payload_documents(customer=customer, payload=payload):
        latest.setdefault(doc.kind, doc)
    return [(kind.value, str(kind.label), latest.get(kind.value)) for kind in REQUIRED_DOCUMENT_KINDS]


# --- the live orbit check on the payload form ------------------------------------------------

# Error keys of ``catalog_orbit_review`` that name a form field differently.
_PROBLEM_FIELDS = {"family": "orbit_family"}


def _deg(value: float | Decimal) -> str:
    return f"{float(value):.1f}°"


def _kg(value: Decimal) -> str:
    return f"{value:,.1f} kg".replace(".0 kg", " kg")


@dataclass
class OrbitAssessment:
    """What the catalog says about a target orbit, for a person filling in a payload form.

    ``errors`` (per form field) are the refusals of ``catalog_orbit_review``, the rule the
    payload services apply; ``notes`` explain what was computed and which sites and rockets fit;
    ``warnings`` do not block saving.
    """

    inclination_deg: Decimal | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def orbit_assessment(
    *,
    orbit_family: str,
    altitude_km: int | None,
    inclination_deg: Decimal | None,
    mass_kg: Decimal | None = None,
) -> OrbitAssessment:
    """Can the catalog reach this orbit, and what does it take? The payload services' rule
    (``booking.selectors.orbit.catalog_orbit_review``): its problems are the errors, its
    warnings the warnings; the notes say what was computed and which sites and rockets fit."""
    result = OrbitAssessment(inclination_deg=inclination_deg)
    if altitude_km is None or not orbit_family:
        return result
    review = catalog_orbit_review(
        orbit_family=orbit_family, altitude_km=altitude_km, inclination_deg=inclination_deg, mass_kg=mass_kg
    )
    result.errors = {_PROBLEM_FIELDS.get(key, key): message for key, message in review.problems.items()}
    if result.errors:
        return result
    result.warnings = list(review.warnings)
    label = f"{orbit_family} {altitude_km} km"
    if orbit_family == OrbitFamily.SSO and inclination_deg is None and review.inclination_deg is not None:
        result.notes.append(
            f"A sun-synchronous orbit at {altitude_km} km has an inclination of {_deg(review.inclination_deg)}, "
            "computed from the altitude."
        )
    result.inclination_deg = review.inclination_deg
    if result.inclination_deg is not None and review.reaching_sites:
        result.notes.append(
            f"{_deg(result.inclination_deg)} is reachable from {names_text(review.reaching_sites)}."
        )
    if review.heaviest is not None and not result.warnings:
        result.notes.append(
            f"The largest rocket to {label} lifts {_kg(review.heaviest[0])} ({review.heaviest[1]})."
        )
    return result


#: The quotes list's filters: what a customer sees a quote as now (an open quote past its validity
#: is expired, even before the periodic expiry marks it).
QUOTE_FILTERS = (
    (Quote.Status.OPEN, Quote.Status.OPEN.label),
    (Quote.Status.EXPIRED, Quote.Status.EXPIRED.label),
    (Quote.Status.ACCEPTED, Quote.Status.ACCEPTED.label),
)


def quote_status_now(quote: Quote, *, now: datetime) -> str:
    if quote.status == Quote.Status.OPEN and quote.valid_until <= now:
        return Quote.Status.EXPIRED
    return quote.status


@dataclass(frozen=True)
class QuoteRow:
    quote: Quote
    status: str  # ``quote_status_now``

    @property
    def status_label(self) -> str:
        return str(Quote.Status(self.status).label)


def customer_quotes(
    *, customer: Customer, status: str | None = None, now: datetime | None = None
) -> list[QuoteRow]:
    """The customer's quotes, newest first, as they stand now (``quote_status_now``)."""
    now = now or timezone.now()
    qs = Quote.objects.filter(customer=customer).select_related(
        "launch__site", "vehicle_model", "provider", "payload"
    )
    if status == Quote.Status.OPEN:
        qs = qs.filter(status=Quote.Status.OPEN, valid_until__gt=now)
    elif status == Quote.Status.EXPIRED:
        qs = qs.filter(Q(status=Quote.Status.EXPIRED) | Q(status=Quote.Status.OPEN, valid_until__lte=now))
    elif status == Quote.Status.ACCEPTED:
        qs = qs.filter(status=Quote.Status.ACCEPTED)
    return [QuoteRow(quote, quote_status_now(quote, now=now)) for quote in qs.order_by("-created_at", "-pk")]
