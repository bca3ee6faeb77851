"""Form fields the operator admin and the customer portal share (each front end keeps its forms)."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms

from booking.rules.local_time import clock, local_time_parse


class LocalTimeFormField(forms.CharField):
    """A local solar time of day typed "HH:MM" (``rules.local_time.local_time_parse``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "HH:MM", "inputmode": "numeric", "size": "5"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return clock(value) if isinstance(value, time) else value

    def to_python(self, value: Any) -> time | None:  # type: ignore[override]
        try:
            return local_time_parse(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
