"""Who may do what through the API: every view declares the action of each of its routes, and
``RulePermission`` asks the one rule (``booking.rules.permissions``). What a caller may *see* is
decided by the get_*_for selectors, narrowed to the organisation the request acts for.

A request acts for one membership: a token's own, or for a session the organisation chosen in
the portal. Rows of the user's other organisations are hidden (404) in that context.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import permissions

from booking.models import ApiToken
from booking.rules.permissions import Action, Principal, may, principal, refusal
from customers.models import Membership
from customers.selectors import ACTING_CUSTOMER_SESSION_KEY, customer_ids_for, get_acting_membership_for
from vehicles.selectors import operator_provider_ids

NO_RULE = "This route declares no permission rule, so it is refused."


def acting_membership(request) -> Membership | None:
    """The membership the request acts through, cached on the request."""
    if not hasattr(request, "_launchbook_membership"):
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            membership = token.membership
        else:
            session = getattr(request, "session", None)
            chosen = session.get(ACTING_CUSTOMER_SESSION_KEY) if session is not None else None
            membership = get_acting_membership_for(request.user, customer_id=chosen)
        request._launchbook_membership = membership
    return request._launchbook_membership


def request_principal(request) -> Principal:
    user = request.user
    if not (user and user.is_authenticated):
        return principal(role=None, provider_ids=set(), signed_in=False)
    membership = acting_membership(request)
    return principal(role=membership.role if membership else None, provider_ids=operator_provider_ids(user))


def acting_other_customers(request) -> set[int]:
    """The user's organisations other than the one this request acts for (asked once a request)."""
    if not hasattr(request, "_launchbook_other_customers"):
        membership = acting_membership(request)
        others = customer_ids_for(request.user)
        if membership is not None:
            others.discard(membership.customer_id)
        request._launchbook_other_customers = others
    return request._launchbook_other_customers


def acting_rows(queryset: QuerySet, request) -> QuerySet:
    """``queryset`` without the rows of the user's other organisations (any row with a customer)."""
    if not any(field.name == "customer" for field in queryset.model._meta.fields):
        return queryset
    others = acting_other_customers(request)
    return queryset.exclude(customer_id__in=others) if others else queryset


def declared_action(view, request) -> Action | None:
    """The action a view declares for this request: by viewset action, else by HTTP method."""
    declared = getattr(view, "rule_actions", None) or {}
    method = request.method.lower()
    if method in ("options", "head") and method not in declared:
        return Action.READ
    name = getattr(view, "action", None) or method
    return declared.get(name)


class RulePermission(permissions.BasePermission):
    """Refuses (403) unless the one rule allows the route's declared action for the caller's hats."""

    message = NO_RULE

    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # no handler for this method: the view answers 405, there is nothing to refuse
        action = declared_action(view, request)
        if action is None:
            self.message = NO_RULE
            return False
        who = request_principal(request)
        if may(who, action):
            return True
        self.message = refusal(who, action)
        return False
