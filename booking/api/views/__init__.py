"""API views, one module per resource, each with its OpenAPI description beside it.

Views fetch through get_*_for selectors and change through services, nothing else."""

from __future__ import annotations

from .. import fields as _fields  # noqa: F401 - registers the schema extension
from .auth import ApiTokenViewSet, AuthTokenView
from .availability import AvailabilityView
from .bookings import BookingViewSet
from .catalog import PlatformViewSet, ProviderViewSet, SiteViewSet, VehicleModelViewSet, VehicleViewSet
from .common import BAD_REQUEST, CONFLICT, ID_REGEX, NOT_FOUND, ApiViewSet, api_not_found
from .contracts import ContractViewSet
from .dedicated import DedicatedRequestViewSet
from .events import EventFilter, EventViewSet
from .express import ExpressOrderView, ExpressQuoteCancelView, ExpressQuoteConfirmView, ExpressQuoteView
from .invoices import InvoiceViewSet
from .launches import LaunchFilter, LaunchViewSet
from .moves import MoveOfferViewSet
from .payloads import PayloadViewSet
from .quotes import QuoteViewSet
from .standby import StandbyEntryViewSet
from .webhooks import WebhookEndpointViewSet

__all__ = [
    "ApiTokenViewSet",
    "ApiViewSet",
    "AuthTokenView",
    "AvailabilityView",
    "BAD_REQUEST",
    "BookingViewSet",
    "CONFLICT",
    "ContractViewSet",
    "DedicatedRequestViewSet",
    "EventFilter",
    "EventViewSet",
    "ExpressOrderView",
    "ExpressQuoteCancelView",
    "ExpressQuoteConfirmView",
    "ExpressQuoteView",
    "ID_REGEX",
    "InvoiceViewSet",
    "LaunchFilter",
    "LaunchViewSet",
    "MoveOfferViewSet",
    "NOT_FOUND",
    "PayloadViewSet",
    "PlatformViewSet",
    "ProviderViewSet",
    "QuoteViewSet",
    "SiteViewSet",
    "StandbyEntryViewSet",
    "VehicleModelViewSet",
    "VehicleViewSet",
    "WebhookEndpointViewSet",
    "api_not_found",
]
