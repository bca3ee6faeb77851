"""Serializers, one module per resource. They shape JSON and hold no business rule."""

from __future__ import annotations

from .auth import ApiTokenSerializer, TokenRequestSerializer, TokenResponseSerializer
from .availability import AvailabilityOptionSerializer, AvailabilityQuerySerializer, AvailabilitySerializer
from .bookings import (
    BookingCancelSerializer,
    BookingConfirmSerializer,
    BookingHoldSerializer,
    BookingRebookSerializer,
    BookingSerializer,
)
from .catalog import (
    CapacityPointSerializer,
    PadSerializer,
    PlatformSerializer,
    ProviderSerializer,
    SiteSerializer,
    VehicleModelSerializer,
    VehicleSerializer,
)
from .common import (
    MASS_MAX_DIGITS,
    ComputedKgField,
    ErrorSerializer,
    LaunchIdField,
    OrbitSerializer,
    ScopedPrimaryKeyField,
    StrictQuerySerializer,
)
from .contracts import ContractSerializer
from .events import EventSerializer
from .express import ExpressOrderRequestSerializer, ExpressOrderSerializer
from .launches import (
    LaunchOrbitSerializer,
    LaunchScheduleSerializer,
    LaunchScrubSerializer,
    LaunchSerializer,
    LaunchSlipResultSerializer,
    LaunchSlipSerializer,
    PlanningSerializer,
    PlanPhaseSerializer,
    PlanRequestSerializer,
    PlanSerializer,
    ReadinessSerializer,
    ReadinessStepSerializer,
)
from .payloads import PayloadSerializer
from .quotes import MoneySerializer, QuoteLineSerializer, QuoteRequestSerializer, QuoteSerializer
from .webhooks import WebhookAttemptSerializer, WebhookDeliverySerializer, WebhookEndpointSerializer

__all__ = [
    "ApiTokenSerializer",
    "AvailabilityOptionSerializer",
    "AvailabilityQuerySerializer",
    "AvailabilitySerializer",
    "BookingCancelSerializer",
    "BookingConfirmSerializer",
    "BookingHoldSerializer",
    "BookingRebookSerializer",
    "BookingSerializer",
    "CapacityPointSerializer",
    "ComputedKgField",
    "ContractSerializer",
    "ErrorSerializer",
    "EventSerializer",
    "ExpressOrderRequestSerializer",
    "ExpressOrderSerializer",
    "LaunchIdField",
    "LaunchOrbitSerializer",
    "LaunchScheduleSerializer",
    "LaunchScrubSerializer",
    "LaunchSerializer",
    "LaunchSlipResultSerializer",
    "LaunchSlipSerializer",
    "MASS_MAX_DIGITS",
    "MoneySerializer",
    "OrbitSerializer",
    "PadSerializer",
    "PayloadSerializer",
    "PlanPhaseSerializer",
    "PlanRequestSerializer",
    "PlanSerializer",
    "PlanningSerializer",
    "PlatformSerializer",
    "ProviderSerializer",
    "QuoteLineSerializer",
    "QuoteRequestSerializer",
    "QuoteSerializer",
    "ReadinessSerializer",
    "ReadinessStepSerializer",
    "ScopedPrimaryKeyField",
    "SiteSerializer",
    "StrictQuerySerializer",
    "TokenRequestSerializer",
    "TokenResponseSerializer",
    "VehicleModelSerializer",
    "VehicleSerializer",
    "WebhookAttemptSerializer",
    "WebhookDeliverySerializer",
    "WebhookEndpointSerializer",
]
