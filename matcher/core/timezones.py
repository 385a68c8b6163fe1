"""Working-day overlap between two IANA time zones on a given date, daylight saving included."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

WORKDAY_START = dt.time(9, 0)
WORKDAY_END = dt.time(17, 0)


@lru_cache(maxsize=4096)
def _workday_utc(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """09:00 and 17:00 local time of ``day`` in ``zone``, in UTC. Cached: an overlap needs the
    candidate's zone on three days, and many requirements share zones and start dates."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(day, WORKDAY_START, tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day, WORKDAY_END, tzinfo=tz).astimezone(dt.UTC)
    return start, end


@lru_cache(maxsize=4096)
def overlap_hours(client_zone: str, candidate_zone: str, on: dt.date) -> float:
    """Hours shared by the client's 09:00-17:00 on ``on`` and the candidate's 09:00-17:00.

    The candidate's working day is taken on the day before, the same and the day after (local
    dates), and the best overlap wins: zones a day apart (Auckland and Los Angeles) still share
    the hours of the working days that actually meet. Offsets are those in force on that date,
    so a client in Berlin and a candidate in New York overlap 3 h in the weeks when the US has
    switched to summer time and Europe has not, and 2 h otherwise.
    """
    client_start, client_end = _workday_utc(on, client_zone)
    best = 0.0
    for shift in (-1, 0, 1):
        cand_start, cand_end = _workday_utc(on + dt.timedelta(days=shift), candidate_zone)
        shared = (min(client_end, cand_end) - max(client_start, cand_start)).total_seconds()
        best = max(best, shared / 3600.0)
    return best
