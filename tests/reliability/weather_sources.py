"""Weather sources for tests, named by dotted path in LAUNCHBOOK_WEATHER_SOURCE (not test files)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def always_go(*, site, at):
    return True, f"clear over {site.name}"


def slow_go(*, site, at):
    """Takes LAUNCHBOOK_TEST_WEATHER_SECONDS to answer go; touches a marker file when it starts.

    The worker-crash test waits for the marker, then kills the worker while this sleeps.
    """
    marker_dir = os.environ.get("LAUNCHBOOK_TEST_MARKER_DIR")
    if marker_dir:
        marker = Path(marker_dir) / f"weather-started-{os.getpid()}-{time.monotonic_ns()}"
        marker.write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("LAUNCHBOOK_TEST_WEATHER_SECONDS", "3")))
    return True, f"clear over {site.name} (slow source)"
