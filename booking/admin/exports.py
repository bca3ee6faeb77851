"""The admin's exports: launch manifests, bookings and payments as CSV or Excel files, written by
``booking.selectors.exports`` (the portal's writer too).

An action runs on the rows selected from the admin's own queryset, which is scoped to the
operator's providers (``ProviderScopedAdmin``): an operator exports only its providers' rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy

import booking.selectors.exports as exports

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Builder = Callable[[QuerySet[Any]], exports.Table]
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel"}


def export_response(table: exports.Table, *, file_format: str) -> HttpResponse:
    file = exports.export_file(table, file_format=file_format)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def _export_description(label: StrOrPromise, format_label: str) -> str:
    return gettext("Export %(what)s (%(format)s)") % {"what": label, "format": format_label}


# The actions are built at import time; their titles are read when a page is drawn, in its language.
_lazy_export_description = lazy(_export_description, str)


def export_actions(
    *, what: str, label: StrOrPromise, build: Builder, permission: str
) -> list[Callable[..., Any]]:
    """One admin action per format, named ``export_<what>_<format>``."""
    actions = []
    for file_format, format_label in FORMAT_LABELS.items():

        def action(
            modeladmin: admin.ModelAdmin[Any],
            request: HttpRequest,
            queryset: QuerySet[Any],
            file_format: str = file_format,
        ) -> HttpResponse:
            return export_response(build(queryset), file_format=file_format)

        action.__name__ = f"export_{what}_{file_format}"
        actions.append(
            admin.action(
                description=_lazy_export_description(label, format_label),
                permissions=[permission],
            )(action)
        )
    return actions


MANIFEST_ACTIONS = export_actions(
    what="manifest",
    label=gettext_lazy("the selected launches' manifests"),
    build=exports.manifest_table,
    permission="view",
)
BOOKING_ACTIONS = export_actions(
    what="bookings",
    label=gettext_lazy("the selected bookings"),
    build=exports.bookings_table,
    permission="view",
)
PAYMENT_ACTIONS = export_actions(
    what="payments",
    label=gettext_lazy("the selected milestones"),
    build=exports.payments_table,
    permission="payment_view",
)
