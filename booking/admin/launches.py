"""Operator admin for launches: schedule, slip and scrub (through the scheduling services),
reservations, and a Gantt-style schedule timeline per platform and per site."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.admin.catalog import ServiceRefusalsAsMessages
from booking.admin.exports import MANIFEST_ACTIONS
from booking.admin.fleet_timeline import FleetTimelineViews
from booking.admin.ports import LaunchPortFormSet, LaunchPortInline
from booking.admin.readiness import LAUNCH_STATUS_ACTIONS
from booking.admin.rules import RuleActionsMixin, admin_may
from booking.admin.schedule_form import (
    PlanSearchForm,
    ScheduleForm,
    initial_from_query,
    plan_search_initial,
    top_plans,
)
from booking.dates import day_iso, day_short, minute_text, validate_accepted_datetime
from booking.errors import ServiceError
from booking.models import Booking, DedicatedRequest, DelayCause, Launch, Reservation
from booking.rules.local_time import clock
from booking.rules.permissions import Action
from booking.rules.text import closure_text
from booking.selectors.closures import closures_on_launch, next_window_for
from booking.selectors.dedicated import dedicated_requests_for_providers
from booking.selectors.local_time import launch_window_text
from booking.selectors.timeline import resource_timeline
from booking.services.scheduling import launch_schedule, launch_scrub, launch_slip
from booking.workflows.dedicated import dedicated_request_schedule
from vehicles.admin_scoping import ProviderScopedAdmin
from vehicles.models import (
    LaunchSite,
    MobilePlatform,
    Pad,
    SiteClosure,
)
from vehicles.selectors import (
    operator_provider_ids,
    platforms_for_operator,
)

_BOOKING_INLINE_FIELDS = ("reference", "customer", "payload", "status", "mass_kg", "price", "currency")


class BookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    fields = _BOOKING_INLINE_FIELDS
    readonly_fields = _BOOKING_INLINE_FIELDS
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "payload")


_RESERVATION_INLINE_FIELDS = (
    "platform",
    "pad",
    "origin",
    "occupied_from",
    "arrive_at",
    "ready_at",
    "occupied_until",
    "released_at",
)


class ReservationInline(admin.TabularInline):
    model = Reservation
    extra = 0
    fields = _RESERVATION_INLINE_FIELDS
    readonly_fields = _RESERVATION_INLINE_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("platform", "pad__site", "origin")


# --- forms ---------------------------------------------------------------------------------------


class SlipForm(forms.Form):
    window_start = forms.DateTimeField(
        label=gettext_lazy("Window start"),
        help_text=gettext_lazy("New window start, UTC (e.g. 2030-03-12 06:00)."),
        validators=[validate_accepted_datetime],
    )
    window_end = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Window end"),
        help_text=gettext_lazy("Leave empty to keep the window's length."),
        validators=[validate_accepted_datetime],
    )
    net_precision = forms.ChoiceField(
        choices=[("", gettext_lazy("keep"))] + list(Launch.NetPrecision.choices),
        required=False,
        label=gettext_lazy("NET precision"),
    )
    cascade = forms.BooleanField(
        required=False,
        label=gettext_lazy("Cascade"),
        help_text=gettext_lazy(
            "Also slip the following launches on the same platform or pad by what they lack."
        ),
    )
    cause = forms.ChoiceField(
        choices=DelayCause.choices,
        label=gettext_lazy("Cause"),
        help_text=gettext_lazy(
            "What caused the slip. A provider or weather slip moves its bookings without a rebooking fee."
        ),
    )


class ScrubForm(forms.Form):
    reason = forms.CharField(max_length=200, label=gettext_lazy("Reason"))
    cause = forms.ChoiceField(
        choices=DelayCause.choices,
        label=gettext_lazy("Cause"),
        help_text=gettext_lazy(
            "What caused the scrub. A provider or weather scrub moves its bookings without a rebooking fee."
        ),
    )


def _utc(value: datetime | None) -> datetime | None:
    """Form datetimes are read in the project's zone; the admin enters UTC."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    return value


# --- the timeline --------------------------------------------------------------------------------


@dataclass
class Segment:
    kind: str  # transit, setup, window, teardown, turnaround, closure
    left: float
    width: float
    title: str


@dataclass
class Row:
    label: str
    url: str = ""
    segments: list[Segment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _segment(
    kind: str, start: datetime, end: datetime, lo: datetime, hi: datetime, title: str
) -> Segment | None:
    if end <= lo or start >= hi:
        return None
    total = (hi - lo).total_seconds()
    left = max(0.0, (start - lo).total_seconds() / total * 100)
    right = min(100.0, (end - lo).total_seconds() / total * 100)
    return Segment(kind=kind, left=round(left, 3), width=round(max(right - left, 0.15), 3), title=title)


def _bar_rows(
    bars, *, lo: datetime, hi: datetime, pad: bool, only_site: LaunchSite | None = None
) -> list[Row]:
    rows = []
    for bar in bars:
        if only_site is not None and bar.site.pk != only_site.pk:
            continue
        row = Row(
            label=f"{bar.launch.name} · {bar.site.name}",
            url=reverse("admin:booking_launch_change", args=[bar.launch.pk]),
            problems=bar.problems,
        )
        parts = (
            [
                ("window", bar.window_start, bar.window_end, _("launch window")),
                ("turnaround", bar.window_end, bar.until, _("pad turnaround")),
            ]
            if pad
            else [
                (
                    "transit",
                    bar.depart,
                    bar.arrive,
                    _("transit from %(origin)s (%(hours).1f h)")
                    % {"origin": bar.origin, "hours": bar.transit_h},
                ),
                ("setup", bar.arrive, bar.window_start, _("set-up")),
                ("window", bar.window_start, bar.window_end, _("launch window")),
                ("teardown", bar.window_end, bar.until, _("tear-down")),
            ]
        )
        for kind, start, end, what in parts:
            segment = _segment(
                kind,
                start,
                end,
                lo,
                hi,
                _("%(what)s: %(start)s – %(end)s UTC")
                % {"what": what, "start": minute_text(start), "end": minute_text(end)},
            )
            if segment:
                row.segments.append(segment)
        rows.append(row)
    return rows


def _closure_row(site: LaunchSite, lo: datetime, hi: datetime) -> Row:
    row = Row(label=_("%(site)s closures") % {"site": site.name})
    for closure in SiteClosure.objects.filter(site=site, starts_at__lt=hi, ends_at__gt=lo).order_by(
        "starts_at"
    ):
        segment = _segment("closure", closure.starts_at, closure.ends_at, lo, hi, closure_text(closure, site))
        if segment:
            row.segments.append(segment)
    return row


# --- admins --------------------------------------------------------------------------------------


@admin.register(Launch)
class LaunchAdmin(ServiceRefusalsAsMessages, RuleActionsMixin, ProviderScopedAdmin):
    list_display = [
        "name",
        "provider",
        "vehicle_model",
        "vehicle",
        "site",
        "platform",
        "pad",
        "net",
        "net_precision",
        "status",
        "service_level",
    ]
    list_filter = ["status", "service_level", "provider", "site", "vehicle_model"]
    search_fields = ["name", "vehicle__serial", "site__name", "platform__name"]
    date_hierarchy = "net"
    list_select_related = [
        "provider",
        "vehicle_model",
        "vehicle__vehicle_model",
        "site",
        "platform",
        "pad__site",
    ]
    inlines = [LaunchPortInline, ReservationInline, BookingInline]
    actions = ["schedule_like", "slip_launch", "scrub_launches", *LAUNCH_STATUS_ACTIONS, *MANIFEST_ACTIONS]
    # What, where, when and on what a launch flies changes only through the services (schedule,
    # slip, scrub and the status actions), which check the schedule and record Events: nothing
    # on the change form is editable but its ports, saved through the port services.
    readonly_fields = [
        "name",
        "provider",
        "vehicle_model",
        "vehicle",
        "site",
        "pad",
        "platform",
        "orbit_family",
        "altitude_km",
        "inclination_deg",
        "rideshare",
        "dedicated_customer",
        "window_start",
        "window_end",
        "ltan",
        "daily_window",
        "net",
        "net_precision",
        "status",
        "held_by",
        "service_level",
        "closure_replan",
    ]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if isinstance(formset, LaunchPortFormSet):
            formset.save_through_services(request.user)
            return
        super().save_formset(request, form, formset, change)

    @admin.display(description=gettext_lazy("Daily window"))
    def daily_window(self, launch: Launch) -> str:
        return launch_window_text(launch) or "—"

    @admin.display(description=gettext_lazy("Site closures on the window"))
    def closure_replan(self, launch: Launch) -> str:
        """The closures that land on the window and the planner's next feasible window."""
        if launch.pk is None:
            return "—"
        closures = closures_on_launch(launch=launch)
        if not closures:
            return _("none")
        plan = next_window_for(launch=launch)
        offer = (
            _("Next feasible window: %(window)s") % {"window": plan.describe()}
            if plan
            else _("No feasible window within 60 days.")
        )
        return "; ".join(closure_text(c) for c in closures) + ". " + offer

    def get_urls(self):
        fleet = FleetTimelineViews(self)
        urls = [
            path("fleet/", self.admin_site.admin_view(fleet.page), name="booking_launch_fleet"),
            path("fleet/lanes/", self.admin_site.admin_view(fleet.lanes), name="booking_launch_fleet_lanes"),
            path("schedule/", self.admin_site.admin_view(self.schedule_view), name="booking_launch_schedule"),
            path(
                "timeline/platform/<int:pk>/",
                self.admin_site.admin_view(self.platform_timeline_view),
                name="booking_launch_timeline_platform",
            ),
            path(
                "timeline/site/<int:pk>/",
                self.admin_site.admin_view(self.site_timeline_view),
                name="booking_launch_timeline_site",
            ),
        ]
        return urls + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        # A launch is born through launch_schedule, which reserves what it needs.
        return HttpResponseRedirect(reverse("admin:booking_launch_schedule"))

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["fleet_url"] = reverse("admin:booking_launch_fleet")
        extra_context["timeline_links"] = [
            (p.name, reverse("admin:booking_launch_timeline_platform", args=[p.pk]))
            for p in self._platforms(request)
        ] + [
            (s.name, reverse("admin:booking_launch_timeline_site", args=[s.pk]))
            for s in LaunchSite.objects.all()
        ]
        return super().changelist_view(request, extra_context=extra_context)

    def _platforms(self, request: HttpRequest) -> QuerySet[MobilePlatform]:
        return platforms_for_operator(request.user).order_by("name")

    # --- schedule ---

    def schedule_view(self, request: HttpRequest, initial: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_change_permission(request):
            raise Http404
        if request.method == "POST" and "window_start" in request.POST:
            form = ScheduleForm(request.POST, user=request.user)
            if form.is_valid():
                launch = self._schedule(request, form.cleaned_data)
                if launch is not None:
                    return HttpResponseRedirect(reverse("admin:booking_launch_change", args=[launch.pk]))
        else:
            form = ScheduleForm(initial=initial or initial_from_query(request.GET), user=request.user)
        return TemplateResponse(
            request, "admin/booking/launch/schedule.html", self._schedule_context(request, form)
        )

    def _dedicated_request(self, request: HttpRequest, pk: Any) -> DedicatedRequest | None:
        """The dedicated launch request being scheduled, among those the operator's providers can
        fly; another provider's is not found."""
        if not pk:
            return None
        if not admin_may(request, Action.DEDICATED_ANSWER):
            raise Http404
        return get_object_or_404(dedicated_requests_for_providers(operator_provider_ids(request.user)), pk=pk)

    def _schedule(self, request: HttpRequest, data: dict[str, Any]) -> Launch | None:
        asked = self._dedicated_request(request, data.get("dedicated_request"))
        schedule = (
            launch_schedule if asked is None else functools.partial(dedicated_request_schedule, request=asked)
        )
        try:
            launch = schedule(
                provider=data["provider"],
                vehicle_model=data["vehicle_model"],
                site=data["site"],
                orbit_family=data["orbit_family"],
                altitude_km=data["altitude_km"],
                inclination_deg=data["inclination_deg"],
                window_start=data["window_start"],
                window_end=data["window_end"],
                actor=request.user,
                vehicle=data["vehicle"],
                platform=data["platform"],
                pad=data["pad"],
                name=data["name"],
                net_precision=data["net_precision"],
                service_level=data["service_level"],
                ltan=data["ltan"],
            )
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        if asked is not None:
            self.message_user(
                request,
                _("%(launch)s scheduled for %(reference)s: %(customer)s is notified and can book it.")
                % {"launch": launch.name, "reference": asked.reference, "customer": asked.customer},
                messages.SUCCESS,
            )
            return launch
        self.message_user(request, _("%(launch)s scheduled.") % {"launch": launch.name}, messages.SUCCESS)
        return launch

    def _schedule_context(self, request: HttpRequest, form: ScheduleForm) -> dict[str, Any]:
        searched = "plan-earliest" in request.GET
        search = PlanSearchForm(
            request.GET if searched else None, prefix="plan", initial=plan_search_initial(timezone.now())
        )
        asked = self._dedicated_request(request, form["dedicated_request"].value())
        carry = {"dedicated_request": str(asked.pk)} if asked is not None else {}
        if asked is not None and asked.ltan is not None:
            carry["ltan"] = clock(asked.ltan)
        plans, reasons = (
            top_plans(search, user=request.user, carry=carry) if searched and search.is_valid() else ([], [])
        )
        if asked is not None and asked.vehicle_model_id is not None:  # the model the customer asked for
            plans = [item for item in plans if item["plan"].vehicle_model.pk == asked.vehicle_model_id]
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Schedule a launch"),
            "is_nav_sidebar_enabled": False,
            "form": form,
            "search": search,
            "searched": searched,
            "plans": plans,
            "reasons": reasons,
            "dedicated_request": asked,
            "site_zones": {
                str(site.pk): site.time_zone for site in LaunchSite.objects.only("pk", "time_zone")
            },
        }

    @admin.action(description=gettext_lazy("Schedule a launch like the selected one"))
    def schedule_like(self, request: HttpRequest, queryset: QuerySet[Launch]):
        launch = queryset.first()
        assert launch is not None
        initial = {
            "provider": launch.provider_id,
            "vehicle_model": launch.vehicle_model_id,
            "site": launch.site_id,
            "platform": launch.platform_id,
            "pad": launch.pad_id,
            "orbit_family": launch.orbit_family,
            "altitude_km": launch.altitude_km,
            "inclination_deg": launch.inclination_deg,
            "net_precision": launch.net_precision,
            "service_level": launch.service_level,
            "ltan": clock(launch.ltan) if launch.ltan else "",
        }
        request.method = "GET"  # show the form, pre-filled
        return self.schedule_view(request, initial=initial)

    # --- slip ---

    @admin.action(description=gettext_lazy("Slip the selected launch"), permissions=["launch_operate"])
    def slip_launch(self, request: HttpRequest, queryset: QuerySet[Launch]):
        launches = list(queryset)
        if len(launches) != 1:
            self.message_user(request, _("Slip one launch at a time."), messages.WARNING)
            return None
        launch = launches[0]
        if "apply" in request.POST:
            form = SlipForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    result = launch_slip(
                        launch=launch,
                        window_start=_utc(data["window_start"]),  # type: ignore[arg-type]
                        window_end=_utc(data["window_end"]),
                        net_precision=data["net_precision"] or None,
                        cascade=data["cascade"],
                        cause=data["cause"],
                        actor=request.user,
                    )
                except ServiceError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                else:
                    self.message_user(request, result.message, messages.SUCCESS)
                return None
        else:
            form = SlipForm(
                initial={"window_start": launch.window_start.astimezone(UTC).replace(tzinfo=None)}
            )
        return self._action_form(request, "slip_launch", [launch], form, _("Slip launch"), _("Slip"))

    # --- scrub ---

    @admin.action(description=gettext_lazy("Scrub the selected launches"), permissions=["launch_operate"])
    def scrub_launches(self, request: HttpRequest, queryset: QuerySet[Launch]):
        launches = list(queryset)
        if "apply" in request.POST:
            form = ScrubForm(request.POST)
            if form.is_valid():
                for launch in launches:
                    try:
                        launch_scrub(
                            launch=launch,
                            actor=request.user,
                            reason=form.cleaned_data["reason"],
                            cause=form.cleaned_data["cause"],
                        )
                    except ServiceError as exc:
                        self.message_user(request, exc.message, messages.ERROR)
                    else:
                        event = launch.events.filter(verb="launch.scrubbed").first()
                        self.message_user(
                            request,
                            event.message if event else _("%(launch)s scrubbed.") % {"launch": launch},
                            messages.SUCCESS,
                        )
                return None
        else:
            form = ScrubForm()
        return self._action_form(request, "scrub_launches", launches, form, _("Scrub launches"), _("Scrub"))

    def _action_form(self, request, action, launches, form, title, button):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "launches": launches,
            "action": action,
            "button": button,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/booking/launch/action_form.html", context)

    # --- timelines ---

    def _span(self, request: HttpRequest) -> tuple[datetime, datetime, int]:
        try:
            days = max(1, min(int(request.GET.get("days", 14)), 120))
        except ValueError:
            days = 14
        start_text = request.GET.get("start")
        try:
            start = datetime.strptime(start_text, "%Y-%m-%d").replace(tzinfo=UTC) if start_text else None
        except ValueError:
            start = None
        if start is None:
            start = timezone.now().astimezone(UTC).replace(
                hour=0, minute=0, second=0, microsecond=0
            ) - timedelta(days=1)
        return start, start + timedelta(days=days), days

    def _timeline(
        self, request, *, title: str, rows: list[Row], lo: datetime, hi: datetime, days: int, subject
    ):
        ticks = []
        step = max(1, days // 14)
        for n in range(0, days, step):
            moment = lo + timedelta(days=n)
            ticks.append({"left": round(n / days * 100, 3), "label": day_short(moment)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "subject": subject,
            "rows": rows,
            "ticks": ticks,
            "start": lo,
            "end": hi,
            "days": days,
            "previous": day_iso(lo - timedelta(days=days)),
            "next": day_iso(hi),
            "problems": [p for row in rows for p in row.problems],
        }
        return TemplateResponse(request, "admin/booking/launch/timeline.html", context)

    def platform_timeline_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        platform = get_object_or_404(self._platforms(request).select_related("home_site"), pk=pk)
        lo, hi, days = self._span(request)
        bars = resource_timeline(platform=platform, start=lo, end=hi)
        rows = _bar_rows(bars, lo=lo, hi=hi, pad=False)
        for site in {bar.site.pk: bar.site for bar in bars}.values():
            closures = _closure_row(site, lo, hi)
            if closures.segments:
                rows.append(closures)
        return self._timeline(
            request,
            title=_("Schedule timeline: %(subject)s") % {"subject": platform.name},
            rows=rows,
            lo=lo,
            hi=hi,
            days=days,
            subject=platform,
        )

    def site_timeline_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        site = get_object_or_404(LaunchSite, pk=pk)
        lo, hi, days = self._span(request)
        rows = [_closure_row(site, lo, hi)]
        for pad in Pad.objects.filter(site=site).select_related("site").order_by("name"):
            for row in _bar_rows(resource_timeline(pad=pad, start=lo, end=hi), lo=lo, hi=hi, pad=True):
                row.label = f"{pad.name}: {row.label}"
                rows.append(row)
        platform_ids = (
            Reservation.objects.filter(
                site=site,
                platform__isnull=False,
                released_at__isnull=True,
                occupied_from__lt=hi,
                occupied_until__gt=lo,
            )
            .values_list("platform_id", flat=True)
            .distinct()
        )
        for platform in self._platforms(request).filter(pk__in=list(platform_ids)):
            bars = resource_timeline(platform=platform, start=lo, end=hi)
            for row in _bar_rows(bars, lo=lo, hi=hi, pad=False, only_site=site):
                row.label = f"{platform.name}: {row.label}"
                rows.append(row)
        return self._timeline(
            request,
            title=_("Schedule timeline: %(subject)s") % {"subject": site.name},
            rows=rows,
            lo=lo,
            hi=hi,
            days=days,
            subject=site,
        )


@admin.register(Reservation)
class ReservationAdmin(ProviderScopedAdmin):
    """Reservations are written by the scheduling services only; here they are read."""

    provider_path = "launch__provider_id"
    list_display = [
        "launch",
        "platform",
        "pad",
        "origin",
        "occupied_from",
        "arrive_at",
        "ready_at",
        "occupied_until",
        "released_at",
    ]
    list_filter = ["platform", "pad", ("released_at", admin.EmptyFieldListFilter)]
    search_fields = ["launch__name", "platform__name", "pad__name"]
    date_hierarchy = "occupied_from"
    list_select_related = ["launch", "platform", "pad__site", "origin"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
