"""Query parameters are validated, not guessed: an empty, repeated or unknown value is a 400."""

from __future__ import annotations

from django_filters import BooleanFilter, FilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter


class StrictFilterSet(FilterSet):
    def is_valid(self):
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            problem = None
            if len(values) != 1:
                problem = "Send this filter once."
            elif not values[0].strip():
                problem = "Send a value, or leave the filter out."
            elif isinstance(filter_, BooleanFilter) and values[0] not in {"true", "false"}:
                problem = 'Send "true" or "false".'
            if problem:
                self.form.add_error(name, problem)
                valid = False
        return valid


class StrictFilterBackend(DjangoFilterBackend):
    filterset_base = StrictFilterSet


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=net`` or ``-net`` (comma-separated); a field not offered is a 400."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.getlist(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        if len(params) > 1 or not params[0].strip():
            raise exceptions.ValidationError(
                {self.ordering_param: ["Send one comma-separated list of fields."]}
            )
        allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        fields = [term.strip() for term in params[0].split(",")]
        unknown = [f for f in fields if f.lstrip("-") not in allowed]
        if unknown or not all(fields):
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Order by one of: {', '.join(sorted(allowed))} (prefix - to reverse)."
                    ]
                }
            )
        return fields

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None) or []
        for parameter in parameters:
            if fields:
                parameter["schema"] = {"type": "string", "enum": [*fields, *(f"-{f}" for f in fields)]}
                parameter["description"] = f"Order by {', '.join(fields)}; prefix - to reverse."
        return parameters
