"""What the writers announce; ``BookingConfig.ready`` connects who listens.

The services send these and know no listener, so no writer imports the Celery tasks or the
webhooks: ``events_published`` feeds the webhooks, ``webhook_deliveries_due`` and
``readiness_checks_due`` queue Celery tasks, and so do ``events_committed`` and
``notification_deliveries_due``. Each is sent after the change commits, except
``events_published``, sent inside the transaction: its listeners answer the Events they want the
worker to take up, and ``events.events_publish`` sends those in one ``events_committed`` after commit.
"""

from __future__ import annotations

from django.dispatch import Signal

#: ``events``: saved Events, inside the transaction that made the change.
events_published = Signal()
#: ``delivery_ids``: webhook deliveries to send now.
webhook_deliveries_due = Signal()
#: ``pairs``: (step id, attempt) of the automatic checks to run now.
readiness_checks_due = Signal()
#: ``delivery_ids``: notification e-mails to send now.
notification_deliveries_due = Signal()
#: ``event_ids``: the committed Events of one transaction that notify people or are published to
#: webhooks: a worker writes their notifications and their webhook deliveries.
events_committed = Signal()
#: ``launch_ids``: launches whose standby list may be offered a seat now (after commit).
standby_passes_due = Signal()
