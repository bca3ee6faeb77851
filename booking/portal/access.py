"""Who may use the portal, as which customer, and the permission-checked fetchers.

Every portal view is wrapped in :func:`member_required` with the action it takes (the one rule,
``booking.rules.permissions``): it needs a signed-in user with a ``customers.Membership``, picks
the organisation the user acts for (one at a time: the switcher sets it), refuses a change the
member's role may not make with a 403 refusal page, and activates the viewer's time zone. The
``get_*_for`` fetchers answer 404 for anything outside that organisation.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from booking.models import Booking, Launch
from booking.rules.permissions import Action, Principal, may, refusal
from customers.models import Customer, Document, Membership, Payload
from customers.selectors import ACTING_CUSTOMER_SESSION_KEY

CUSTOMER_SESSION_KEY = ACTING_CUSTOMER_SESSION_KEY
View = TypeVar("View", bound=Callable[..., HttpResponseBase])
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class Permits:
    """``request.can.<action>`` in templates: whether the member may take that action."""

    def __init__(self, who: Principal) -> None:
        self.who = who

    def __getitem__(self, action: str) -> bool:
        try:
            return may(self.who, Action(action))
        except ValueError:
            raise KeyError(action) from None


class PortalRequest(HttpRequest):
    """A request :func:`member_required` let through: a signed-in member acting for one customer.

    Portal views take this as their ``request``; the decorator sets every attribute below.
    """

    user: User
    customer: Customer
    membership: Membership
    memberships: list[Membership]
    tz: zoneinfo.ZoneInfo
    can: Permits


def memberships_of(user: Any) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("customer").order_by("customer__name"))


def viewer_time_zone(membership: Membership) -> zoneinfo.ZoneInfo:
    """The member's own choice (kept on the membership), else the organisation's time zone."""
    for name in (membership.time_zone, membership.customer.time_zone, settings.TIME_ZONE):
        if not name:
            continue
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return zoneinfo.ZoneInfo("UTC")


def member_required(action: Action) -> Callable[[View], View]:
    """Sign-in plus membership, and ``action`` allowed for a change (POST).

    Sets ``request.customer``, ``request.membership``, ``request.memberships``, ``request.tz``
    and ``request.can`` (the view takes a :class:`PortalRequest`); the view carries
    ``rule_action`` for the route walk.
    """
    if not isinstance(action, Action):
        raise TypeError(
            "member_required needs the Action the view takes, e.g. @member_required(Action.READ)."
        )

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            memberships = memberships_of(request.user)
            if not memberships:
                return render(request, "portal/not_a_member.html", status=403)
            chosen = request.session.get(CUSTOMER_SESSION_KEY)
            membership = next((m for m in memberships if m.customer_id == chosen), memberships[0])
            who = Principal(role=membership.role)
            # The same object, from here on carrying what PortalRequest declares.
            member_request = cast(PortalRequest, request)
            member_request.membership = membership
            member_request.memberships = memberships
            member_request.customer = membership.customer
            member_request.can = Permits(who)
            tz = viewer_time_zone(membership)
            member_request.tz = tz
            timezone.activate(tz)
            try:
                if request.method not in SAFE_METHODS and not may(who, action):
                    return render(
                        request, "portal/refused.html", {"refusal": refusal(who, action)}, status=403
                    )
                return view(member_request, *args, **kwargs)
            finally:
                timezone.deactivate()

        wrapper.rule_action = action  # type: ignore[attr-defined]
        # Callers see the view's own signature: the wrapper takes any request the view takes.
        return cast(View, wrapper)

    return decorate


def refused_read(request: PortalRequest, action: Action) -> HttpResponse | None:
    """The refusal page (403) when the member may not take ``action``, for a read the rule keeps
    from some roles (payments); ``None`` when they may. ``member_required`` checks only changes."""
    if may(request.can.who, action):
        return None
    return render(request, "portal/refused.html", {"refusal": refusal(request.can.who, action)}, status=403)


def get_payload_for(customer: Customer, pk: int) -> Payload:
    return get_object_or_404(Payload, pk=pk, customer=customer)


def get_booking_for(customer: Customer, reference: str) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related(
            "launch__site", "launch__vehicle_model", "launch__provider", "payload", "contract", "quote"
        ),
        reference=reference,
        customer=customer,
    )


def get_launch_for(customer: Customer, pk: int) -> Launch:
    """A launch the customer has (or had) a booking on; others are not the customer's business."""
    launch = (
        Launch.objects.select_related("site", "vehicle_model", "provider", "platform", "pad")
        .filter(pk=pk, bookings__customer=customer)
        .distinct()
        .first()
    )
    if launch is None:
        raise Http404("No such launch among your bookings.")
    return launch


def get_document_for(customer: Customer, pk: int) -> Document:
    return get_object_or_404(Document, pk=pk, customer=customer)
