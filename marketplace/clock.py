"""The application's clock: what day it is for the people who use it.

The scheme runs in the Netherlands, so "today" is the calendar day in Europe/Amsterdam, not the
server's local day (containers run in UTC: between 22:00/23:00 and midnight UTC the Dutch day has
already turned). Services, routes, the CLI and the worker read the day here; the domain never reads
the clock and takes ``today`` as a parameter instead. Tests freeze it with time-machine.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    """The current calendar day in Europe/Amsterdam."""
    return datetime.now(LOCAL_TZ).date()


def dated_name(*parts: object) -> str:
    """The name of a download without its extension: `parts` joined by "-", then the day it is
    made in Europe/Amsterdam ("contracten-gemeente-emmen-2027-01-01"). Every export and report
    file is named here, so a file made at 23:30 UTC on 31 December carries 1 January, the day
    its Dutch reader sees on the calendar, like every figure inside it."""
    return "-".join([*(str(part) for part in parts), today().isoformat()])
