"""Dedicated launch requests across aggregates: scheduling one (a launch and the request, in one
transaction) and turning a dedicated quote that has no launch into a request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booking.errors import Conflict, InvalidRequest
from booking.models import DedicatedRequest, Launch, Quote
from booking.selectors.fit import DEDICATED_LEAD_TIME
from booking.services.dedicated import dedicated_request_create, dedicated_request_link
from booking.services.events import Actor
from booking.services.scheduling import launch_schedule
from customers.models import Customer

#: A request made from a quote asks for the span after the campaign lead time, this long.
QUOTE_REQUEST_SPAN = timedelta(days=120)


def dedicated_request_schedule(*, request: DedicatedRequest, actor: Actor, **schedule: Any) -> Launch:
    """Schedule a launch for the request (``launch_schedule`` with ``schedule``'s arguments) and
    link it (``dedicated_request_link``): both happen, or neither. Answers the launch."""
    if request.status != DedicatedRequest.Status.REQUESTED:
        raise Conflict(
            _("Dedicated launch request %(reference)s is %(status)s: it cannot be scheduled.")
            % {"reference": request.reference, "status": request.get_status_display().lower()}
        )
    schedule.setdefault("name", f"{schedule['vehicle_model'].name} · {request.customer.name} dedicated")
    with transaction.atomic():
        launch = launch_schedule(actor=actor, **schedule)
        dedicated_request_link(request=request, launch=launch, actor=actor)
    return launch


def dedicated_request_from_quote(
    *, quote: Quote, actor: Actor, customer: Customer | None = None, now: datetime | None = None
) -> DedicatedRequest:
    """A dedicated quote with no launch yet, accepted, becomes a request for that model and payload
    (from the campaign lead time on, for ``QUOTE_REQUEST_SPAN``). Accepting it again answers the
    same request."""
    now = now or timezone.now()
    if customer is not None and quote.customer_id != customer.pk:
        raise InvalidRequest(
            _("Quote %(reference)s belongs to another customer.") % {"reference": quote.reference}
        )
    if quote.launch_id is not None or quote.kind != Quote.Kind.DEDICATED:
        raise InvalidRequest(
            _("Quote %(reference)s is for a launch already scheduled: hold it instead.")
            % {"reference": quote.reference}
        )
    existing = DedicatedRequest.objects.filter(quote=quote).first()
    if existing is not None:
        return existing
    earliest = now + DEDICATED_LEAD_TIME
    return dedicated_request_create(
        customer=quote.customer,
        actor=actor,
        payload=quote.payload,
        vehicle_model=quote.vehicle_model,
        earliest=earliest,
        latest=earliest + QUOTE_REQUEST_SPAN,
        note=_("Requested from quote %(reference)s.") % {"reference": quote.reference},
        quote=quote,
        now=now,
    )
