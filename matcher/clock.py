"""The one clock of talentmatch's business dates.

"Today" decides recency, availability and start-date checks, and the day demo data is generated
around. It is the configured ``TALENTMATCH_TODAY`` when set (tests and reproducible runs pin it),
else the UTC date of the system clock, so a server's "today" never depends on its local time zone.
Timestamps of rows (``created_at``, run times) are not business dates and stay on the real clock.
"""

from __future__ import annotations

import datetime as dt

from matcher.settings import Settings


def today(settings: Settings) -> dt.date:
    """The pinned ``settings.today``, else the clock's UTC date."""
    pinned = settings.today
    return pinned if pinned is not None else dt.datetime.now(dt.UTC).date()
