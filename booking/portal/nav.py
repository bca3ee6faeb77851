"""The portal's navigation: one list, so every page is reachable and no link is dead."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    # URL names of the pages that belong to this section (highlighted as current).
    section: tuple[str, ...]


NAV = (
    NavItem(_("Dashboard"), "dashboard", ("dashboard",)),
    NavItem(_("Schedule"), "schedule", ("schedule", "price_launch")),
    NavItem(_("Book"), "book", ("book", "book_options", "book_price")),
    NavItem(_("Quotes"), "quotes", ("quotes", "quote_detail")),
    NavItem(_("Express order"), "express", ("express", "express_result")),
    NavItem(
        _("Dedicated launches"), "dedicated_list", ("dedicated_list", "dedicated_new", "dedicated_detail")
    ),
    NavItem(
        _("Bookings"),
        "bookings",
        ("bookings", "booking_detail", "booking_rebook", "launch_detail"),
    ),
    NavItem(_("Standby"), "standby", ("standby", "standby_join")),
    NavItem(_("Moves offered"), "moves", ("moves",)),
    NavItem(_("Payloads"), "payloads", ("payloads", "payload_create", "payload_edit")),
    NavItem(_("Contracts"), "contracts", ("contracts",)),
    NavItem(_("Payments"), "payments", ("payments",)),
    NavItem(_("Documents"), "documents", ("documents",)),
    NavItem(_("Events"), "events", ("events",)),
    NavItem(_("Notifications"), "notifications", ("notifications", "notification_preferences")),
    NavItem(_("Integrations"), "integrations", ("integrations",)),
)


def nav_for(request: HttpRequest) -> list[dict[str, object]]:
    """The items whose page exists in this deployment, with the current one marked."""
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    items = []
    for item in NAV:
        try:
            url = reverse(f"portal:{item.url_name}")
        except NoReverseMatch:
            continue
        items.append({"label": str(item.label), "url": url, "active": current in item.section})
    return items
