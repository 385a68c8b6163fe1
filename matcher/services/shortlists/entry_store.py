"""Writing many shortlist rows at once: through PostgreSQL COPY (``matcher.storage.copy``) where
the database is PostgreSQL, through one executemany elsewhere (SQLite). Both take the caller's
session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from matcher.models.tables import ENTRY, EVENT
from matcher.services.weight_profiles.store import dialect_insert
from matcher.storage import copy

#: The columns a re-match rewrites on an existing entry (its pipeline columns stay).
RUN_COLUMNS = ("rank", "score", "components", "reasons", "state", "match_run_id", "weight_profile_id")
_KEY = ["requirement_id", "candidate_id"]


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def upsert_entries(session: Session, values: Sequence[dict[str, Any]]) -> None:
    """Insert the entries, or on (requirement, candidate) update their run columns."""
    if not values:
        return
    if _postgres(session):
        copy.upsert(
            session.connection(), ENTRY, values, conflict=_KEY, update_columns=[*RUN_COLUMNS, "updated_at"]
        )
        return
    stmt = dialect_insert(session, ENTRY)
    set_ = {name: stmt.excluded[name] for name in (*RUN_COLUMNS, "updated_at")}
    upsert = stmt.on_conflict_do_update(index_elements=_KEY, set_=set_)
    session.execute(upsert, list(values))  # executemany: compiled once, sent as multi-row batches


def insert_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Append pipeline events."""
    if not events:
        return
    if _postgres(session):
        copy.insert(session.connection(), EVENT, events)
        return
    session.execute(insert(EVENT), list(events))
