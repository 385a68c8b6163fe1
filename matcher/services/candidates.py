"""Candidates for recruiters: create, import, list, read, replace, patch and erase.

Writes go through ``matcher.services.importing`` so that a candidate created here is stored
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

from matcher.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from matcher.json_types import NoNul
from matcher.models import (
    AuditEntry,
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    EntryState,
    MatchRun,
    MatchRunRequirement,
    ShortlistEntry,
    utcnow,
)
from matcher.records import validation_errors
from matcher.schemas import (
    CandidateIn,
    CandidateSkillIn,
    EducationIn,
    ExternalId,
    HorizonDate,
    HourlyRate,
    Seniority,
    Track,
    VettingIn,
    VettingStatus,
)
from matcher.services import importing
from matcher.services.audit import record
from matcher.services.pages import Page, UtcDateTime, check_limit, decode_cursor, encode_cursor
from matcher.services.skills import resolve_names
from matcher.services.triggers import on_candidates_changed

ERASED = "[erased]"
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


class CandidateBody(CandidateIn, NoNul):
    """A candidate in the import format (no NUL in any text)."""


class CandidatePatch(NoNul):
    """Fields to change, in the import format; a field left out keeps its value.

    Nested objects (``vetting``, ``education``) and lists (``skills``, ``languages``) are
    replaced as a whole. The merged record is validated as a full candidate.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    external_id: ExternalId | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    track: Track | None = None
    headline: str | None = Field(default=None, max_length=200)
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
    languages: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=20
    )


class CandidateFilters(BaseModel):
    track: Track | None = None
    seniority: Seniority | None = None
    vetting_status: VettingStatus | None = None
    skill: str | None = Field(
        default=None, description="A canonical skill key or free text, resolved like an import."
    )


class ImportSummary(BaseModel):
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
        .order_by(col(CandidateSkill.candidate_id), col(CandidateSkill.position))
    ).all()
    for s in rows:
        out[s.candidate_id].append(s)
    return out


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
        "skills": [s.to_import() for s in skills],
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
    return get_candidate(session, result.ids[0])


def import_candidates_text(session: Session, text: str, *, actor: str, max_records: int) -> ImportSummary:
    """Import JSON Lines (or a JSON array), all or nothing, as ``talentmatch import candidates``."""
    records = importing.parse_candidates(text)
    if len(records) > max_records:
        raise PayloadTooLarge(f"{len(records)} records in one import; at most {max_records} are accepted")
    result = importing.import_candidates(session, records, actor=actor)
    return ImportSummary(created=result.created, updated=result.updated)


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
    return get_candidate(session, candidate_id)


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


def _pattern(secrets: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(s) for s in secrets), re.IGNORECASE)


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """``value`` (JSON-like) with every match of ``pattern`` in its strings replaced."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, pattern): _scrub(v, pattern) for k, v in value.items()}
    return value


def _needles(personal: CandidatePersonal) -> list[str]:
    """The strings to erase, as stored and as JSON escapes them (non-ASCII names)."""
    out = [s for s in (personal.name, personal.email) if s.strip()]
    out += [json.dumps(s)[1:-1] for s in out]
    return list(dict.fromkeys(out))


def _mentions(column: Any, needles: Sequence[str]) -> Any:
    """SQL: ``column`` (text, or JSON cast to text) contains one of ``needles``, any case."""
    return or_(*(func.lower(column).contains(n.lower(), autoescape=True) for n in needles))


def erase_candidate(session: Session, candidate_id: uuid.UUID, *, actor: str) -> ErasureReport:
    """Erase a candidate's personal data everywhere; keep the anonymised matching history."""
    cand = _live(session, candidate_id)
    personal = session.get(CandidatePersonal, candidate_id)
    now = utcnow()
    notes_scrubbed = audit_scrubbed = 0
    if personal is not None:
        needles = _needles(personal)
        pattern = _pattern(needles)
        notes = session.exec(select(ShortlistEntry).where(_mentions(ShortlistEntry.notes, needles))).all()
        for entry in notes:
            entry.notes = _scrub(entry.notes, pattern)
            session.add(entry)
        notes_scrubbed = len(notes)
        audits = session.exec(
            select(AuditEntry).where(_mentions(cast(AuditEntry.details, String), needles))
        ).all()
        for audit in audits:
            audit.details = _scrub(audit.details, pattern)
            session.add(audit)
        audit_scrubbed = len(audits)
        for table in _RUN_TABLES:
            mentioned = sa_select(table.c.id, table.c.error).where(_mentions(table.c.error, needles))
            for row_id, error in session.execute(mentioned).all():
                session.execute(
                    sa_update(table).where(table.c.id == row_id).values(error=_scrub(error, pattern))
                )
        session.delete(personal)
    entries = session.exec(select(ShortlistEntry).where(ShortlistEntry.candidate_id == candidate_id)).all()
    for entry in entries:
        entry.state = EntryState.erased
        entry.rank = None
        entry.updated_at = now
        session.add(entry)
    cand.external_id = f"erased-{uuid.uuid4().hex}"
    cand.headline = None
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
    return report
