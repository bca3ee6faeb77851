"""Operator admin for bookings, quotes and prices. Actions call the booking services; the admin
holds no rule of its own and shows the service's own words when it refuses."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.admin.exports import BOOKING_ACTIONS
from booking.dates import minute_text, second_text
from booking.errors import ServiceError
from booking.models import (
    AddOnService,
    Booking,
    DedicatedPrice,
    Event,
    ExchangeRate,
    Launch,
    Quote,
    QuoteLine,
    RideshareRate,
)
from booking.selectors.capacity import capacity_taking_q
from booking.selectors.contracts import booking_milestones
from booking.selectors.fit import launches_selling_q
from booking.selectors.terms import booking_rebook_terms
from booking.services.bookings import booking_cancel, booking_confirm, booking_rebook, rebook_terms_text
from vehicles.admin_scoping import PlatformAdminEditsOnly, ProviderScopedAdmin
from vehicles.selectors import operator_provider_ids


def _table(headers: list[str], rows: list[tuple]) -> str:
    if not rows:
        return "—"
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


def _history(subject_type: str, subject_id: int | None) -> str:
    if subject_id is None:
        return "—"
    events = Event.objects.filter(subject_type=subject_type, subject_id=subject_id).order_by(
        "created_at", "pk"
    )
    return _table(
        [_("When (UTC)"), _("What"), _("Who"), _("Details")],
        [(second_text(e.created_at), e.verb, e.actor_label, e.message) for e in events],
    )


class HoldStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("hold")
    parameter_name = "hold"

    def lookups(self, request, model_admin):
        return [("active", _("Hold running")), ("lapsed", _("Hold ran out, not yet released"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(capacity_taking_q(now=now), status=Booking.Status.HELD)
        if self.value() == "lapsed":
            return queryset.filter(status=Booking.Status.HELD).exclude(capacity_taking_q(now=now))
        return queryset


@dataclass(frozen=True)
class RebookPreview:
    """What moving one selected booking to the chosen launch would charge, or why it cannot be
    priced; ``token`` goes back with the form so the move charges exactly these terms."""

    booking: Booking
    text: str
    token: str = ""


def _rebook_previews(
    selected: list[Booking], *, target: Launch, provider_initiated: bool
) -> list[RebookPreview]:
    """The terms of moving each booking (``selectors.terms``, with the seat ``selectors.ports``
    finds it on the target), in the words the move's own message uses."""
    previews = []
    for booking in selected:
        try:
            shown = booking_rebook_terms(
                booking=booking, launch=target, provider_initiated=provider_initiated
            )
        except ServiceError as exc:
            previews.append(RebookPreview(booking=booking, text=exc.message))
        else:
            previews.append(RebookPreview(booking=booking, text=rebook_terms_text(shown), token=shown.token))
    return previews


class RebookForm(forms.Form):
    launch = forms.ModelChoiceField(queryset=Launch.objects.none(), label=gettext_lazy("Move to launch"))
    provider_initiated = forms.BooleanField(
        required=False,
        label=gettext_lazy("On the provider's initiative"),
        help_text=gettext_lazy(
            "The provider moves the payload (not the customer's request): no rebooking fee is charged."
        ),
    )

    def __init__(self, *args, launches: QuerySet[Launch], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["launch"].queryset = launches  # type: ignore[attr-defined]


@admin.register(Booking)
class BookingAdmin(ProviderScopedAdmin):
    provider_path = "launch__provider_id"
    list_display = [
        "reference",
        "customer",
        "payload",
        "launch",
        "status",
        "mass_kg",
        "price",
        "currency",
        "amount_paid",
        "hold_expires_at",
    ]
    list_filter = ["status", HoldStateFilter, "currency", "launch__provider"]
    search_fields = ["reference", "customer__name", "payload__name", "launch__name"]
    list_select_related = ["customer", "payload", "launch"]
    readonly_fields = [
        "reference",
        "customer",
        "payload",
        "launch",
        "contract",
        "status",
        "price",
        "currency",
        "mass_kg",
        "hold_expires_at",
        "quote",
        "rebooked_from",
        "credit_carried_over",
        "amount_paid",
        "fees_charged",
        "refund_due",
        "created_by",
        "price_lines",
        "payment_milestones",
        "history",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "status", "customer", "payload", "launch", "contract"]}),
        (gettext_lazy("Hold"), {"fields": ["hold_expires_at", "quote"]}),
        (
            gettext_lazy("Price"),
            {
                "fields": [
                    "price",
                    "currency",
                    "price_lines",
                    "amount_paid",
                    "credit_carried_over",
                    "fees_charged",
                    "refund_due",
                    "payment_milestones",
                ]
            },
        ),
        (gettext_lazy("Capacity"), {"fields": ["mass_kg"]}),
        # The customer's consent to be offered moves by the manifest optimiser (and its customer's).
        (gettext_lazy("Moves"), {"fields": ["may_move"]}),
        (gettext_lazy("History"), {"fields": ["rebooked_from", "created_by", "history"]}),
    ]
    actions = ["confirm_bookings", "cancel_bookings", "rebook_bookings", *BOOKING_ACTIONS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bookings are made by the services (portal, API), from a quote

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # cancel instead: the history stays

    @admin.display(description=gettext_lazy("Price lines"))
    def price_lines(self, obj: Booking) -> str:
        if obj.quote_id is None:
            return "—"
        lines = obj.quote.lines.all()  # type: ignore[union-attr]
        return _table(
            ["#", _("Kind"), _("Description"), _("Amount (%(currency)s)") % {"currency": obj.quote.currency}],  # type: ignore[union-attr]
            [(line.position, line.get_kind_display(), line.description, line.amount) for line in lines],
        )

    @admin.display(description=gettext_lazy("Payment milestones"))
    def payment_milestones(self, obj: Booking) -> str:
        return _table(
            [_("Milestone"), _("Amount"), _("Due (UTC)"), _("Paid")],
            [
                (
                    m.label,
                    f"{m.amount} {m.currency}",
                    minute_text(m.due_at),
                    minute_text(m.paid_at) if m.paid_at else _("not yet"),
                )
                for m in booking_milestones(obj)
            ],
        )

    @admin.display(description=gettext_lazy("Events"))
    def history(self, obj: Booking) -> str:
        return _history("booking", obj.pk)

    def _run(self, request: HttpRequest, queryset: QuerySet[Booking], service, done: str, **kwargs) -> None:
        for booking in queryset.order_by("pk"):
            try:
                service(booking=booking, actor=request.user, **kwargs)
            except ServiceError as exc:
                self.message_user(request, f"{booking.reference}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{booking.reference}: {done}", messages.SUCCESS)

    @admin.action(description=gettext_lazy("Confirm the selected held bookings"), permissions=["change"])
    def confirm_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._run(request, queryset, booking_confirm, _("confirmed; payment milestones created"))

    @admin.action(description=gettext_lazy("Cancel the selected bookings"), permissions=["change"])
    def cancel_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._run(request, queryset, booking_cancel, _("cancelled"), reason="cancelled by an operator")

    def _rebook(
        self, request: HttpRequest, selected: list[Booking], *, target: Launch, provider_initiated: bool
    ) -> None:
        for booking in selected:
            try:
                moved = booking_rebook(
                    booking=booking,
                    launch=target,
                    actor=request.user,
                    provider_initiated=provider_initiated,
                    expected_terms=request.POST[f"terms-{booking.pk}"],
                )
            except ServiceError as exc:
                self.message_user(request, f"{booking.reference}: {exc.message}", messages.ERROR)
            else:
                event = Event.objects.filter(
                    verb="booking.rebooked", subject_type="booking", subject_id=moved.pk
                ).first()
                self.message_user(
                    request,
                    event.message
                    if event
                    else _("%(reference)s: moved onto %(launch)s")
                    % {"reference": moved.reference, "launch": target.name},
                    messages.SUCCESS,
                )

    @admin.action(
        description=gettext_lazy("Rebook the selected bookings onto another launch"), permissions=["change"]
    )
    def rebook_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]):
        launches = Launch.objects.filter(launches_selling_q(now=timezone.now())).select_related(
            "vehicle_model", "site"
        )
        ids = operator_provider_ids(request.user)
        if ids is not None:
            launches = launches.filter(provider_id__in=ids)
        launches = launches.filter(provider_id__in=queryset.values("launch__provider_id")).order_by(
            "net", "pk"
        )
        chosen = "preview" in request.POST or "apply" in request.POST
        form = RebookForm(request.POST if chosen else None, launches=launches)
        selected = list(queryset.select_related("launch__provider", "payload").order_by("pk"))
        previews: list[RebookPreview] = []
        if chosen and form.is_valid():
            target = form.cleaned_data["launch"]
            provider_initiated = form.cleaned_data["provider_initiated"]
            # A move charges the terms this page showed: "Rebook" without them shows them first.
            if "apply" in request.POST and all(f"terms-{b.pk}" in request.POST for b in selected):
                self._rebook(request, selected, target=target, provider_initiated=provider_initiated)
                return None
            previews = _rebook_previews(selected, target=target, provider_initiated=provider_initiated)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rebook onto another launch"),
            "opts": self.model._meta,
            "bookings": selected,
            "previews": previews,
            # "Rebook" only where some booking can move: a page of refusals offers none.
            "movable": any(preview.token for preview in previews),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "action": "rebook_bookings",
        }
        return TemplateResponse(request, "admin/booking/booking/rebook.html", context)


_QUOTE_LINE_INLINE_FIELDS = ("position", "kind", "description", "amount")


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0
    fields = _QUOTE_LINE_INLINE_FIELDS
    readonly_fields = _QUOTE_LINE_INLINE_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Quote)
class QuoteAdmin(ProviderScopedAdmin):
    list_display = [
        "reference",
        "customer",
        "payload",
        "kind",
        "service_level",
        "launch",
        "vehicle_model",
        "total",
        "currency",
        "status",
        "valid_until",
    ]
    list_filter = ["status", "kind", "service_level", "currency", "provider"]
    search_fields = ["reference", "customer__name", "payload__name"]
    list_select_related = ["customer", "payload", "launch", "vehicle_model"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reference",
        "customer",
        "payload",
        "kind",
        "service_level",
        "launch",
        "vehicle_model",
        "provider",
        "mass_kg",
        "options",
        "declared_value",
        "total",
        "currency",
        "status",
        "valid_until",
        "created_by",
        "created_at",
        "history",
    ]
    inlines = [QuoteLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # quotes come from quote_create (portal, API)

    @admin.display(description=gettext_lazy("Events"))
    def history(self, obj: Quote) -> str:
        return _history("quote", obj.pk)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(PlatformAdminEditsOnly, admin.ModelAdmin):
    """Rates convert every provider's prices: platform administrators set them."""

    list_display = ["currency", "units_per_usd", "updated_at"]
    readonly_fields = ["updated_at"]


@admin.register(RideshareRate)
class RideshareRateAdmin(ProviderScopedAdmin):
    list_display = ["provider", "orbit_family", "price_per_kg", "minimum_charge", "currency"]
    list_filter = ["provider", "orbit_family", "currency"]
    list_editable = ["price_per_kg", "minimum_charge"]
    list_select_related = ["provider"]


@admin.register(DedicatedPrice)
class DedicatedPriceAdmin(ProviderScopedAdmin):
    provider_path = "vehicle_model__provider_id"
    list_display = ["vehicle_model", "price", "currency"]
    list_filter = ["vehicle_model__provider", "currency"]
    list_editable = ["price"]
    list_select_related = ["vehicle_model"]


@admin.register(AddOnService)
class AddOnServiceAdmin(ProviderScopedAdmin):
    list_display = [
        "provider",
        "kind",
        "name",
        "flat_price",
        "percent_of_declared_value",
        "currency",
        "active",
    ]
    list_filter = ["provider", "kind", "active"]
    list_select_related = ["provider"]
