"""The customer portal, mounted at /portal/."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from .views import (
    auth,
    book,
    bookings,
    dedicated,
    exports,
    express,
    home,
    integrations,
    moves,
    notifications,
    offers,
    payloads,
    payments,
    records,
    standby,
)

app_name = "portal"

auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="portal/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("portal:login")), name="logout"),
    path(
        "password-reset/",
        auth.LimitedPasswordResetView.as_view(
            template_name="portal/password_reset.html",
            email_template_name="portal/email/password_reset.txt",
            subject_template_name="portal/email/password_reset_subject.txt",
            success_url=reverse_lazy("portal:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="portal/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="portal/password_reset_confirm.html",
            success_url=reverse_lazy("portal:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="portal/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="portal/password_change.html",
            success_url=reverse_lazy("portal:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="portal/password_change_done.html"),
        name="password_change_done",
    ),
]

urlpatterns = [
    *auth_patterns,
    path("", home.dashboard, name="dashboard"),
    path("account/", home.account, name="account"),
    path("switch/", home.switch_customer, name="switch_customer"),
    path("payloads/", payloads.payload_list, name="payloads"),
    path("payloads/new/", payloads.payload_create_view, name="payload_create"),
    path("payloads/check-orbit/", payloads.payload_orbit_check, name="payload_orbit_check"),
    path("payloads/<int:pk>/", payloads.payload_edit, name="payload_edit"),
    path("payloads/<int:pk>/cargo/", payloads.payload_cargo_add, name="payload_cargo_add"),
    path("bookings/", bookings.booking_list, name="bookings"),
    path("bookings/<str:reference>/", bookings.booking_detail, name="booking_detail"),
    path("bookings/<str:reference>/readiness/", bookings.booking_readiness, name="booking_readiness"),
    path("launches/<int:pk>/", bookings.launch_detail, name="launch_detail"),
    path("launches/<int:pk>/readiness/", bookings.launch_readiness, name="launch_readiness"),
    path("contracts/", records.contracts, name="contracts"),
    path("payments/", payments.payments, name="payments"),
    path("invoices/<str:number>/pdf/", payments.invoice_download, name="invoice_pdf"),
    path("invoices/<str:number>/receipts/<str:receipt>/pdf/", payments.receipt_download, name="receipt_pdf"),
    path("documents/", records.documents, name="documents"),
    path("documents/<int:pk>/download/", records.document_download, name="document_download"),
    path("events/", records.events, name="events"),
    path("exports/bookings/", exports.export_bookings, name="export_bookings"),
    path("exports/payments/", exports.export_payments, name="export_payments"),
    path("exports/events/", exports.export_events, name="export_events"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("integrations/", integrations.integrations, name="integrations"),
    path("integrations/tokens/", integrations.api_token_create_view, name="api_token_create"),
    path("integrations/tokens/<int:pk>/revoke/", integrations.api_token_revoke_view, name="api_token_revoke"),
    path("integrations/webhooks/", integrations.webhook_endpoint_create_view, name="webhook_endpoint_create"),
    path(
        "integrations/calendar/rotate/", integrations.calendar_token_rotate_view, name="calendar_token_rotate"
    ),
    path(
        "integrations/webhooks/<int:pk>/rotate-secret/",
        integrations.webhook_endpoint_rotate_secret_view,
        name="webhook_endpoint_rotate_secret",
    ),
    path(
        "integrations/webhooks/<int:pk>/delete/",
        integrations.webhook_endpoint_delete_view,
        name="webhook_endpoint_delete",
    ),
    path("book/", book.book, name="book"),
    path("book/price/", book.book_price, name="book_price"),
    path("quotes/", offers.quote_list, name="quotes"),
    path("quotes/<str:reference>/", book.quote_detail, name="quote_detail"),
    path("schedule/", offers.schedule, name="schedule"),
    path("price/", offers.price_launch, name="price_launch"),
    path("bookings/<str:reference>/confirm/", book.booking_confirm, name="booking_confirm"),
    path("bookings/<str:reference>/cancel/", book.booking_cancel, name="booking_cancel"),
    path("bookings/<str:reference>/rebook/", book.booking_rebook, name="booking_rebook"),
    path("dedicated/", dedicated.dedicated_list, name="dedicated_list"),
    path("dedicated/new/", dedicated.dedicated_new, name="dedicated_new"),
    path("dedicated/<str:reference>/", dedicated.dedicated_detail, name="dedicated_detail"),
    path("dedicated/<str:reference>/withdraw/", dedicated.dedicated_withdraw, name="dedicated_withdraw"),
    path("standby/", standby.standby_list, name="standby"),
    path("standby/join/", standby.standby_join, name="standby_join"),
    path("standby/<int:pk>/withdraw/", standby.standby_withdraw, name="standby_withdraw"),
    path("standby/<int:pk>/accept/", standby.standby_accept, name="standby_accept"),
    path("standby/<int:pk>/decline/", standby.standby_decline, name="standby_decline"),
    path("moves/", moves.moves, name="moves"),
    path("moves/consent/", moves.move_consent, name="move_consent"),
    path("moves/<int:pk>/accept/", moves.move_accept, name="move_accept"),
    path("moves/<int:pk>/decline/", moves.move_decline, name="move_decline"),
    path("express/", express.express, name="express"),
    path("express/<str:reference>/", express.express_result, name="express_result"),
    path("express/<str:reference>/quote/", express.express_quote, name="express_quote"),
    path("express/<str:reference>/confirm/", express.express_quote_confirm_view, name="express_confirm"),
    path("express/<str:reference>/cancel/", express.express_quote_cancel_view, name="express_cancel"),
]
