"""Erasing a candidate (admins only).

Erasure keeps the anonymised history (the candidate row without headline, the skills, the
shortlist entries in state ``erased``) and removes the name and email from everywhere we store
free text: the ``candidate_personal`` row is deleted, recruiter notes, audit details and run
errors that quote the name or email get it replaced by ``[erased]``, and the external id (a
link back to the firm's ATS record) is replaced by a random one. The Celery tasks only ever
carry ids, never candidate data, so the result backend holds nothing to erase.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import String, cast, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session, select

from matcher.dispatch import after_commit
from matcher.models import (
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    EntryState,
    MatchRun,
    MatchRunRequirement,
    Role,
    ShortlistEntry,
    utcnow,
)
from matcher.models.tables import AUDIT, ENTRY, EVENT, REQ
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.candidates.service import live_candidate
from matcher.services.cursors import UtcDateTime
from matcher.services.decisions import log as decision_log
from matcher.services.decisions import self_identification
from matcher.services.runs.triggers import on_candidates_changed
from matcher.services.shortlists import fragments
from matcher.skills import load_taxonomy

ERASED = "[erased]"
log = logging.getLogger(__name__)
#: Tables whose ``error`` text could quote a candidate (an exception message).
_RUN_TABLES = (MatchRun.__table__, MatchRunRequirement.__table__)  # type: ignore[attr-defined]


class ErasureReport(BaseModel):
    id: uuid.UUID
    erased_at: UtcDateTime
    shortlist_entries: int
    notes_scrubbed: int
    audit_entries_scrubbed: int


#: Name and email parts shorter than this are scrubbed as whole words only ("Li" must not eat
#: "Linux"); longer ones wherever they occur ("Quoll" in "QuollDB").
_WHOLE_WORD_BELOW = 4
_TOKEN = re.compile(r"[^\W_]+")


def identity_tokens(name: str, email: str) -> list[str]:
    """What identifies the person, longest first: the name and the email as written, every word
    of the name, the email's local part and each word of it, and its domain."""
    local, _, domain = email.partition("@")
    whole = [name.strip(), email.strip(), local, domain]
    words = _TOKEN.findall(name) + _TOKEN.findall(local)
    tokens = [t for t in (*whole, *words) if t and (len(t) > 1 or t.isdigit())]
    tokens += [json.dumps(t)[1:-1] for t in tokens]  # as JSON escapes non-ASCII text
    return sorted(dict.fromkeys(tokens), key=lambda t: (-len(t), t))


_PHONE = re.compile(r"\+?\d[\d ().-]{5,}\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNTRY_CODE = re.compile(r"^\+\d{1,3}[ .-]?")


def phone_numbers(text: str) -> list[str]:
    """Phone-number-like runs in free text ("+1 555 0199", "(030) 1234-567"), each also without
    its country code, so that a copy written either way is found."""
    found = [
        m.group().strip()
        for m in _PHONE.finditer(text)
        if sum(c.isdigit() for c in m.group()) >= 7 and not _DATE.fullmatch(m.group().strip())
    ]
    return list(dict.fromkeys([*found, *(_COUNTRY_CODE.sub("", f) for f in found)]))


def _pattern(secrets: Iterable[str]) -> re.Pattern[str]:
    parts = [
        re.escape(s) if len(s) >= _WHOLE_WORD_BELOW else rf"(?<![^\W_]){re.escape(s)}(?![^\W_])"
        for s in secrets
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """``value`` (JSON-like) with every match of ``pattern`` in its strings replaced."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, pattern): _scrub(v, pattern) for k, v in value.items()}
    return value


def _mentions(column: Any, needles: Sequence[str]) -> Any:
    """SQL: ``column`` (text, or JSON cast to text) contains one of ``needles``, any case (a
    superset of what ``_pattern`` matches; the scrub decides)."""
    return or_(*(func.lower(column).contains(n.lower(), autoescape=True) for n in needles))


def _scrub_rows(
    session: Session, table: Any, column: Any, needles: Sequence[str], pattern: re.Pattern[str]
) -> int:
    """Scrub ``column`` (text or JSON) of every row of ``table`` that mentions a needle; the
    number of rows changed."""
    text = cast(column, String) if column.type.__class__.__name__ in ("JSON", "JSONB") else column
    changed = 0
    for row_id, value in session.execute(sa_select(table.c.id, column).where(_mentions(text, needles))).all():
        scrubbed = _scrub(value, pattern)
        if scrubbed != value:
            session.execute(sa_update(table).where(table.c.id == row_id).values({column.name: scrubbed}))
            changed += 1
    return changed


def _forget_free_text(session: Session, cand: Candidate) -> list[str]:
    """Drop what the candidate typed (headline, field of study, languages, skill names as
    written); a skill outside the taxonomy goes, as its key is made from the text. The texts
    dropped, to scrub from whatever copied them."""
    taxonomy = load_taxonomy()
    typed = [t for t in (cand.headline, cand.education_field, *cand.languages) if t]
    for skill in session.exec(select(CandidateSkill).where(CandidateSkill.candidate_id == cand.id)).all():
        typed.append(skill.raw_name)
        known = taxonomy.skills.get(skill.skill_key)
        if known is None:
            session.delete(skill)
        else:
            skill.raw_name = known.name
            session.add(skill)
    cand.headline = None
    cand.education_field = None
    cand.languages = []
    phones = [p for t in typed for p in phone_numbers(t)]
    kept = [t.strip() for t in (*typed, *phones) if len(t.strip()) >= _WHOLE_WORD_BELOW]
    return list(dict.fromkeys([*kept, *(json.dumps(t)[1:-1] for t in kept)]))


def _scrub_everywhere(session: Session, needles: list[str]) -> tuple[int, int]:
    """Replace the needles in every free text we store; (notes, audit entries) scrubbed."""
    pattern = _pattern(needles)
    session.flush()
    notes_scrubbed = _scrub_rows(session, EVENT, EVENT.c.text, needles, pattern)
    notes_scrubbed += _scrub_rows(session, ENTRY, ENTRY.c.client_note, needles, pattern)
    notes_scrubbed += _scrub_rows(session, ENTRY, ENTRY.c.decline_comment, needles, pattern)
    _scrub_rows(session, ENTRY, ENTRY.c.reasons, needles, pattern)
    audit_scrubbed = _scrub_rows(session, AUDIT, AUDIT.c.details, needles, pattern)
    for table in _RUN_TABLES:
        _scrub_rows(session, table, table.c.error, needles, pattern)
    _scrub_rows(session, REQ, REQ.c.rematch_error, needles, pattern)
    session.expire_all()
    return notes_scrubbed, audit_scrubbed


def _refresh_fragments(session: Session, candidate_id: uuid.UUID, needles: Sequence[str]) -> None:
    """Serialise again the person's shortlist entries and every entry whose stored JSON
    mentions them (a note on another entry), from the scrubbed rows."""
    where = ENTRY.c.candidate_id == candidate_id
    if needles:
        where = or_(where, _mentions(ENTRY.c.staff_json, needles), _mentions(ENTRY.c.client_json, needles))
    fragments.refresh(session, where)


def erase_candidate(session: Session, principal: Principal, candidate_id: uuid.UUID) -> ErasureReport:
    """Erase a candidate's identity everywhere; keep the anonymised matching history.

    Gone: the ``candidate_personal`` row, the external id (a link to the firm's ATS), all
    free text the candidate gave, and every token of the name and email wherever it was
    copied (recruiter notes on any entry, reasons, audit details, run and trigger errors). On
    PostgreSQL the affected tables are vacuumed after the commit, so no dead row version keeps
    the old text; SQLite overwrites freed space (``secure_delete``) and its journal is
    checkpointed.
    """
    principal.require(Role.admin)
    actor = principal.actor
    cand = live_candidate(session, candidate_id)
    personal = session.get(CandidatePersonal, candidate_id)
    now = utcnow()
    typed = _forget_free_text(session, cand)
    tokens = identity_tokens(personal.name, personal.email) if personal is not None else []
    needles = sorted(dict.fromkeys([*tokens, *typed]), key=lambda t: (-len(t), t))
    notes_scrubbed, audit_scrubbed = _scrub_everywhere(session, needles) if needles else (0, 0)
    if personal is not None:
        session.delete(personal)
    self_identification.forget(session, candidate_id)
    decision_log.forget_candidate(session, candidate_id)
    entries = session.exec(select(ShortlistEntry).where(ShortlistEntry.candidate_id == candidate_id)).all()
    for entry in entries:
        entry.state = EntryState.erased
        entry.rank = None
        entry.updated_at = now
        session.add(entry)
    cand = live_candidate(session, candidate_id)
    cand.external_id = f"erased-{uuid.uuid4().hex}"
    cand.erased_at = now
    cand.updated_at = now
    session.add(cand)
    session.flush()
    _refresh_fragments(session, candidate_id, needles)
    report = ErasureReport(
        id=candidate_id,
        erased_at=now,
        shortlist_entries=len(entries),
        notes_scrubbed=notes_scrubbed,
        audit_entries_scrubbed=audit_scrubbed,
    )
    record(
        session,
        actor,
        "candidate.erase",
        "candidate",
        str(candidate_id),
        report.model_dump(mode="json", exclude={"id", "erased_at"}),
    )
    on_candidates_changed(session, [candidate_id], actor=actor)
    bind = session.get_bind()
    after_commit(session, lambda: purge_dead_rows(bind, _ERASURE_TABLES))
    return report


#: Every table erasure changes: their dead row versions still hold the old text until vacuumed.
_ERASURE_TABLES = (
    "candidate_personal",
    "candidate",
    "candidate_skill",
    "self_identification",
    "decision",
    "shortlist_entry",
    "audit_entry",
    "match_run",
    "match_run_requirement",
    "requirement",
)


def purge_dead_rows(bind: Any, tables: Sequence[str]) -> None:
    """After an erasure commits: PostgreSQL vacuums ``tables`` (dead row versions and the
    index entries pointing at them go); SQLite checkpoints and truncates its write-ahead log,
    so no earlier page image lingers there. Best effort: a failure is logged, the erasure stands."""
    engine = bind.engine if hasattr(bind, "engine") else bind
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if engine.dialect.name == "postgresql":
                for table in tables:
                    conn.exec_driver_sql(f'VACUUM "{table}"')
            elif engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:
        log.exception("could not purge dead rows after an erasure")
