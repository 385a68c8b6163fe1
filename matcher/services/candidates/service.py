"""Candidates for recruiters: create, import, list, read, replace, patch and erase.

Writes go through ``matcher.services.imports.importing`` so that a candidate created here is stored
exactly as an imported one. Every function takes the caller's ``Principal`` and lets only staff
through: every view here carries personal data. The client-facing, anonymised card lives in
``shortlists``; erasure in ``erasure``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError
from sqlmodel import Session, col, select

from matcher.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from matcher.json_records import validation_errors
from matcher.json_types import NoNul
from matcher.models import (
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    Role,
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
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.cursors import Page, UtcDateTime, check_limit, decode_cursor, encode_cursor
from matcher.services.imports import importing
from matcher.services.runs import rematch_pending
from matcher.services.skills import resolve_names


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


def live_candidate(session: Session, candidate_id: uuid.UUID) -> Candidate:
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


def get_candidate(session: Session, principal: Principal, candidate_id: uuid.UUID) -> CandidateView:
    """One candidate, personal data included (staff only)."""
    principal.require(Role.recruiter)
    return _candidate_view(session, candidate_id)


def _candidate_view(session: Session, candidate_id: uuid.UUID) -> CandidateView:
    cand = live_candidate(session, candidate_id)
    personal = session.get(CandidatePersonal, candidate_id)
    if personal is None:
        raise NotFound(f"no candidate {candidate_id}")
    return _view(cand, personal, _skills_of(session, [cand.id])[cand.id])


def _id_by_external(session: Session, external_id: str) -> uuid.UUID | None:
    return session.exec(select(Candidate.id).where(Candidate.external_id == external_id)).first()


def create_candidate(session: Session, principal: Principal, candidate: CandidateIn) -> CandidateView:
    """Create one candidate; an existing external_id is a conflict (use PUT to replace)."""
    principal.require(Role.recruiter)
    actor = principal.actor
    if _id_by_external(session, candidate.external_id) is not None:
        raise Conflict(f"candidate {candidate.external_id!r} already exists")
    result = importing.import_candidates(session, [candidate], actor=actor)
    record(session, actor, "candidate.create", "candidate", str(result.ids[0]))
    return _with_rematch_state(session, _candidate_view(session, result.ids[0]))


def import_candidates_text(
    session: Session, principal: Principal, text: str, *, max_records: int
) -> CandidateImportSummary:
    """Import JSON Lines (or a JSON array), all or nothing, as ``talentmatch import candidates``."""
    principal.require(Role.recruiter)
    records = importing.parse_candidates(text)
    if len(records) > max_records:
        raise PayloadTooLarge(f"{len(records)} records in one import; at most {max_records} are accepted")
    result = importing.import_candidates(session, records, actor=principal.actor)
    return CandidateImportSummary(created=result.created, updated=result.updated)


def replace_candidate(
    session: Session, principal: Principal, candidate_id: uuid.UUID, candidate: CandidateIn
) -> CandidateView:
    """Replace the whole record; a new external_id must not belong to another candidate."""
    principal.require(Role.recruiter)
    actor = principal.actor
    cand = live_candidate(session, candidate_id)
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
    return _with_rematch_state(session, _candidate_view(session, candidate_id))


def patch_candidate(
    session: Session, principal: Principal, candidate_id: uuid.UUID, patch: CandidatePatch
) -> CandidateView:
    """Change some fields: merge them into the stored record and replace it with the result."""
    principal.require(Role.recruiter)
    cand = live_candidate(session, candidate_id)
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
    return replace_candidate(session, principal, candidate_id, candidate)


def skill_key_for(text: str) -> str:
    """A skill filter as a taxonomy key: free text is resolved the way imports resolve it."""
    return resolve_names([text.strip()])[text.strip()].key


def list_candidates(
    session: Session,
    principal: Principal,
    filters: CandidateFilters,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[CandidateView]:
    """Candidates (not erased) by external_id, ``limit`` at a time, after ``cursor`` (staff)."""
    principal.require(Role.recruiter)
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
