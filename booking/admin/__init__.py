"""Operator admin for the booking app, one module per area.

launches.py: launches, reservations and the schedule; bookings.py: bookings, quotes, prices;
readiness.py: templates, plans and the readiness board; integrations.py: tokens and webhooks;
payments.py: the "Mark paid" action on payment milestones; documents.py: document review;
catalog.py: capacity curves and payloads saved through their services; closures.py: site
closures saved through their service; dedicated.py: dedicated launch requests; events.py: the audit log.
audit.py puts the logging mixin on every model admin, last, once all are registered.
"""

from django.contrib import admin

from . import (  # noqa: F401
    bookings,
    catalog,
    closures,
    dedicated,
    documents,
    events,
    integrations,
    launches,
    manifest,
    payments,
    readiness,
)
from .audit import audit_every_admin

audit_every_admin(admin.site)
