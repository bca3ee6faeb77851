"""Approve and reject actions on customer documents, added from the booking side.

Documents are administered in ``booking.admin.customers``; reviewing one is a service
(``document_review`` writes the Event the customer sees), and the customers app never imports
booking, so this module re-registers the document admin with the actions, as payments.py does for
milestones.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.admin.customers import DocumentAdmin as CustomersDocumentAdmin
from booking.admin.rules import RuleActionsMixin, admin_may
from booking.errors import ServiceError
from booking.rules.permissions import Action
from booking.services.payloads import document_review
from customers.models import Document

admin.site.unregister(Document)


class ReviewNoteForm(ActionForm):
    note = forms.CharField(required=False, max_length=300, label=gettext_lazy("Review note"))


@admin.register(Document)
class DocumentAdmin(RuleActionsMixin, CustomersDocumentAdmin):
    action_form = ReviewNoteForm
    actions = ["approve", "reject"]
    readonly_fields = ["status", "review_note"]

    def has_document_review_permission(self, request: HttpRequest) -> bool:
        # A customer's rows are read-only to provider operators, but the review is theirs: the
        # model permission and the one rule decide, not the read-only mixin.
        return bool(admin.ModelAdmin.has_change_permission(self, request)) and admin_may(
            request, Action.DOCUMENT_REVIEW
        )

    def _review(self, request: HttpRequest, queryset: QuerySet[Document], *, approve: bool) -> None:
        note = request.POST.get("note", "")
        for document in queryset.order_by("pk"):
            try:
                reviewed = document_review(document=document, approve=approve, actor=request.user, note=note)
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                continue
            template = (
                _("%(kind)s for %(customer)s: approved.")
                if approve
                else _("%(kind)s for %(customer)s: rejected.")
            )
            self.message_user(
                request, template % {"kind": reviewed.get_kind_display(), "customer": reviewed.customer}
            )

    @admin.action(description=gettext_lazy("Approve the selected documents"), permissions=["document_review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        self._review(request, queryset, approve=True)

    @admin.action(
        description=gettext_lazy("Reject the selected documents (give a review note)"),
        permissions=["document_review"],
    )
    def reject(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        self._review(request, queryset, approve=False)
