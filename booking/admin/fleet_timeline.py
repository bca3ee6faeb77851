"""The fleet timeline page of the operator admin: every platform, pad, rocket and range of the
fleet on one time axis (``booking.selectors.fleet_timeline`` reads it), zoomable from one day to
sixty, scrolling in time, a launch's details and its slip and scrub actions a click away.

The lanes are a fragment of their own: the page's script polls it with the marker of the schedule
it shows (``If-None-Match``) and swaps it in only when the schedule changed (``304`` otherwise).
Bars are built with ``format_html`` rather than template loops: a sixty-day view of a large fleet
draws thousands of them (bench/timeline.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from html import escape
from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from booking.dates import axis_tick, day_iso, rezone_text, span_text
from booking.models import Launch
from booking.selectors.fleet_timeline import (
    GROUP_TITLES,
    MAX_DAYS,
    MIN_DAYS,
    FleetTimeline,
    Lane,
    fleet_timeline,
    schedule_marker,
)
from vehicles.models import Provider
from vehicles.selectors import operator_provider_ids, providers_for_operator

DEFAULT_DAYS = 14
ZOOMS = (1, 3, 7, 14, 30, 60)
#: Seconds between two polls of the page's marker.
POLL_SECONDS = 20


@dataclass
class Span:
    """The requested view: its start, its end, its zoom, and what was wrong with the request."""

    start: datetime
    end: datetime
    days: int
    notes: list[str]

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def _parse_start(text: str | None, zone: tzinfo) -> datetime | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    return None


def parse_span(query: Any, *, now: datetime, zone: tzinfo = UTC) -> Span:
    """The view asked for in ``?start=YYYY-MM-DD&days=N``, days starting at midnight in ``zone``
    (the page's time zone); a bad figure is replaced by the nearest good one, and the note says so
    in the operator's terms."""
    notes: list[str] = []
    days_text = query.get("days") or str(DEFAULT_DAYS)
    try:
        days = int(days_text)
    except ValueError:
        days = DEFAULT_DAYS
        notes.append(
            _("“%(days)s” is not a number of days: showing %(default)s days.")
            % {"days": days_text, "default": DEFAULT_DAYS}
        )
    if not MIN_DAYS <= days <= MAX_DAYS:
        clamped = min(max(days, MIN_DAYS), MAX_DAYS)
        notes.append(
            _("The timeline shows %(min)s to %(max)s days; %(asked)s asked, showing %(shown)s.")
            % {"min": MIN_DAYS, "max": MAX_DAYS, "asked": days, "shown": clamped}
        )
        days = clamped
    start = _parse_start(query.get("start"), zone)
    if start is None:
        if query.get("start"):
            notes.append(
                _("“%(start)s” is not a date (YYYY-MM-DD): showing from yesterday.")
                % {"start": query.get("start")}
            )
        start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
        if days == 1:
            start += timedelta(days=1)
    return Span(start=start, end=start + timedelta(days=days), days=days, notes=notes)


def _tick_hours(days: int) -> int:
    if days <= 1:
        return 3
    if days <= 3:
        return 12
    if days <= 14:
        return 24
    if days <= 30:
        return 48
    return 96


def _ticks(span: Span, zone: tzinfo = UTC) -> list[dict[str, Any]]:
    step = timedelta(hours=_tick_hours(span.days))
    hourly = step < timedelta(days=1)
    ticks, moment = [], span.start
    while moment < span.end:
        label = axis_tick(moment, hourly=hourly, zone=zone)
        ticks.append({"left": _pct((moment - span.start).total_seconds(), span), "label": label})
        moment += step
    return ticks


def _pct(seconds: float, span: Span) -> float:
    return round(min(max(seconds / span.seconds * 100, 0.0), 100.0), 3)


def _bars(lane: Lane, span: Span, urls: dict[int, str], zone: tzinfo = UTC) -> SafeString:
    """A lane's bars: a launch's phases link to the launch (the page's script opens its details
    instead); closures are plain spans. Built as strings: the titles are escaped, the rest are
    numbers and class names of our own."""
    parts = []
    for seg in lane.spans:
        if seg.end < span.start or seg.start >= span.end:
            continue
        left = _pct((seg.start - span.start).total_seconds(), span)
        width = round(max(_pct((seg.end - span.start).total_seconds(), span) - left, 0.2), 3)
        css = f"seg {seg.kind} conflict" if seg.conflict else f"seg {seg.kind}"
        place = f'class="{css}" style="left:{left}%;width:{width}%" title="{escape(rezone_text(seg.title, zone))}"'
        if seg.launch_id is None:
            parts.append(f"<span {place}></span>")
        else:
            parts.append(f'<a {place} data-launch="{seg.launch_id}" href="{urls[seg.launch_id]}"></a>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is a number, a known word or escaped


def _launch_details(
    timeline: FleetTimeline, *, can_operate: bool, urls: dict[int, str], zone: tzinfo = UTC
) -> dict[str, dict[str, Any]]:
    """What the page's dialog shows for each launch in view (read by its script)."""
    return {
        str(pk): {
            "name": launch.name,
            "status": launch.status_text,
            "site": launch.site,
            "window": rezone_text(span_text(launch.window_start, launch.window_end), zone),
            "rocket": launch.rocket or _("not assigned"),
            "url": urls[pk],
            "operable": can_operate and launch.is_active,
        }
        for pk, launch in timeline.launches.items()
    }


def _launch_urls(timeline: FleetTimeline) -> dict[int, str]:
    pattern = reverse("admin:booking_launch_change", args=[0]).replace("/0/", "/{}/")
    return {pk: pattern.format(pk) for pk in timeline.launches}


def _lane_groups(
    timeline: FleetTimeline, span: Span, urls: dict[int, str], zone: tzinfo = UTC
) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for lane in timeline.lanes:
        if not groups or groups[-1]["key"] != lane.group:
            groups.append({"key": lane.group, "title": GROUP_TITLES[lane.group], "lanes": []})
        groups[-1]["lanes"].append(
            {"label": lane.label, "bars": _bars(lane, span, urls, zone), "conflict": bool(lane.problems)}
        )
    return groups


class FleetTimelineViews:
    """The page and its fragment, mounted on ``LaunchAdmin`` (``admin:booking_launch_fleet``)."""

    def __init__(self, model_admin: admin.ModelAdmin) -> None:
        self.model_admin = model_admin

    def _scope(self, request: HttpRequest) -> tuple[set[int] | None, Provider | None, list[Provider]]:
        """Whose fleet: the provider chosen (one of the operator's), else all the operator runs."""
        runs = operator_provider_ids(request.user)
        providers = list(providers_for_operator(request.user).order_by("name"))
        chosen = next((p for p in providers if str(p.pk) == request.GET.get("provider")), None)
        if chosen is not None:
            return {chosen.pk}, chosen, providers
        return runs, None, providers

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        if not self.model_admin.has_view_permission(request):
            raise Http404
        provider_ids, chosen, providers = self._scope(request)
        now = timezone.now()
        # One time zone on the page, the admin's (the operator's activated zone, else the site's
        # TIME_ZONE), stated in the span line: days, ticks, bars' titles and the dialog's window.
        zone = timezone.get_current_timezone()
        span = parse_span(request.GET, now=now, zone=zone)
        timeline = fleet_timeline(provider_ids=provider_ids, start=span.start, end=span.end)
        can_operate = bool(self.model_admin.has_launch_operate_permission(request))  # type: ignore[attr-defined]
        query = {"provider": chosen.pk if chosen else ""}
        urls = _launch_urls(timeline)
        return {
            "span": span,
            "timeline": timeline,
            "groups": _lane_groups(timeline, span, urls, zone),
            "ticks": _ticks(span, zone),
            "now_left": _pct((now - span.start).total_seconds(), span)
            if span.start <= now < span.end
            else None,
            "details": _launch_details(timeline, can_operate=can_operate, urls=urls, zone=zone),
            "marker": schedule_marker(provider_ids=provider_ids),
            "chosen": chosen,
            "providers": providers,
            "all_providers": operator_provider_ids(request.user) is None,
            "provider_q": query["provider"],
            "zooms": ZOOMS,
            "previous": day_iso(span.start - timedelta(days=span.days)),
            "next": day_iso(span.end),
            "today": day_iso(now.astimezone(zone)),
            "start_q": day_iso(span.start),
            "poll_seconds": POLL_SECONDS,
            "changelist_url": reverse("admin:booking_launch_changelist"),
        }

    def page(self, request: HttpRequest) -> HttpResponse:
        context = self._context(request)
        chosen = context["chosen"]
        title = (
            _("Fleet timeline: %(provider)s") % {"provider": chosen.name} if chosen else _("Fleet timeline")
        )
        context.update(
            {
                **self.model_admin.admin_site.each_context(request),
                "opts": Launch._meta,
                "title": title,
                "is_nav_sidebar_enabled": False,  # the timeline wants the screen's width
            }
        )
        response = TemplateResponse(request, "admin/booking/launch/fleet_timeline.html", context)
        response["ETag"] = f'"{context["marker"]}"'
        return response

    def lanes(self, request: HttpRequest) -> HttpResponse:
        """The lanes alone, or 304 when the schedule has not changed since the marker sent."""
        if not self.model_admin.has_view_permission(request):
            raise Http404
        provider_ids, _chosen, _providers = self._scope(request)
        marker = schedule_marker(provider_ids=provider_ids)
        if request.headers.get("If-None-Match", "").strip('"') == marker:
            return HttpResponseNotModified(headers={"ETag": f'"{marker}"'})
        context = self._context(request)
        response = TemplateResponse(request, "admin/booking/launch/_fleet_lanes.html", context)
        response["ETag"] = f'"{context["marker"]}"'
        response["Cache-Control"] = "no-cache"
        return response
