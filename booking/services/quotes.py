"""Quotes: written from ``selectors.prices.quote_price`` (rideshare per kg with a minimum,
dedicated launches, express, add-ons), and expired when their validity runs out.

Money is Decimal throughout; every line is converted to the quote's currency and rounded
ROUND_HALF_UP to cents once, and the total is the sum of the rounded lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from booking.dates import when
from booking.models import Launch, Quote, QuoteLine
from booking.rules.money import fmt_money, new_reference
from booking.selectors.capacity import launch_ports_prefetch
from booking.selectors.fit import (
    launch_label,
)
from booking.selectors.offers import BestOption, best_option
from booking.selectors.prices import quote_price
from booking.services.events import user_or_none
from customers.models import Customer, Payload
from vehicles.models import Adapter, VehicleModel

from .events import Actor, event_record
from .locking import claim_unlocked


def quote_create(
    *,
    customer: Customer,
    payload: Payload,
    actor: Actor,
    service_level: str | None = None,
    launch: Launch | None = None,
    vehicle_model: VehicleModel | None = None,
    currency: str = "USD",
    options: Iterable[str] = (),
    declared_value: Decimal | None = None,
    now: datetime | None = None,
    port: str | None = None,
    adapter: Adapter | None = None,
    launch_made_for_it: bool = False,
) -> Quote:
    """Give a quote (``quote_price``) and store it with its lines; it is valid for
    ``settings.LAUNCHBOOK_QUOTE_TTL`` (72 hours). ``launch_made_for_it``: the express order's own
    launch, priced as a dedicated launch (``selectors.prices``).

    With neither ``launch`` nor ``vehicle_model`` the quote is for the best option for the payload
    (``selectors.offers.best_option``: rideshare where a launch takes it, dedicated otherwise), and
    ``chosen_because`` says which and why."""
    chosen: BestOption | None = None
    if launch is None and vehicle_model is None:
        chosen = best_option(payload=payload, now=now, currency=currency)
        launch = chosen.launch
        if launch is None:
            vehicle_model = chosen.option.vehicle_model
        elif port is None and adapter is None:
            port = chosen.option.port  # the seat the search priced
    if launch is not None:  # pricing and the fit checks each ask for its ports: read them once
        launch_ports_prefetch(launch)
    priced = quote_price(
        customer=customer,
        payload=payload,
        service_level=service_level,
        launch=launch,
        vehicle_model=vehicle_model,
        currency=currency,
        options=options,
        declared_value=declared_value,
        now=now,
        port=port,
        adapter=adapter,
        launch_made_for_it=launch_made_for_it,
    )
    quote = priced.quote
    if chosen is not None:
        quote.chosen_because = chosen.why[:400]  # the field's length
    with transaction.atomic():
        quote.reference = new_reference("Q-")
        quote.created_by = user_or_none(actor)
        quote.save(force_insert=True)
        written = QuoteLine.objects.bulk_create(
            QuoteLine(
                quote=quote,
                position=i,
                kind=line.kind,
                description=line.description[:200],
                amount=line.amount,
            )
            for i, line in enumerate(priced.lines, start=1)
        )
        _remember_lines(quote, written)
        target = launch_label(launch) if launch is not None else f"a dedicated {quote.vehicle_model} launch"
        event_record(
            verb="booking.quoted",
            subject=quote,
            actor=actor,
            after={
                "reference": quote.reference,
                "kind": quote.kind,
                "service_level": quote.service_level,
                "total": quote.total,
                "currency": currency,
                "valid_until": quote.valid_until,
                "mass_kg": quote.mass_kg,
                "adapter_mass_kg": quote.adapter_mass_kg,
                "port": quote.launch_port.kind if quote.launch_port else None,
                "chosen_because": quote.chosen_because,
            },
            message=f"Quote {quote.reference}: {payload.name} on {target}, {fmt_money(quote.total, currency)}",
            customer=customer,
            provider=quote.provider,
            launch=launch,
        )
    return quote


def _remember_lines(quote: Quote, lines: list[QuoteLine]) -> None:
    """``quote.lines.all()`` answers the rows just written, as a prefetch would: whoever shows the
    new quote (the API's answer) needs not read them back."""
    cached = QuoteLine.objects.filter(quote=quote).order_by("position")
    cached._result_cache = sorted(lines, key=lambda line: line.position)  # noqa: SLF001
    cached._prefetch_done = True  # type: ignore[attr-defined]  # noqa: SLF001
    quote._prefetched_objects_cache = {"lines": cached}  # type: ignore[attr-defined]  # noqa: SLF001


def quotes_expire(*, now: datetime | None = None) -> int:
    """Mark open quotes past their validity expired; answers how many. Run by a periodic task."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = (
            claim_unlocked(Quote.objects.all(), of=("self",))
            .select_related("customer", "provider", "launch")
            .filter(status=Quote.Status.OPEN, valid_until__lte=now)
            .order_by("pk")
        )
        for quote in due:
            quote.status = Quote.Status.EXPIRED
            quote.save(update_fields=["status"])
            event_record(
                verb="quote.expired",
                subject=quote,
                actor=None,
                system="quote expiry",
                before={"status": Quote.Status.OPEN},
                after={"status": Quote.Status.EXPIRED},
                message=f"Quote {quote.reference} expired at {when(quote.valid_until)}",
                customer=quote.customer,
                provider=quote.provider,
                launch=quote.launch,
            )
            count += 1
    return count
