"""Operator admin for the booking app, one module per area.

launches.py: launches, reservations and the schedule; bookings.py: bookings, quotes, prices;
readiness.py: templates, plans and the readiness board; integrations.py: tokens and webhooks;
payments.py: the "Mark paid" action on payment milestones; events.py: the audit log.
"""

from . import bookings, documents, events, integrations, launches, payments, readiness  # noqa: F401
