"""The "Mark paid" action on payment milestones, added from the booking side.

Milestones are administered in ``booking.admin.customers``, but recording a payment is a booking service
(``payment_milestone_mark_paid`` adds the amount to the booking and writes the Event), and the
customers app must never import booking. So this module, loaded with the booking admin (which
Django imports after the customers admin: ``booking`` follows ``customers`` in INSTALLED_APPS, and
the import below makes the order explicit anyway), replaces the registered milestone admin with a
subclass that only adds the action. Subclassing keeps every other option in one place, and a
re-registration is visible in one line, unlike editing another app's ``ModelAdmin`` in the registry.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from booking.admin.customers import PaymentMilestoneAdmin as CustomersPaymentMilestoneAdmin
from booking.admin.exports import PAYMENT_ACTIONS
from booking.admin.rules import RuleActionsMixin
from booking.errors import ServiceError
from booking.models import Event
from booking.services.bookings import payment_milestone_mark_paid
from customers.models import PaymentMilestone

admin.site.unregister(PaymentMilestone)


@admin.register(PaymentMilestone)
class PaymentMilestoneAdmin(RuleActionsMixin, CustomersPaymentMilestoneAdmin):
    actions = ["mark_paid", *PAYMENT_ACTIONS]

    @admin.action(description="Mark the selected milestones paid", permissions=["payment_record"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[PaymentMilestone]) -> None:
        for milestone in queryset.order_by("pk"):
            try:
                payment_milestone_mark_paid(milestone=milestone, actor=request.user)
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            event = (
                Event.objects.filter(
                    verb="milestone.paid", subject_type="paymentmilestone", subject_id=milestone.pk
                )
                .order_by("-pk")
                .first()
            )
            self.message_user(
                request, event.message if event else f"{milestone.label} marked paid.", messages.SUCCESS
            )
