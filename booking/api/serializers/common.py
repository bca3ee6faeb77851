"""Shared by every resource: scoped id fields, the orbit, computed masses, the error body."""

from __future__ import annotations

import copy
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.api.fields import NumberOrDecimalStringField, StrictIntegerField
from booking.api.permissions import acting_other_customers, acting_rows
from booking.selectors.kept_reads import KeptReads
from customers.selectors import customer_ids_for
from vehicles.models import OrbitFamily
from vehicles.orbits import MAX_ALTITUDE_KM, MIN_ALTITUDE_KM

MASS_MAX_DIGITS = 9

_KEPT_FIELDS: dict[type, dict[str, serializers.Field]] = {}
# The id fields' reads on the booking flow, compiled once per shape (``selectors.kept_reads``).
_KEPT_ID_READS = KeptReads()


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

    def __init__(self, *, fetcher, model_name: str, owned: bool = True, kept: bool = False, **kwargs):
        """``kept``: the read is compiled once per caller's scope and bound to each id
        (``selectors.kept_reads``); only for a fetcher that reads nothing of the user but the
        organisations it belongs to (``customer_ids_for``), as the ``_scoped`` fetchers do."""
        self.fetcher, self.model_name, self.kept = fetcher, model_name, kept
        super().__init__(**kwargs)
        if not owned:
            self.error_messages["does_not_exist"] = "No {model} has id {pk_value}."

    def get_queryset(self):
        request = self.context["request"]
        return acting_rows(self.fetcher(request.user), request)

    def _kept_key(self):
        """What shapes this field's read for the caller: the fetcher, the caller's organisations and
        those it is not acting for. Staff (providers' operators) read the plain way."""
        request = self.context["request"]
        user = request.user
        if not self.kept or not user.is_authenticated or user.is_staff:
            return None
        return (self.fetcher, frozenset(customer_ids_for(user)), frozenset(acting_other_customers(request)))

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            self.fail("incorrect_type")
        key = self._kept_key()
        try:
            if key is None:
                return self.get_queryset().get(pk=data)
            return _KEPT_ID_READS.get(key, lambda pk: self.get_queryset().filter(pk=pk), data)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", model=self.model_name, pk_value=data)


class LaunchIdField(serializers.PrimaryKeyRelatedField):
    """A launch by id. ``kept``: its read is compiled once per serializer class and field and bound
    to each id (``selectors.kept_reads``); only for a ``queryset`` declared on the class."""

    default_error_messages = {
        "does_not_exist": "No launch has id {pk_value}.",
        "incorrect_type": "Send the launch id as a whole number.",
    }

    def __init__(self, *, kept: bool = False, **kwargs):
        self.kept = kept
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            self.fail("incorrect_type")
        if not self.kept:
            return super().to_internal_value(data)
        key = ("launch id", type(self.parent), self.field_name)
        try:
            return _KEPT_ID_READS.get(key, lambda pk: self.get_queryset().filter(pk=pk), data)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", pk_value=data)


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
