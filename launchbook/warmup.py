"""A web process's start: load what its requests use, then keep it out of the collector's way.

A web process holds some hundred thousand long-lived objects: Django, the models, every view and
serializer the URLconf names, Celery's publishing side. Python's cyclic garbage collector walks
all of them in each full collection, which takes about 0.1 s here, and every thread of the
process waits for it, at whatever moment the allocations decide: measured in-process, one fell in
the first express order of a fresh process and doubled its time. Loaded up front and frozen
(``gc.freeze``), those objects are never walked again; what requests allocate is collected as
before. Imported code that is never freed anyway is all that the freeze keeps.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver

from launchbook.celery import app as celery_app


def web_process_start() -> None:
    """Import every view the URLconf names, make the Celery tasks and the publishing side the
    services queue through (no connection is opened: the broker may be down), then freeze."""
    get_resolver().url_patterns  # noqa: B018 - imports the URLconf's modules
    celery_app.finalize(auto=True)
    celery_app.amqp  # noqa: B018 - kombu's producer side and the task routes
    gc.freeze()
