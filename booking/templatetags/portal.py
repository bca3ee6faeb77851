"""Template helpers for the customer portal."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import timezone

from booking.dates import rezone_text
from booking.models import Booking, Launch
from booking.portal.nav import nav_for
from booking.selectors.local_time import launch_window_text

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_nav(context: template.Context) -> list[dict[str, object]]:
    request = context.get("request")
    return nav_for(request) if request is not None else []


@register.filter
def money(amount: Decimal | int | float | None, currency: str = "") -> str:
    """12345.5, "USD" -> "12,345.50 USD"."""
    if amount is None:
        return "—"
    text = f"{Decimal(amount):,.2f}"
    return f"{text} {currency}".strip()


@register.filter
def kg(amount: Decimal | int | float | None) -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.1f} kg"


@register.filter
def page_zone(text: str) -> str:
    """A message's UTC times in the page's time zone (the one the portal activated): one zone
    per page."""
    return rezone_text(text or "", timezone.get_current_timezone())


@register.filter
def counts_down(booking: Booking) -> bool:
    """A booking still bound for its launch shows a live countdown; a cancelled, expired or flown
    one does not, nor one on a launch that has flown or was scrubbed."""
    live = (Booking.Status.HELD, Booking.Status.CONFIRMED, Booking.Status.MANIFESTED)
    return booking.status in live and booking.launch.is_active


@register.filter
def daily_window(launch: Launch) -> str:
    """ "window 04:14 UTC daily, LTAN 22:30" for a sun-synchronous launch with an LTAN, else ""."""
    return launch_window_text(launch)
