"""Who may do what through the API. What they may *see* is decided by the get_*_for selectors."""

from __future__ import annotations

from rest_framework import permissions

from customers.models import Membership
from customers.selectors import get_membership_for
from vehicles.selectors import operator_provider_ids

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


class ProviderOperatorPermission(permissions.BasePermission):
    """Staff who run at least one provider's fleet (which launches: ``get_launches_for_operator``)."""

    message = "Only a provider's operators can change its launches."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated and request.user.is_staff):
            return False
        ids = operator_provider_ids(request.user)
        return ids is None or bool(ids)


def customers_whose_secrets_request_may_read(request) -> set[int]:
    """Customers whose secrets (webhook signing secrets) the user may read: those where one of the
    user's memberships is not read-only. Viewers see that a secret exists, never its value.
    Cached on the request: a list of endpoints asks once."""
    if not hasattr(request, "_launchbook_secret_customers"):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            request._launchbook_secret_customers = set()
        else:
            request._launchbook_secret_customers = set(
                Membership.objects.filter(user=user)
                .exclude(role__in=READ_ONLY_ROLES)
                .values_list("customer_id", flat=True)
            )
    return request._launchbook_secret_customers


class SecretManagerPermission(permissions.BasePermission):
    """A member of a customer organisation whose role is not read-only (viewers are refused)."""

    message = "Viewers cannot see or change secrets; ask an administrator of your organisation."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return bool(customers_whose_secrets_request_may_read(request))
