"""Read queries of the supply side."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet

from .models import CapacityPoint, MobilePlatform, Provider, Vehicle, VehicleModel

ALL_PROVIDERS_GROUP = "All providers"


def operator_provider_ids(user: AbstractBaseUser | AnonymousUser) -> set[int] | None:
    """The providers a staff user may run; ``None`` means every provider.

    Superusers and members of the "All providers" group see everything; other staff see the
    providers they are a ``ProviderOperator`` of (none at all if they have no such row).
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return set()
    if getattr(user, "is_superuser", False) or user.groups.filter(name=ALL_PROVIDERS_GROUP).exists():  # type: ignore[union-attr]
        return None
    return set(user.provider_roles.values_list("provider_id", flat=True))  # type: ignore[union-attr]


def providers_for_operator(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Provider]:
    ids = operator_provider_ids(user)
    qs = Provider.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def vehicle_models_for_operator(user: AbstractBaseUser | AnonymousUser) -> QuerySet[VehicleModel]:
    return VehicleModel.objects.filter(provider__in=providers_for_operator(user))


def vehicles_for_operator(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(vehicle_model__provider__in=providers_for_operator(user))


def platforms_for_operator(user: AbstractBaseUser | AnonymousUser) -> QuerySet[MobilePlatform]:
    return MobilePlatform.objects.filter(provider__in=providers_for_operator(user))


def vehicle_models_with_curves() -> QuerySet[VehicleModel]:
    return VehicleModel.objects.select_related("provider").prefetch_related(
        Prefetch("capacity_points", queryset=CapacityPoint.objects.order_by("orbit_family", "altitude_km"))
    )
