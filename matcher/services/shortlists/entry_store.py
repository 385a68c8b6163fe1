"""Writing many shortlist rows at once, through ``matcher.storage.bulk.BulkWriter`` (COPY on
PostgreSQL, one executemany elsewhere). Both take the caller's session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from matcher.models.tables import ENTRY, EVENT
from matcher.storage.bulk import BulkWriter

#: The columns a re-match rewrites on an existing entry (its pipeline columns stay).
RUN_COLUMNS = ("rank", "score", "components", "reasons", "state", "match_run_id", "weight_profile_id")
_KEY = ("requirement_id", "candidate_id")


def upsert_entries(session: Session, values: Sequence[dict[str, Any]]) -> None:
    """Insert the entries, or on (requirement, candidate) update their run columns."""
    BulkWriter(session.connection()).upsert(
        ENTRY, values, conflict=_KEY, update_columns=[*RUN_COLUMNS, "updated_at"]
    )


def insert_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Append pipeline events."""
    BulkWriter(session.connection()).insert(EVENT, events)
