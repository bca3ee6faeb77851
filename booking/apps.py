from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Launches and bookings")

    def ready(self) -> None:
        """Connect what the writers announce to who acts on it: Events feed the webhooks and the notifications,
        due deliveries and due readiness checks become Celery tasks; a change of the orbit catalog
        renews the catalog every process keeps (booking.selectors.catalog); sign-ins stamp sessions
        for the idle and absolute timeouts (launchbook.security) and the session with the account's
        language (launchbook.languages).

        The imports are here, not at the top: Django imports this module while it loads the
        apps, before any model can be, and these modules import models."""
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        import launchbook.languages  # noqa: F401
        import launchbook.security  # noqa: F401
        from booking import signals, tasks
        from booking.models import ExchangeRate, RideshareRate
        from booking.selectors.catalog import (
            catalog_changed,
            catalog_request_finished,
            catalog_request_started,
        )
        from booking.services import notifications, standby, webhooks
        from vehicles.models import (
            Adapter,
            CapacityPoint,
            LaunchCorridor,
            LaunchSite,
            Provider,
            Route,
            VehicleModel,
        )

        for model in (
            LaunchSite,
            LaunchCorridor,
            VehicleModel,
            CapacityPoint,
            Provider,
            Adapter,
            ExchangeRate,
            RideshareRate,
            Route,
        ):
            for change in (post_save, post_delete):
                change.connect(
                    catalog_changed, sender=model, dispatch_uid=f"booking.catalog.{model.__name__}"
                )

        request_started.connect(catalog_request_started, dispatch_uid="booking.catalog.request_started")
        request_finished.connect(catalog_request_finished, dispatch_uid="booking.catalog.request_finished")
        signals.events_published.connect(webhooks.webhooks_on_published, dispatch_uid="booking.webhooks")
        signals.webhook_deliveries_due.connect(tasks.webhooks_queue, dispatch_uid="booking.webhooks_queue")
        signals.events_published.connect(
            notifications.notifications_on_published, dispatch_uid="booking.notifications"
        )
        signals.events_committed.connect(
            tasks.events_committed_queue, dispatch_uid="booking.events_committed"
        )
        signals.notification_deliveries_due.connect(
            tasks.notifications_queue, dispatch_uid="booking.notifications_queue"
        )
        signals.events_published.connect(standby.standby_on_published, dispatch_uid="booking.standby")
        signals.standby_passes_due.connect(tasks.standby_passes_queue, dispatch_uid="booking.standby_queue")
        signals.events_published.connect(tasks.manifest_on_published, dispatch_uid="booking.manifest")
        signals.readiness_checks_due.connect(
            tasks.readiness_checks_queue, dispatch_uid="booking.checks_queue"
        )
