"""Exporting candidates and requirements in the shared JSON format (JSON Lines).

What is exported re-imports to the same data: a round trip is an identity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from matcher.models import Candidate, CandidatePersonal, CandidateSkill, Client, Requirement, RequirementSkill

BATCH = 2000


def _candidate_record(c: Any, name: str, email: str, skills: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "external_id": c.external_id,
        "name": name,
        "email": email,
        "track": c.track,
        "headline": c.headline,
        "seniority": c.seniority,
        "years_experience": c.years_experience,
        "skills": skills,
        "vetting": {
            "status": c.vetting_status,
            "vetted_on": c.vetted_on.isoformat() if c.vetted_on else None,
            "scores": dict(c.vetting_scores),
        },
        "hourly_rate": c.hourly_rate,
        "currency": c.currency,
        "timezone": c.timezone,
        "available_from": c.available_from.isoformat(),
        "hours_per_week": c.hours_per_week,
        "education": {"degree": c.education_degree, "field": c.education_field},
        "languages": list(c.languages),
    }
    if out["headline"] is None:
        del out["headline"]
    if out["vetting"]["vetted_on"] is None:
        del out["vetting"]["vetted_on"]
    if out["education"]["field"] is None:
        del out["education"]["field"]
    return out


def iter_candidate_records(session: Session) -> Iterator[dict[str, Any]]:
    """Every candidate that still has personal data, in external_id order, batch by batch."""
    cand = Candidate.__table__  # type: ignore[attr-defined]
    pers = CandidatePersonal.__table__  # type: ignore[attr-defined]
    sk = CandidateSkill.__table__  # type: ignore[attr-defined]
    last = ""
    while True:
        rows: Sequence[Any] = session.execute(
            core_select(cand, pers.c.name, pers.c.email)
            .join(pers, pers.c.candidate_id == cand.c.id)
            .where(cand.c.external_id > last)
            .order_by(cand.c.external_id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        skills: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        seen: set[tuple[Any, int]] = set()
        for s in session.execute(
            core_select(sk.c.candidate_id, sk.c.position, sk.c.raw_name, sk.c.years, sk.c.last_used)
            .where(sk.c.candidate_id.in_([r.id for r in rows]))
            .order_by(sk.c.candidate_id, sk.c.position, sk.c.id)
        ):
            if (s.candidate_id, s.position) in seen:
                continue  # another part of a combined entry ("Java/J2EE"): written once
            seen.add((s.candidate_id, s.position))
            item: dict[str, Any] = {"name": s.raw_name, "years": s.years}
            if s.last_used is not None:
                item["last_used"] = s.last_used
            skills[s.candidate_id].append(item)
        for r in rows:
            yield _candidate_record(r, r.name, r.email, skills[r.id])
        last = rows[-1].external_id


def requirement_record(
    req: Requirement, client_slug: str, skills: Sequence[RequirementSkill]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "external_id": req.external_id,
        "client": client_slug,
        "title": req.title,
        "track": req.track,
        "seniority": req.seniority,
        "min_years_experience": req.min_years_experience,
        "must_have": [{"name": s.raw_name, "min_years": s.min_years} for s in skills if s.kind == "must"],
        "nice_to_have": [{"name": s.raw_name, "min_years": s.min_years} for s in skills if s.kind == "nice"],
        "max_hourly_rate": req.max_hourly_rate,
        "currency": req.currency,
        "timezone": req.timezone,
        "min_overlap_hours": req.min_overlap_hours,
        "start_by": req.start_by.isoformat(),
        "hours_per_week": req.hours_per_week,
        "headcount": req.headcount,
        "status": req.status,
    }
    if req.education_min_degree is not None:
        out["education"] = {"min_degree": req.education_min_degree, "fields": list(req.education_fields)}
    if req.must_have_is_hard:  # our extension of the shared format: written only when it is on
        out["must_have_is_hard"] = True
    if req.track_is_hard:  # likewise
        out["track_is_hard"] = True
    return out


def iter_requirement_records(session: Session) -> Iterator[dict[str, Any]]:
    rows = session.exec(
        select(Requirement, col(Client.slug))
        .join(Client, col(Client.id) == col(Requirement.client_id))
        .order_by(col(Client.slug), col(Requirement.external_id))
    ).all()
    skills: dict[Any, list[RequirementSkill]] = defaultdict(list)
    for s in session.exec(
        select(RequirementSkill).order_by(
            col(RequirementSkill.requirement_id), col(RequirementSkill.kind), col(RequirementSkill.position)
        )
    ):
        skills[s.requirement_id].append(s)
    for req, slug in rows:
        yield requirement_record(req, slug, skills[req.id])
