"""Input fields that take JSON types as the schema states them (no silent coercion of 0 to "0")."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.dates import validate_accepted_datetime
from booking.rules.local_time import clock, local_time_parse
from booking.rules.permissions import Action, may

from .permissions import request_principal


class StrictCharField(serializers.CharField):
    default_error_messages = {"not_a_string": "Send text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictURLField(serializers.URLField):
    default_error_messages = {"not_a_string": "Send the URL as a JSON string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: 0, 1, "yes" and friends are refused."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


class AcceptedDateTimeField(serializers.DateTimeField):
    """A date and time no later than ``booking.dates.LATEST_ACCEPTED``: the one rule the admin's
    forms share, so no date a field accepts can overflow a plan later (a 400, never a 500)."""

    default_validators = [validate_accepted_datetime]


class CustomerSecretField(serializers.CharField):
    """A customer's secret (e.g. a webhook signing secret), read-only; ``null`` for a caller whose
    role may not manage webhooks (a viewer may know that it exists, not what it is)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        request = self.context.get("request")
        if request is None or not may(request_principal(request), Action.WEBHOOK_MANAGE):
            return None
        return super().get_attribute(instance)


class NumberOrDecimalStringField(serializers.DecimalField):
    """A decimal sent as a JSON number (3.5) or a string ("3.5"); always answered as a string."""

    default_error_messages = {"not_a_number": 'Send a number, e.g. 3.5 or "3.5".'}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("not_a_number")
        return super().to_internal_value(data)


class NumberOrDecimalStringExtension(OpenApiSerializerFieldExtension):
    target_class = "booking.api.fields.NumberOrDecimalStringField"

    def map_serializer_field(self, auto_schema, direction):
        as_string = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            return as_string
        number = {"type": "number"}
        for key in ("minimum", "maximum"):
            if key in as_string:
                number[key] = float(as_string[key])
        string = {k: v for k, v in as_string.items() if k not in {"minimum", "maximum", "nullable"}}
        schema = {"oneOf": [number, string]}
        if as_string.get("nullable"):
            schema["nullable"] = True
        return schema


@extend_schema_field({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "example": "10:30", "nullable": True})
class LocalTimeField(serializers.Field):
    """A local solar time of day written "HH:MM" (``rules.local_time.local_time_parse``)."""

    def __init__(self, *, what: str = "local time of the ascending node", **kwargs):
        self.what = what
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if data is not None and (not isinstance(data, str) or data != data.strip() or not data):
            raise serializers.ValidationError(f'Send the {self.what} as a string "HH:MM", e.g. "10:30".')
        try:
            return local_time_parse(data, what=self.what)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return None if value is None else clock(value)
