"""The admin asks the one permission rule (``booking.rules.permissions``) for its actions.

An admin action declared with ``permissions=["launch_operate"]`` (or ``document_review``,
``payment_record``) shows and runs only for staff whose hats allow it: a provider operator within
its provider (which rows: the admin's provider-scoped querysets), or a platform administrator.
The model permission ("change") is still needed as well.
"""

from __future__ import annotations

from django.http import HttpRequest

from booking.rules.permissions import Action, may, principal
from vehicles.selectors import operator_provider_ids


def admin_may(request: HttpRequest, action: Action) -> bool:
    who = principal(role=None, provider_ids=operator_provider_ids(request.user))
    return may(who, action)


class RuleActionsMixin:
    """``has_<action>_permission`` for the admin actions that take a rule's action."""

    def _change_and(self, request: HttpRequest, action: Action) -> bool:
        return bool(self.has_change_permission(request)) and admin_may(request, action)  # type: ignore[attr-defined]

    def has_launch_operate_permission(self, request: HttpRequest) -> bool:
        return self._change_and(request, Action.LAUNCH_OPERATE)

    def has_document_review_permission(self, request: HttpRequest) -> bool:
        return self._change_and(request, Action.DOCUMENT_REVIEW)

    def has_payment_record_permission(self, request: HttpRequest) -> bool:
        return self._change_and(request, Action.PAYMENT_RECORD)

    def has_payment_view_permission(self, request: HttpRequest) -> bool:
        return bool(self.has_view_permission(request)) and admin_may(request, Action.PAYMENT_VIEW)  # type: ignore[attr-defined]
