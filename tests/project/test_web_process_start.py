"""A web process loads what its requests use before the first one, then freezes it out of the
garbage collector's full collections (``launchbook.warmup``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import gc, json, sys\n"
    "before = gc.get_freeze_count()\n"
    "import launchbook.wsgi\n"
    "from launchbook.celery import app\n"
    "print(json.dumps({'before': before, 'frozen': gc.get_freeze_count(),\n"
    "    'views': 'booking.api.views.express' in sys.modules and 'booking.portal.views' in sys.modules,\n"
    "    'tasks made': app.finalized and 'booking.tasks.events_after_commit' in app.tasks,\n"
    "    'callable': callable(launchbook.wsgi.application)}))\n"
)


def test_the_wsgi_application_starts_with_its_views_and_tasks_loaded_and_frozen(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"DEBUG": "1", "LAUNCHBOOK_VAR_DIR": str(tmp_path)})
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0
    # Django, the URLconf's modules and Celery's side: far more than a bare interpreter holds.
    assert seen["frozen"] > 50_000
    assert seen["views"] and seen["tasks made"] and seen["callable"]
