"""/api/v1/ routes."""

from __future__ import annotations

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from . import calendar, rotation, views

router = SimpleRouter(trailing_slash=True)
router.register("providers", views.ProviderViewSet, basename="provider")
router.register("vehicle-models", views.VehicleModelViewSet, basename="vehicle-model")
router.register("vehicles", views.VehicleViewSet, basename="vehicle")
router.register("sites", views.SiteViewSet, basename="site")
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("launches", views.LaunchViewSet, basename="launch")
router.register("payloads", views.PayloadViewSet, basename="payload")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("events", views.EventViewSet, basename="event")
router.register("quotes", views.QuoteViewSet, basename="quote")
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("invoices", views.InvoiceViewSet, basename="invoice")
router.register("dedicated-requests", views.DedicatedRequestViewSet, basename="dedicated-request")
router.register("standby", views.StandbyEntryViewSet, basename="standby")
router.register("move-offers", views.MoveOfferViewSet, basename="move-offer")
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")
router.register("auth/tokens", views.ApiTokenViewSet, basename="api-token")

app_name = "api"
urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    path("express-orders/", views.ExpressOrderView.as_view(), name="express-orders"),
    path("express-quotes/", views.ExpressQuoteView.as_view(), name="express-quotes"),
    path(
        "express-quotes/<str:reference>/confirm/",
        views.ExpressQuoteConfirmView.as_view(),
        name="express-quote-confirm",
    ),
    path(
        "express-quotes/<str:reference>/cancel/",
        views.ExpressQuoteCancelView.as_view(),
        name="express-quote-cancel",
    ),
    path("availability/", views.AvailabilityView.as_view(), name="availability"),
    path("launches.ics", calendar.PublicCalendarView.as_view(), name="launches-ics"),
    path("calendar/<str:token>.ics", calendar.CustomerCalendarView.as_view(), name="customer-ics"),
    path("calendar/rotate/", rotation.CalendarTokenRotateView.as_view(), name="calendar-rotate"),
    path(
        "webhooks/<int:pk>/rotate-secret/",
        rotation.WebhookSecretRotateView.as_view(),
        name="webhook-rotate-secret",
    ),
    *router.urls,
    # Anything else under /api/v1/ is a JSON 404, not an HTML page.
    re_path(r"^.*$", views.api_not_found, name="not-found"),
]
