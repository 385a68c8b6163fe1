"""Shortlist entries kept serialised: each entry's JSON in the staff view and, once presented,
in its client's view, stored with the entry (``staff_json``, ``client_json``) so that a page is
its entries' stored JSON joined (``pages``), with no model built per entry on a read.

The rule that keeps them true: a fragment of the current ``version()`` is, byte for byte, what
``items.entry_json`` makes of the entry's rows now; the same code builds both. So every write
that can change what an entry shows re-serialises the entry (``refresh``) or forgets its
fragments (``forget_candidates``), in the writer's transaction:

* the shortlist writer (runs, re-scoring after a weight change, a manual addition) refreshes the
  rows it writes, and every fragment of that requirement that is missing or of another version;
* pipeline moves, presentations and client answers refresh their entry;
* candidate imports and updates forget the fragments of the candidate's entries (the re-match
  the change starts, or any later write of each shortlist, serialises them again);
* erasure refreshes the person's entries and every entry whose fragments mention them, so no
  token of their identity stays in a fragment.

A fragment of another version (the views' schema or the taxonomy's names changed) is never used;
neither is a missing one: the page builds those entries from the rows.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from matcher.models.tables import ENTRY
from matcher.services.shortlists.items import PRESENTED, STAFF_ENTRY, entry_json
from matcher.services.shortlists.rows import CLIENT_STAGE_VALUES, base_query, is_postgres
from matcher.skills import load_taxonomy
from matcher.storage.bulk import BulkWriter

#: Candidates forgotten per statement (far below SQLite's and PostgreSQL's parameter limits).
_CHUNK = 5_000


@cache
def version() -> str:
    """What the fragments depend on besides the rows: the two views' schemas and the taxonomy's
    names (a client card names skills by them); 16 hex digits."""
    names = sorted((key, skill.name) for key, skill in load_taxonomy().skills.items())
    source = json.dumps([STAFF_ENTRY.json_schema(), PRESENTED.json_schema(), names], sort_keys=True)
    return hashlib.blake2b(source.encode(), digest_size=8).hexdigest()


def refresh(session: Session, where: Any) -> int:
    """Serialise again every entry matching ``where`` (a condition on ``shortlist_entry``) from
    its current rows, after flushing the session; the number of entries written."""
    session.flush()
    postgres = is_postgres(session)
    entry_id = ENTRY.c.id.label("entry_id")
    staff_rows = session.execute(base_query(True, postgres).add_columns(entry_id).where(where)).all()
    if not staff_rows:
        return 0
    client_rows = session.execute(
        base_query(False, postgres).add_columns(entry_id).where(where, ENTRY.c.stage.in_(CLIENT_STAGE_VALUES))
    ).all()
    client_json = entry_json(session, False, client_rows)
    client = dict(zip([r.entry_id for r in client_rows], client_json, strict=True))
    staff = entry_json(session, True, staff_rows)
    current = version()
    values = [
        {
            "staff_json": body.decode(),
            "client_json": client[r.entry_id].decode() if r.entry_id in client else None,
            "json_version": current,
            "id": r.entry_id,
        }
        for r, body in zip(staff_rows, staff, strict=True)
    ]
    BulkWriter(session.connection()).update(ENTRY, "id", values)
    return len(values)


def stale(requirement_id: uuid.UUID, candidate_ids: Sequence[uuid.UUID]) -> Any:
    """The entries of a requirement to serialise after writing ``candidate_ids``: those, and any
    whose fragments are missing or of another version."""
    current = version()
    return (ENTRY.c.requirement_id == requirement_id) & (
        ENTRY.c.candidate_id.in_(list(candidate_ids))
        | ENTRY.c.json_version.is_(None)
        | (ENTRY.c.json_version != current)
    )


def forget_candidates(session: Session, candidate_ids: Sequence[uuid.UUID]) -> None:
    """Drop the fragments of every entry of these candidates (their data changed)."""
    ids = list(candidate_ids)
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            update(ENTRY)
            .where(ENTRY.c.candidate_id.in_(ids[start : start + _CHUNK]), ENTRY.c.json_version.is_not(None))
            .values(staff_json=None, client_json=None, json_version=None)
        )
