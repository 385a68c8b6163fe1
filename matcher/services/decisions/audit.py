"""The impact-ratio audit over the database: who each profile would select, by category.

People are the candidate pool (vetting passed, not erased). Under a profile, a person is selected
at ``top_n`` when the profile ranks them in the top N of any requirement of its track (open, or
with logged decisions); at a later stage (presented, client interested, hired) when the decision
log shows they reached it on a requirement where that profile ranks them in the top N. Current and
proposed profiles are so compared on the same footing. Categories come from self-identification
(no answer: "not disclosed"); only aggregates leave this module.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping

from pydantic import BaseModel
from sqlalchemy import or_, select
from sqlmodel import Session

from matcher import clock
from matcher.core import relations_for
from matcher.core.audit import AuditRow, AuditStage, Person, RaceEthnicity, Sex, impact_ratios
from matcher.core.pipeline import Stage
from matcher.core.profiles import WeightProfile
from matcher.errors import NotFound, ValidationFailed
from matcher.models import Role
from matcher.models.tables import DECISION, REQ
from matcher.runtime import runtime_of
from matcher.schemas import RequirementStatus, Track
from matcher.services import matching
from matcher.services.accounts.service import Principal
from matcher.services.decisions import self_identification
from matcher.services.weight_profiles import store as profiles
from matcher.skills import load_taxonomy

#: "In the top N of a shortlist": N.
AUDIT_TOP = 10
#: The stages that count as having reached each audited stage.
REACHED: Mapping[AuditStage, frozenset[str]] = {
    AuditStage.presented: frozenset(
        s.value
        for s in (
            Stage.presented,
            Stage.client_interested,
            Stage.interview_requested,
            Stage.declined_by_client,
            Stage.offer,
            Stage.hired,
        )
    ),
    AuditStage.client_interested: frozenset(
        s.value for s in (Stage.client_interested, Stage.interview_requested, Stage.offer, Stage.hired)
    ),
    AuditStage.hired: frozenset({Stage.hired.value}),
}


class AuditRowView(BaseModel):
    stage: AuditStage
    grouping: str
    category: str
    people: int
    selected: int
    selection_rate: float
    share: float
    impact_ratio: float | None
    counted: str


class AuditReport(BaseModel):
    track: Track
    profile: str
    top: int
    people: int
    rows: list[AuditRowView]


def audited_requirements(session: Session, track: Track) -> list[uuid.UUID]:
    """Open requirements of the track, and any of its requirements with logged decisions."""
    decided = select(DECISION.c.requirement_id).where(DECISION.c.track == track.value)
    return list(
        session.execute(
            select(REQ.c.id)
            .where(
                REQ.c.track == track.value,
                or_(REQ.c.status == RequirementStatus.open.value, REQ.c.id.in_(decided)),
            )
            .order_by(REQ.c.created_at, REQ.c.id)
        ).scalars()
    )


def tops(
    session: Session, requirement_ids: Iterable[uuid.UUID], profile: WeightProfile, top: int = AUDIT_TOP
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Requirement id -> candidate ids of its top ``top`` under ``profile`` (today, same pool
    and ranker as matching)."""
    loaded = matching.load_requirements(session, list(requirement_ids))
    runtime = runtime_of(session)
    pool = runtime.pool_cache.get(session)
    ranker = runtime.ranker
    related = load_taxonomy().related_to
    day = clock.today(runtime.settings)
    out = {}
    for rid, req in loaded.items():
        if req.profile.track is not profile.track:
            continue
        ranking = ranker(req.profile, pool, profile, relations_for(req.profile, related), day, top=top)
        out[rid] = [pool.id_of(r.external_id) for r in ranking.top]
    return out


def _reached(session: Session, track: Track) -> dict[tuple[uuid.UUID, uuid.UUID], set[str]]:
    out: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = defaultdict(set)
    for rid, cid, stage in session.execute(
        select(DECISION.c.requirement_id, DECISION.c.candidate_id, DECISION.c.to_stage).where(
            DECISION.c.track == track.value, DECISION.c.candidate_id.is_not(None)
        )
    ):
        out[(rid, cid)].add(stage)
    return out


def people_under(
    session: Session, track: Track, profile: WeightProfile, top: int = AUDIT_TOP
) -> list[Person]:
    """Every person of the pool, with the stages ``profile`` selects them at."""
    pool = runtime_of(session).pool_cache.get(session)
    in_top = tops(session, audited_requirements(session, track), profile, top)
    reached = _reached(session, track)
    answers = self_identification.categories(session)
    selected: dict[uuid.UUID, set[AuditStage]] = defaultdict(set)
    for rid, ids in in_top.items():
        for cid in ids:
            selected[cid].add(AuditStage.top_n)
            for stage, names in REACHED.items():
                if reached.get((rid, cid), set()) & names:
                    selected[cid].add(stage)
    undisclosed = (Sex.not_disclosed, RaceEthnicity.not_disclosed)
    return [Person(*answers.get(cid, undisclosed), frozenset(selected.get(cid, ()))) for cid in pool.ids]


def _view(row: AuditRow) -> AuditRowView:
    return AuditRowView(
        stage=row.stage,
        grouping=row.grouping.value,
        category=row.category,
        people=row.people,
        selected=row.selected,
        selection_rate=round(row.rate, 6),
        share=round(row.share, 6),
        impact_ratio=None if row.impact_ratio is None else round(row.impact_ratio, 6),
        counted=row.counted,
    )


def report(session: Session, track: Track, profile: WeightProfile, top: int = AUDIT_TOP) -> AuditReport:
    """The audit of ``profile`` (any version, or a proposal never saved)."""
    people = people_under(session, track, profile, top)
    return AuditReport(
        track=track,
        profile=profile.label,
        top=top,
        people=len(people),
        rows=[_view(r) for r in impact_ratios(people)],
    )


def profile_for(session: Session, track: Track, version: str | None) -> WeightProfile:
    """The track's default profile now, or the version named (``N`` of the default's name, or
    ``name@vN``)."""
    profiles.ensure_default_profiles(session)
    current = matching.load_weight_profile(session, default_record_id(session, track))
    if version is None:
        return current
    name, _, number = version.rpartition("@v") if "@v" in version else (current.name, "", version)
    try:
        wanted = int(number)
    except ValueError:
        raise ValidationFailed(f"profile: {version!r} is not a version (N or name@vN)") from None
    for record in profiles.list_records(session, all_versions=True):
        if record.name == name and record.version == wanted:
            if record.track != track.value:
                raise ValidationFailed(
                    f"profile: {version} is for the {record.track} track, not {track.value}"
                )
            return profiles.to_core(record)
    raise NotFound(f"no weight profile {name}@v{wanted}")


def default_record_id(session: Session, track: Track) -> uuid.UUID:
    """The id of the row the track's default profile is now (its latest version)."""
    for record in profiles.list_records(session):
        if record.track == track.value and record.is_default:
            return record.id
    raise NotFound(f"no default weight profile for the {track.value} track")


CSV_FIELDS = (
    "track",
    "profile",
    "stage",
    "grouping",
    "category",
    "people",
    "selected",
    "selection_rate",
    "share",
    "impact_ratio",
    "counted",
)


def to_csv(reports: Iterable[AuditReport]) -> str:
    """The aggregate audit as CSV (one line per stage, grouping and category)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rep in reports:
        for row in rep.rows:
            data = row.model_dump(mode="json")
            data["impact_ratio"] = "" if row.impact_ratio is None else row.impact_ratio
            writer.writerow({"track": rep.track.value, "profile": rep.profile, **data})
    return out.getvalue()


def reports_for(
    session: Session, principal: Principal, track: Track | None = None, profile: str | None = None
) -> list[AuditReport]:
    """The audit of one track (or both) under the current profile or the version named (admins)."""
    principal.require(Role.admin)
    tracks = [track] if track is not None else list(Track)
    return [report(session, t, profile_for(session, t, profile)) for t in tracks]
