"""Candidates for recruiters: create, import, list, read, replace, patch and erase.

Writes go through ``matcher.services.imports.importing`` so that a candidate created here is stored
exactly as an imported one. Only recruiters and admins reach these functions: every view here
carries personal data. The client-facing, anonymised card lives in ``shortlists``.

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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError
from sqlalchemy import String, cast, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session, col, select

from matcher.dispatch import after_commit
from matcher.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from matcher.json_records import validation_errors
from matcher.json_types import NoNul
from matcher.models import (
    AuditEntry,
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    EntryState,
    MatchRun,
    MatchRunRequirement,
    PipelineEvent,
    Requirement,
    ShortlistEntry,
    utcnow,
)
from matcher.schemas import (
    CandidateIn,
    CandidateSkillIn,
    EducationIn,
    ExternalId,
    HorizonDate,
    HourlyRate,
    Line,
    Seniority,
    Track,
    VettingIn,
    VettingStatus,
)
from matcher.services.audit import record
from matcher.services.cursors import Page, UtcDateTime, check_limit, decode_cursor, encode_cursor
from matcher.services.imports import importing
from matcher.services.runs import rematch_pending
from matcher.services.runs.triggers import on_candidates_changed
from matcher.services.skills import resolve_names
from matcher.skills import load_taxonomy

ERASED = "[erased]"
log = logging.getLogger(__name__)
ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]
AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
EVENT = PipelineEvent.__table__  # type: ignore[attr-defined]
REQ = Requirement.__table__  # type: ignore[attr-defined]
#: Tables whose ``error`` text could quote a candidate (an exception message).
_RUN_TABLES = (MatchRun.__table__, MatchRunRequirement.__table__)  # type: ignore[attr-defined]


class ResolvedSkill(BaseModel):
    """A candidate's skill as written and what the resolver made of it."""

    name: str
    skill_key: str
    method: str
    match_score: float
    years: float
    last_used: int | None


class CandidateView(CandidateIn):
    """A candidate as a recruiter sees it: the import record plus its id and resolutions."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    resolved_skills: list[ResolvedSkill]
    created_at: UtcDateTime
    updated_at: UtcDateTime
    rematch_pending: bool = Field(
        default=False,
        description="This write started a re-match that is waiting: the task queue cannot be "
        "reached. The write is saved; the re-match is dispatched as soon as the queue is back.",
    )


class CandidateBody(CandidateIn, NoNul):
    """A candidate in the import format (no NUL in any text)."""


class CandidatePatch(NoNul):
    """Fields to change, in the import format; a field left out keeps its value.

    Nested objects (``vetting``, ``education``) and lists (``skills``, ``languages``) are
    replaced as a whole. The merged record is validated as a full candidate.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    external_id: ExternalId | None = None
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    track: Track | None = None
    headline: Line | None = Field(default=None, max_length=200)
    seniority: Seniority | None = None
    years_experience: float | None = Field(default=None, ge=0, le=60)
    skills: list[CandidateSkillIn] | None = Field(default=None, max_length=200)
    vetting: VettingIn | None = None
    hourly_rate: HourlyRate | None = None
    currency: str | None = None
    timezone: str | None = None
    available_from: HorizonDate | None = None
    hours_per_week: int | None = Field(default=None, ge=1, le=60)
    education: EducationIn | None = None
    languages: list[Annotated[Line, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=20
    )


class CandidateFilters(BaseModel):
    track: Track | None = None
    seniority: Seniority | None = None
    vetting_status: VettingStatus | None = None
    skill: str | None = Field(
        default=None, description="A canonical skill key or free text, resolved like an import."
    )


class CandidateImportSummary(BaseModel):
    created: int
    updated: int


class ErasureReport(BaseModel):
    id: uuid.UUID
    erased_at: UtcDateTime
    shortlist_entries: int
    notes_scrubbed: int
    audit_entries_scrubbed: int


def _live(session: Session, candidate_id: uuid.UUID) -> Candidate:
    cand = session.get(Candidate, candidate_id)
    if cand is None or cand.erased_at is not None:
        raise NotFound(f"no candidate {candidate_id}")
    return cand


def _skills_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[CandidateSkill]]:
    out: dict[uuid.UUID, list[CandidateSkill]] = defaultdict(list)
    if not ids:
        return out
    rows = session.exec(
        select(CandidateSkill)
        .where(col(CandidateSkill.candidate_id).in_(ids))
        .order_by(col(CandidateSkill.candidate_id), col(CandidateSkill.position), col(CandidateSkill.id))
    ).all()
    for s in rows:
        out[s.candidate_id].append(s)
    return out


def _entries(skills: Sequence[CandidateSkill]) -> list[CandidateSkill]:
    """One row per entry as written: the parts of a combined entry share its position."""
    return list({s.position: s for s in reversed(skills)}.values())[::-1]


def _record(c: Candidate, p: CandidatePersonal, skills: Sequence[CandidateSkill]) -> dict[str, Any]:
    """The candidate in the import format (what PUT takes and PATCH merges into)."""
    return {
        "external_id": c.external_id,
        "name": p.name,
        "email": p.email,
        "track": c.track,
        "headline": c.headline,
        "seniority": c.seniority,
        "years_experience": c.years_experience,
        "skills": [s.to_import() for s in _entries(skills)],
        "vetting": {"status": c.vetting_status, "vetted_on": c.vetted_on, "scores": dict(c.vetting_scores)},
        "hourly_rate": c.hourly_rate,
        "currency": c.currency,
        "timezone": c.timezone,
        "available_from": c.available_from,
        "hours_per_week": c.hours_per_week,
        "education": {"degree": c.education_degree, "field": c.education_field},
        "languages": list(c.languages),
    }


def _view(c: Candidate, p: CandidatePersonal, skills: Sequence[CandidateSkill]) -> CandidateView:
    return CandidateView.model_validate(
        {
            **_record(c, p, skills),
            "id": c.id,
            "resolved_skills": [
                ResolvedSkill(
                    name=s.raw_name,
                    skill_key=s.skill_key,
                    method=s.method,
                    match_score=s.match_score,
                    years=s.years,
                    last_used=s.last_used,
                )
                for s in skills
            ],
            "created_at": c.created_at,
            "updated_at": c.updated_at,
        }
    )


def _with_rematch_state(session: Session, view: CandidateView) -> CandidateView:
    return view.model_copy(update={"rematch_pending": rematch_pending(session)})


def get_candidate(session: Session, candidate_id: uuid.UUID) -> CandidateView:
    cand = _live(session, candidate_id)
    personal = session.get(CandidatePersonal, candidate_id)
    if personal is None:
        raise NotFound(f"no candidate {candidate_id}")
    return _view(cand, personal, _skills_of(session, [cand.id])[cand.id])


def _id_by_external(session: Session, external_id: str) -> uuid.UUID | None:
    return session.exec(select(Candidate.id).where(Candidate.external_id == external_id)).first()


def create_candidate(session: Session, candidate: CandidateIn, *, actor: str) -> CandidateView:
    """Create one candidate; an existing external_id is a conflict (use PUT to replace)."""
    if _id_by_external(session, candidate.external_id) is not None:
        raise Conflict(f"candidate {candidate.external_id!r} already exists")
    result = importing.import_candidates(session, [candidate], actor=actor)
    record(session, actor, "candidate.create", "candidate", str(result.ids[0]))
    return _with_rematch_state(session, get_candidate(session, result.ids[0]))


def import_candidates_text(
    session: Session, text: str, *, actor: str, max_records: int
) -> CandidateImportSummary:
    """Import JSON Lines (or a JSON array), all or nothing, as ``talentmatch import candidates``."""
    records = importing.parse_candidates(text)
    if len(records) > max_records:
        raise PayloadTooLarge(f"{len(records)} records in one import; at most {max_records} are accepted")
    result = importing.import_candidates(session, records, actor=actor)
    return CandidateImportSummary(created=result.created, updated=result.updated)


def replace_candidate(
    session: Session, candidate_id: uuid.UUID, candidate: CandidateIn, *, actor: str
) -> CandidateView:
    """Replace the whole record; a new external_id must not belong to another candidate."""
    cand = _live(session, candidate_id)
    if candidate.external_id != cand.external_id:
        other = _id_by_external(session, candidate.external_id)
        if other is not None:
            raise Conflict(f"external_id {candidate.external_id!r} belongs to another candidate")
        cand.external_id = candidate.external_id
        session.add(cand)
        session.flush()
    importing.import_candidates(session, [candidate], actor=actor)
    record(session, actor, "candidate.update", "candidate", str(candidate_id))
    session.expire_all()
    return _with_rematch_state(session, get_candidate(session, candidate_id))


def patch_candidate(
    session: Session, candidate_id: uuid.UUID, patch: CandidatePatch, *, actor: str
) -> CandidateView:
    """Change some fields: merge them into the stored record and replace it with the result."""
    cand = _live(session, candidate_id)
    personal = session.get(CandidatePersonal, candidate_id)
    if personal is None:
        raise NotFound(f"no candidate {candidate_id}")
    merged = _record(cand, personal, _skills_of(session, [cand.id])[cand.id])
    merged.update(patch.model_dump(exclude_unset=True, mode="json"))
    try:
        candidate = CandidateIn.model_validate(merged)
    except ValidationError as exc:
        errors = validation_errors(exc, None)
        raise ValidationFailed(f"the patched candidate is invalid: {errors[0]}", errors) from None
    return replace_candidate(session, candidate_id, candidate, actor=actor)


def skill_key_for(text: str) -> str:
    """A skill filter as a taxonomy key: free text is resolved the way imports resolve it."""
    return resolve_names([text.strip()])[text.strip()].key


def list_candidates(
    session: Session, filters: CandidateFilters, *, cursor: str | None = None, limit: int = 50
) -> Page[CandidateView]:
    """Candidates (not erased) by external_id, ``limit`` at a time, after ``cursor``."""
    check_limit(limit)
    query = (
        select(Candidate, CandidatePersonal)
        .join(CandidatePersonal, col(CandidatePersonal.candidate_id) == col(Candidate.id))
        .where(col(Candidate.erased_at).is_(None))
    )
    if filters.track is not None:
        query = query.where(Candidate.track == filters.track.value)
    if filters.seniority is not None:
        query = query.where(Candidate.seniority == filters.seniority.value)
    if filters.vetting_status is not None:
        query = query.where(Candidate.vetting_status == filters.vetting_status.value)
    if filters.skill:
        has_skill = select(CandidateSkill.candidate_id).where(
            CandidateSkill.skill_key == skill_key_for(filters.skill)
        )
        query = query.where(col(Candidate.id).in_(has_skill))
    if cursor:
        (after,) = decode_cursor(cursor, 1)
        query = query.where(col(Candidate.external_id) > str(after))
    rows = session.exec(query.order_by(col(Candidate.external_id)).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    skills = _skills_of(session, [c.id for c, _ in rows])
    items = [_view(c, p, skills[c.id]) for c, p in rows]
    return Page[CandidateView](
        items=items, next_cursor=encode_cursor([rows[-1][0].external_id]) if more else None
    )


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


def erase_candidate(session: Session, candidate_id: uuid.UUID, *, actor: str) -> ErasureReport:
    """Erase a candidate's identity everywhere; keep the anonymised matching history.

    Gone: the ``candidate_personal`` row, the external id (a link to the firm's ATS), all
    free text the candidate gave, and every token of the name and email wherever it was
    copied (recruiter notes on any entry, reasons, audit details, run and trigger errors). On
    PostgreSQL the affected tables are vacuumed after the commit, so no dead row version keeps
    the old text; SQLite overwrites freed space (``secure_delete``) and its journal is
    checkpointed.
    """
    cand = _live(session, candidate_id)
    personal = session.get(CandidatePersonal, candidate_id)
    now = utcnow()
    typed = _forget_free_text(session, cand)
    tokens = identity_tokens(personal.name, personal.email) if personal is not None else []
    needles = sorted(dict.fromkeys([*tokens, *typed]), key=lambda t: (-len(t), t))
    notes_scrubbed = audit_scrubbed = 0
    if needles:
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
    if personal is not None:
        session.delete(personal)
    entries = session.exec(select(ShortlistEntry).where(ShortlistEntry.candidate_id == candidate_id)).all()
    for entry in entries:
        entry.state = EntryState.erased
        entry.rank = None
        entry.updated_at = now
        session.add(entry)
    cand = _live(session, candidate_id)
    cand.external_id = f"erased-{uuid.uuid4().hex}"
    cand.erased_at = now
    cand.updated_at = now
    session.add(cand)
    session.flush()
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
