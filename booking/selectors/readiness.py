"""Readiness plans as the portal and the operators' board read them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from booking.models import (
    Booking,
    Launch,
    PlanStep,
    ReadinessPlan,
)
from customers.models import Customer


def plan_for_customer(customer: Customer, launch: Launch) -> ReadinessPlan | None:
    """The launch's readiness plan as the customer may see it, with its steps in order.

    ``None`` when the customer has no booking on the launch (their bookings only) or the launch
    has no plan. Read-only: the portal and the API show it, nothing here changes it.
    """
    if (
        not Booking.objects.filter(customer=customer, launch=launch)
        .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.EXPIRED])
        .exists()
    ):
        return None
    return (
        ReadinessPlan.objects.filter(launch=launch)
        .exclude(status=ReadinessPlan.Status.CANCELLED)
        .select_related("template", "launch__site")
        .prefetch_related(Prefetch("steps", queryset=PlanStep.objects.order_by("position")))
        .first()
    )


def readiness_board_plans(*, provider_ids: Iterable[int] | None = None) -> list[ReadinessPlan]:
    """Active plans for the operators' readiness board, soonest launch first, steps prefetched.

    ``provider_ids`` limits the board to those providers' launches (``None``: every provider).
    """
    plans = (
        ReadinessPlan.objects.filter(status=ReadinessPlan.Status.ACTIVE)
        .select_related("template", "launch__provider", "launch__site")
        .prefetch_related(Prefetch("steps", queryset=PlanStep.objects.order_by("position")))
        .order_by("launch__window_start", "pk")
    )
    if provider_ids is not None:
        plans = plans.filter(launch__provider_id__in=list(provider_ids))
    return list(plans)
