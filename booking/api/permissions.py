"""Who may do what through the API. What they may *see* is decided by the get_*_for selectors."""

from __future__ import annotations

from rest_framework import permissions

from customers.models import Membership
from customers.selectors import get_membership_for

READ_ONLY_ROLES = {Membership.Role.VIEWER}


def acting_membership(request) -> Membership | None:
    """The membership the request acts through, cached on the request."""
    if not hasattr(request, "_launchbook_membership"):
        request._launchbook_membership = get_membership_for(request.user)
    return request._launchbook_membership


class CustomerWritePermission(permissions.BasePermission):
    """Reads: any signed-in user (rows are filtered per tenant). Writes: a member of a customer
    organisation whose role is not read-only."""

    message = "Only members of a customer organisation (not viewers) can make changes through the API."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        membership = acting_membership(request)
        return membership is not None and membership.role not in READ_ONLY_ROLES
