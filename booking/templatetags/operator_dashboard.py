"""``{% operator_dashboard as dash %}`` for the admin home page."""

from __future__ import annotations

from django import template

from booking.admin.dashboard import OperatorDashboard, operator_dashboard

register = template.Library()


@register.simple_tag(takes_context=True, name="operator_dashboard")
def operator_dashboard_tag(context: template.Context) -> OperatorDashboard | None:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return operator_dashboard(user=request.user)
