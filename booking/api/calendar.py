"""iCalendar (RFC 5545) feeds of the schedule: public, and per customer behind a secret URL.

Each launch is one VEVENT with a stable UID; when it slips, SEQUENCE (the number of slips),
DTSTAMP and LAST-MODIFIED change, so calendar clients replace the old event.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from rest_framework import renderers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.dates import when
from booking.models import Launch
from booking.selectors.access import launches_for_calendar
from customers.models import Customer

from .base import AnonRateThrottle, ApiViewMixin

UID_DOMAIN = "launchbook"
STATUS = {
    Launch.Status.SCRUBBED: "CANCELLED",
    Launch.Status.PLANNED: "TENTATIVE",
    Launch.Status.HOLD: "TENTATIVE",
}
FEED_EXAMPLE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Launchbook//Launch schedule//EN\r\n"
    "BEGIN:VEVENT\r\nSUMMARY:Kuaizhou-1A Y7 (Kuaizhou-1A\\, Jiuquan)\r\nDTSTART:20250601T020000Z\r\n"
    "DTEND:20250601T040000Z\r\nDTSTAMP:20250520T101500Z\r\nUID:launch-11@launchbook\r\nSEQUENCE:1\r\n"
    "STATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        # An error answer (e.g. throttled) is still text a person can read.
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        return str(detail).encode()


class AlwaysCalendar(BaseContentNegotiation):
    """Calendar clients send all sorts of Accept headers; the answer is always iCalendar."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def launches_calendar(launches, *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Launchbook//Launch schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for launch in launches:
        event = CalendarEvent()
        event.add("uid", f"launch-{launch.pk}@{UID_DOMAIN}")
        event.add("summary", f"{launch.name} ({launch.vehicle_model.name}, {launch.site.name})")
        event.add("dtstart", launch.window_start)
        event.add("dtend", launch.window_end)
        event.add("dtstamp", launch.updated_at)
        event.add("last-modified", launch.updated_at)
        event.add("sequence", launch.slip_count)
        event.add("status", STATUS.get(launch.status, "CONFIRMED"))
        event.add("location", f"{launch.site.name} ({launch.site.latitude}, {launch.site.longitude})")
        event.add(
            "description",
            f"{launch.provider.name} · {launch.orbit_family} {launch.altitude_km} km · "
            f"NET {when(launch.net)} ({launch.get_net_precision_display().lower()}) · "
            f"status {launch.get_status_display().lower()}",
        )
        calendar.add_component(event)
    return calendar.to_ical()


class CalendarView(ApiViewMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    renderer_classes = [ICalendarRenderer]
    content_negotiation_class = AlwaysCalendar


class PublicCalendarView(CalendarView):
    @extend_schema(
        tags=["calendar"],
        operation_id="launches_calendar",
        summary="The public launch schedule as an iCalendar feed",
        description=(
            "Subscribe in any calendar application. One event per launch, with a stable UID; a slip "
            "raises SEQUENCE so the event moves. No token needed."
        ),
        auth=[],
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="RFC 5545 calendar")
        },
        examples=[OpenApiExample("Feed", value=FEED_EXAMPLE, response_only=True, media_type="text/calendar")],
    )
    def get(self, request):
        return Response(launches_calendar(launches_for_calendar(), name="Launch schedule"))


class CustomerCalendarView(CalendarView):
    @extend_schema(
        tags=["calendar"],
        operation_id="customer_calendar",
        summary="Your organisation's launches as an iCalendar feed (secret URL)",
        description=(
            "The launches your organisation has bookings on. The URL holds your organisation's "
            "calendar token and needs no other credential: treat it as a secret."
        ),
        auth=[],
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="RFC 5545 calendar"),
            (404, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="Unknown calendar token"),
        },
        examples=[OpenApiExample("Feed", value=FEED_EXAMPLE, response_only=True, media_type="text/calendar")],
    )
    def get(self, request, token: str):
        customer = Customer.objects.filter(calendar_token=token).first()
        if customer is None:
            raise Http404("No calendar has this address.")
        launches = launches_for_calendar(customer=customer)
        return Response(launches_calendar(launches, name=f"{customer.name}: launches"))
