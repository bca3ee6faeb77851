"""A member's notifications (read and unread) and the e-mail they choose to receive."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from booking.portal.access import PortalRequest, member_required
from booking.portal.forms import NotificationPreferencesForm
from booking.rules.permissions import Action
from booking.selectors.notifications import get_notifications_for, member_preferences, unread_count
from booking.services.notifications import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)

PAGE_SIZE = 100


@member_required(Action.READ)
def notification_list(request: PortalRequest) -> HttpResponse:
    rows = get_notifications_for(request.user, customer=request.customer)
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return render(
        request,
        "portal/notifications.html",
        {
            "rows": list(rows[:PAGE_SIZE]),
            "unread": unread_count(request.user, customer=request.customer),
            "unread_only": unread_only,
        },
    )


@require_POST
@member_required(Action.ACCOUNT)
def notification_read(request: PortalRequest, pk: int) -> HttpResponse:
    """Mark one of the member's own notifications read, then open what it is about (``open``)."""
    delivery = get_object_or_404(get_notifications_for(request.user, customer=request.customer), pk=pk)
    notification_mark_read(delivery=delivery)
    target = (delivery.notification.details or {}).get("portal_link", "")
    if request.POST.get("open") and target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("portal:notifications")


@require_POST
@member_required(Action.ACCOUNT)
def notifications_read_all(request: PortalRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user, customer=request.customer)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked read.")
    return redirect("portal:notifications")


@member_required(Action.ACCOUNT)
def notification_preferences(request: PortalRequest) -> HttpResponse:
    """The member's own choices, kept with their membership of the organisation acted for."""
    membership = request.membership
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_set(
                membership=membership, email_by_category=form.email_by_category(), actor=request.user
            )
            messages.success(request, "Your notification choices are saved.")
            return redirect("portal:notification_preferences")
    else:
        form = NotificationPreferencesForm(initial=member_preferences(membership))
    return render(request, "portal/notification_preferences.html", {"form": form})
