"""Importing candidates and requirements in the shared JSON format, all or nothing.

Everything is validated before anything is written: a file with any invalid record writes
nothing and reports every error with its line, field and reason. Valid files are written in
one transaction with set-based statements (no ORM object per row), so 100k candidates fit in
well under a minute on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy import delete, select
from sqlmodel import Session
from sqlmodel import select as orm_select

from matcher.errors import FieldError, ValidationFailed
from matcher.json_records import parse_models, paused_gc
from matcher.models import (
    Candidate,
    CandidatePersonal,
    CandidateSkill,
    Client,
    Requirement,
    RequirementSkill,
    SkillKind,
    utcnow,
)
from matcher.schemas import CandidateIn, RequirementIn
from matcher.services.audit import record
from matcher.services.runs.triggers import on_candidates_changed, on_requirements_changed
from matcher.services.shortlists import fragments
from matcher.services.skills import resolve_names
from matcher.skills import Resolution
from matcher.storage.bulk import BulkWriter

Progress = Callable[[int], None]
T = TypeVar("T")
CHUNK = 2000


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _raise_if(errors: list[FieldError], what: str) -> None:
    if errors:
        lines = len({e.line for e in errors})
        raise ValidationFailed(
            f"{lines} invalid {what} record(s), {len(errors)} error(s); nothing was imported", errors
        )


def parse_candidates(text: str) -> list[CandidateIn]:
    """Validate a candidates file; raise ValidationFailed listing every error. Held to JSON's own
    types and refused NUL, as the API's bodies are (``records.parse_models``)."""
    good, errors = parse_models(text, CandidateIn)
    _raise_if(errors, "candidate")
    return [item for _, item in good]


def parse_requirements(text: str) -> list[RequirementIn]:
    good, errors = parse_models(text, RequirementIn, key=lambda r: (r.client, r.external_id))
    _raise_if(errors, "requirement")
    return [item for _, item in good]


def candidate_row(c: CandidateIn, now: Any) -> dict[str, Any]:
    return {
        "external_id": c.external_id,
        "track": c.track.value,
        "headline": c.headline,
        "seniority": c.seniority.value,
        "years_experience": c.years_experience,
        "vetting_status": c.vetting.status.value,
        "vetted_on": c.vetting.vetted_on,
        "vetting_scores": {d.value: s for d, s in c.vetting.scores.items()},
        "hourly_rate": c.hourly_rate,
        "currency": c.currency,
        "timezone": c.timezone,
        "available_from": c.available_from,
        "hours_per_week": c.hours_per_week,
        "education_degree": c.education.degree.value,
        "education_field": c.education.field,
        "languages": list(c.languages),
        "erased_at": None,
        "updated_at": now,
    }


def _skill_rows(cid: uuid.UUID, c: CandidateIn, res: dict[str, Resolution]) -> list[dict[str, Any]]:
    """One row per skill named: a combined entry ("Java/J2EE") is a row per part, all at the
    entry's position (export writes the entry once)."""
    rows = []
    for i, s in enumerate(c.skills):
        for r in res[s.name].entries():
            rows.append(
                {
                    "candidate_id": cid,
                    "position": i,
                    "raw_name": s.name,
                    "skill_key": r.key,
                    "method": r.method,
                    "match_score": r.score,
                    "years": s.years,
                    "last_used": s.last_used,
                }
            )
    return rows


def import_candidates(
    session: Session,
    candidates: Sequence[CandidateIn],
    *,
    actor: str = "system",
    progress: Progress | None = None,
    rematch: bool = True,
) -> ImportResult:
    """Create or update (by external_id) every candidate, in the caller's transaction; with
    ``rematch``, the open requirements they could enter are re-matched after the commit.

    The candidates are written a chunk at a time (``_write_candidate_chunk``), set-based through
    ``matcher.storage.bulk.BulkWriter``."""
    result = ImportResult()
    now = utcnow()
    with paused_gc():
        resolutions = resolve_names(s.name for c in candidates for s in c.skills)
        writer = BulkWriter(session.connection())
        for chunk in _chunks(candidates):
            _write_candidate_chunk(session, writer, chunk, resolutions, now, result)
            if progress:
                progress(len(chunk))
    _audit_and_rematch(session, actor, "candidate", result, on_candidates_changed if rematch else None)
    return result


def _write_candidate_chunk(
    session: Session,
    writer: BulkWriter,
    chunk: Sequence[CandidateIn],
    resolutions: dict[str, Resolution],
    now: dt.datetime,
    result: ImportResult,
) -> None:
    """One query for the ids of the chunk's candidates that exist, then set-based writes: the new
    rows inserted, the existing ones updated in place with their skills and personal data replaced."""
    cand = Candidate.__table__  # type: ignore[attr-defined]
    personal = CandidatePersonal.__table__  # type: ignore[attr-defined]
    skills = CandidateSkill.__table__  # type: ignore[attr-defined]
    existing = dict(
        session.execute(
            select(cand.c.external_id, cand.c.id).where(
                cand.c.external_id.in_([c.external_id for c in chunk])
            )
        ).all()
    )
    new_rows, upd_rows, personal_rows, skill_rows = [], [], [], []
    for c in chunk:
        row = candidate_row(c, now)
        cid = existing.get(c.external_id)
        if cid is None:
            cid = uuid.uuid4()
            new_rows.append({"id": cid, **row, "created_at": now})
        else:
            upd_rows.append({"id": cid, **row})
        personal_rows.append({"candidate_id": cid, "name": c.name, "email": str(c.email)})
        skill_rows.extend(_skill_rows(cid, c, resolutions))
        result.ids.append(cid)
    changed = [r["id"] for r in upd_rows]
    writer.update(cand, "id", upd_rows)
    writer.delete(skills, "candidate_id", changed)
    writer.delete(personal, "candidate_id", changed)
    writer.insert(cand, new_rows)
    writer.insert(personal, personal_rows)
    writer.insert(skills, skill_rows)
    fragments.forget_candidates(session, changed)  # their shortlist entries show the old data
    result.created += len(new_rows)
    result.updated += len(upd_rows)


def get_or_create_client(session: Session, slug: str) -> Client:
    client = session.exec(orm_select(Client).where(Client.slug == slug)).first()
    if client is None:
        client = Client(slug=slug, name=slug.replace("-", " ").title())
        session.add(client)
        session.flush()
    return client


def requirement_fields(r: RequirementIn) -> dict[str, Any]:
    return {
        "external_id": r.external_id,
        "title": r.title,
        "track": r.track.value,
        "seniority": r.seniority.value,
        "min_years_experience": r.min_years_experience,
        "max_hourly_rate": r.max_hourly_rate,
        "currency": r.currency,
        "timezone": r.timezone,
        "min_overlap_hours": r.min_overlap_hours,
        "start_by": r.start_by,
        "hours_per_week": r.hours_per_week,
        "education_min_degree": r.education.min_degree.value if r.education else None,
        "education_fields": list(r.education.fields) if r.education else [],
        "headcount": r.headcount,
        "status": r.status.value,
        "must_have_is_hard": r.must_have_is_hard,
        "track_is_hard": r.track_is_hard,
    }


def write_requirement(
    session: Session,
    r: RequirementIn,
    resolutions: dict[str, Resolution],
    *,
    client: Client | None = None,
    requirement: Requirement | None = None,
) -> tuple[Requirement, bool]:
    """Create or update one requirement and its skills; returns (row, created)."""
    client = client or get_or_create_client(session, r.client)
    if requirement is None:
        requirement = session.exec(
            orm_select(Requirement).where(
                Requirement.client_id == client.id, Requirement.external_id == r.external_id
            )
        ).first()
    created = requirement is None
    if requirement is None:
        requirement = Requirement(client_id=client.id, **requirement_fields(r))
        session.add(requirement)
    else:
        for key, value in requirement_fields(r).items():
            setattr(requirement, key, value)
        requirement.updated_at = utcnow()
        session.execute(
            delete(RequirementSkill).where(RequirementSkill.requirement_id == requirement.id)  # type: ignore[arg-type]
        )
    session.flush()
    for kind, items in ((SkillKind.must, r.must_have), (SkillKind.nice, r.nice_to_have)):
        for i, s in enumerate(items):
            res = resolutions[s.name]
            session.add(
                RequirementSkill(
                    requirement_id=requirement.id,
                    kind=kind,
                    position=i,
                    raw_name=s.name,
                    skill_key=res.key,
                    method=res.method,
                    match_score=res.score,
                    min_years=s.min_years,
                )
            )
    session.flush()
    return requirement, created


def import_requirements(
    session: Session,
    requirements: Sequence[RequirementIn],
    *,
    actor: str = "system",
    progress: Progress | None = None,
    rematch: bool = True,
) -> ImportResult:
    resolutions = resolve_names(s.name for r in requirements for s in (*r.must_have, *r.nice_to_have))
    result = ImportResult()
    for r in requirements:
        row, created = write_requirement(session, r, resolutions)
        result.ids.append(row.id)
        if created:
            result.created += 1
        else:
            result.updated += 1
        if progress:
            progress(1)
    _audit_and_rematch(session, actor, "requirement", result, on_requirements_changed if rematch else None)
    return result


def _audit_and_rematch(
    session: Session,
    actor: str,
    kind: Literal["candidate", "requirement"],
    result: ImportResult,
    on_changed: Callable[..., object] | None,
) -> None:
    """Audit an import (counts only: ``*`` as the target) and fire its re-match trigger, if any."""
    counts = {"created": result.created, "updated": result.updated}
    record(session, actor, f"{kind}s.import", kind, "*", counts)
    if on_changed is not None:
        on_changed(session, result.ids, actor=actor)
