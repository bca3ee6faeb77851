"""Local time of the ascending node (LTAN): how people write it, and which pass a site flies.

Pure: plain values in and out. The launch time of day itself is ``vehicles.orbits.sso_launch_time_utc``;
``booking.selectors.local_time`` applies both to launches and payloads.
"""

from __future__ import annotations

import re
from datetime import time

from booking import dates
from vehicles.orbits import Pass

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def local_time_parse(
    value: str | time | None, *, what: str = "local time of the ascending node"
) -> time | None:
    """ "10:30" as ``time(10, 30)``; empty as ``None``; a ``time`` as itself, without seconds.

    Raises ``ValueError`` naming the figure for anything else: "25:00", "10.30", "10:75".
    """
    if value is None:
        return None
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"The {what} is a local solar time and takes no time zone.")
        return value.replace(second=0, microsecond=0)
    text = str(value).strip()
    if not text:
        return None
    match = _CLOCK.match(text)
    if match is None:
        raise ValueError(f"The {what} is written HH:MM, e.g. 10:30, not {text!r}.")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise ValueError(f"The {what} {text} is not a time of day: hours run 00-23, minutes 00-59.")
    return time(hours, minutes)


def clock(value: time) -> str:
    """10:30 for time(10, 30, 40): the time of day as the product shows it."""
    return dates.clock(value)


def launch_pass_for(latitude_deg: float) -> Pass:
    """Which crossing of the orbit plane a sun-synchronous launch from this latitude flies.

    A site north of the equator launches south (the descending pass: Jiuquan, Taiyuan), one south of
    it launches north (ascending): towards the equator, away from populated land behind the range,
    as the inland Chinese ranges fly. The stated simplification of docs/orbits.md section 4.
    """
    return "descending" if latitude_deg >= 0 else "ascending"
