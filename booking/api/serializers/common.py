"""Shared by every resource: scoped id fields, the orbit, computed masses, the error body."""

from __future__ import annotations

import copy
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.api.fields import NumberOrDecimalStringField, StrictIntegerField
from booking.api.permissions import acting_rows
from vehicles.models import OrbitFamily
from vehicles.orbits import MAX_ALTITUDE_KM, MIN_ALTITUDE_KM

MASS_MAX_DIGITS = 9

_KEPT_FIELDS: dict[type, dict[str, serializers.Field]] = {}


class KeptFieldsMixin:
    """A ``ModelSerializer`` whose fields are built from its model once per process, then copied.

    DRF builds a model serializer's fields on every instance: it walks the model's fields, maps
    each one to a serializer field and its keyword arguments, and looks up uniqueness rules. That
    is the same answer every time (it depends on the class, never on the instance or the request)
    and it cost about 3 ms of a hold's answer; a copy of the built fields is a third of that.
    Only for serializers whose ``get_fields`` reads nothing but their class.
    """

    def get_fields(self):
        built = _KEPT_FIELDS.get(type(self))
        if built is None:  # two threads may both build it once: the same answer
            built = _KEPT_FIELDS[type(self)] = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(built)


class ComputedKgField(serializers.DecimalField):
    """A read-only mass in kg computed from the whole object by a selector."""

    def __init__(self, compute, **kwargs):
        self.compute = compute
        super().__init__(max_digits=12, decimal_places=1, read_only=True, source="*", **kwargs)

    def to_representation(self, instance):
        return super().to_representation(self.compute(launch=instance))


class OrbitSerializer(serializers.Serializer):
    family = serializers.ChoiceField(choices=OrbitFamily.choices, source="orbit_family")
    altitude_km = StrictIntegerField(min_value=MIN_ALTITUDE_KM, max_value=MAX_ALTITUDE_KM)
    inclination_deg = NumberOrDecimalStringField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("180"),
        required=False,
        allow_null=True,
        help_text="Leave out for sun-synchronous: it follows from the altitude.",
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), required=False)


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id among the rows the caller may see (``get_*_for(user)``); anything else is "not found"."""

    default_error_messages = {
        "does_not_exist": "No {model} of yours has id {pk_value}.",
        "incorrect_type": "Send the id as a whole number.",
    }

    def __init__(self, *, fetcher, model_name: str, owned: bool = True, **kwargs):
        self.fetcher, self.model_name = fetcher, model_name
        super().__init__(**kwargs)
        if not owned:
            self.error_messages["does_not_exist"] = "No {model} has id {pk_value}."

    def get_queryset(self):
        request = self.context["request"]
        return acting_rows(self.fetcher(request.user), request)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            self.fail("incorrect_type")
        queryset = self.get_queryset()
        try:
            return queryset.get(pk=data)
        except queryset.model.DoesNotExist:
            self.fail("does_not_exist", model=self.model_name, pk_value=data)


class LaunchIdField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "No launch has id {pk_value}.",
        "incorrect_type": "Send the launch id as a whole number.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            self.fail("incorrect_type")
        return super().to_internal_value(data)


class StrictQuerySerializer(serializers.Serializer):
    """Query parameters: each given once and not empty (an empty value is a mistake, not "unset")."""

    def to_internal_value(self, data):
        errors = {}
        for name in self.fields:
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            if name not in data:
                continue
            if len(values) != 1:
                errors[name] = ["Send this parameter once."]
            elif not str(values[0]).strip():
                errors[name] = ["Send a value, or leave the parameter out."]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
