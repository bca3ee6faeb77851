"""Operator admin for the booking app, one module per area.

launches.py: launches, reservations and the schedule; bookings.py: bookings, quotes, prices;
readiness.py: templates, plans and the readiness board; integrations.py: tokens and webhooks;
events.py: the audit log.
"""

from . import bookings, events, launches, readiness  # noqa: F401
