"""Read queries of the demand side."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Aggregate, OuterRef, Subquery, TextField

from .models import Customer, Membership

#: The attribute of a user object loaded for one request under which per-request reads are kept
#: (a dict; absent on users loaded any other way, which then always read afresh).
REQUEST_CACHE_ATTRIBUTE = "_launchbook_request_cache"


class _JoinedIds(Aggregate):
    """The ids of a group as one comma-separated text (PostgreSQL ``string_agg``, SQLite
    ``group_concat``)."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS TEXT), ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ',')"
        )


def member_customer_ids_subquery(user_ref: str = "user_id") -> Subquery:
    """The organisations of the user in ``OuterRef(user_ref)`` as one text column, so a query that
    loads a user (the API token's) also answers ``customer_ids_for`` without a query of its own;
    ``customer_ids_from_text`` reads it back."""
    return Subquery(
        Membership.objects.filter(user_id=OuterRef(user_ref))
        .order_by()
        .values("user_id")
        .annotate(ids=_JoinedIds("customer_id"))
        .values("ids")[:1],
        output_field=TextField(),
    )


def customer_ids_from_text(text: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (text or "").split(",") if part)


def remember_customer_ids(user: AbstractBaseUser, customer_ids: frozenset[int]) -> None:
    """Mark ``user`` as loaded for one request, knowing its organisations already."""
    setattr(user, REQUEST_CACHE_ATTRIBUTE, {"customer_ids": customer_ids})


def customer_ids_for(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The organisations ``user`` belongs to (an empty set for anonymous users and pure staff)."""
    user_pk = getattr(user, "pk", None)
    if user_pk is None or not getattr(user, "is_authenticated", False):
        return set()
    # A user loaded for one request (the API's token authentication) carries a cache for that
    # request: its permission checks and scoped fetchers ask this several times per request.
    request_cache = getattr(user, REQUEST_CACHE_ATTRIBUTE, None)
    if request_cache is not None and "customer_ids" in request_cache:
        return set(request_cache["customer_ids"])
    ids = set(Membership.objects.filter(user_id=user_pk).values_list("customer_id", flat=True))
    if request_cache is not None:
        request_cache["customer_ids"] = frozenset(ids)
    return ids


def get_membership_for(user: AbstractBaseUser | AnonymousUser) -> Membership | None:
    """The membership a user acts through: their first one (users normally have exactly one)."""
    user_pk = getattr(user, "pk", None)
    if user_pk is None or not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.select_related("customer").filter(user_id=user_pk).order_by("pk").first()


def get_customer_for(user: AbstractBaseUser | AnonymousUser) -> Customer | None:
    membership = get_membership_for(user)
    return membership.customer if membership else None


#: The session key of the organisation a signed-in user acts for (the portal's switcher sets it).
ACTING_CUSTOMER_SESSION_KEY = "portal_customer_id"


def get_acting_membership_for(
    user: AbstractBaseUser | AnonymousUser, *, customer_id: int | None
) -> Membership | None:
    """The membership of ``customer_id`` if ``user`` has one, else their first (or ``None``)."""
    user_pk = getattr(user, "pk", None)
    if user_pk is None or not getattr(user, "is_authenticated", False):
        return None
    memberships = Membership.objects.select_related("customer").filter(user_id=user_pk)
    if customer_id is not None:
        chosen = memberships.filter(customer_id=customer_id).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("pk").first()


def user_language(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The language a signed-in user chose on their account, or "" (none chosen: the browser's).

    Reads ``user.profile`` (one query unless the caller selected it with the user).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    try:
        profile = user.profile  # type: ignore[union-attr]
    except ObjectDoesNotExist:
        return ""
    return profile.language
