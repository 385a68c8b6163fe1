"""The one "today" of the whole test suite.

Every test sees the same business date: ``TALENTMATCH_TODAY`` is set from it before any test
module is imported (``tests/conftest.py``), seeded data is generated around it and tests that
need the date import ``TODAY`` from here. It is ``2026-12-01`` unless ``TALENTMATCH_TEST_TODAY``
moves it: CI runs the date-sensitive tests again a year ahead and a year back
(``make test-dates``) to prove that nothing depends on the day the suite runs.
"""

from __future__ import annotations

import datetime as dt
import os

ENV = "TALENTMATCH_TEST_TODAY"
DEFAULT = dt.date(2026, 12, 1)


def _suite_today() -> dt.date:
    text = os.environ.get(ENV)
    if not text:
        return DEFAULT
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"{ENV}={text!r} is not a date (YYYY-MM-DD)") from None


TODAY: dt.date = _suite_today()
