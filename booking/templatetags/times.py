"""``{{ moment|shown:"moment" }}``: templates write times in the shapes of ``booking.dates``."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.template.defaultfilters import date as date_filter

from booking.dates import SHOWN_FORMATS, shown_format

register = template.Library()


@register.filter(expects_localtime=True)
def shown(value: datetime | date | None, shape: str) -> str:
    """``value`` in ``booking.dates.SHOWN_FORMATS[shape]``, in the user's time zone as Django's
    ``date`` filter writes it, in the active language's form (``SHOWN_FORMATS_BY_LANGUAGE``); an
    unknown shape is an error, not a guess."""
    if shape not in SHOWN_FORMATS:
        raise template.TemplateSyntaxError(f"no time shape {shape!r} in booking.dates.SHOWN_FORMATS")
    return date_filter(value, shown_format(shape))
