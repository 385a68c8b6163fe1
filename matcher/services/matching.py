"""Matching one requirement: load it and its candidate pool from the database, rank with the
core, and persist the top N through the shortlist writer.

Loading is set-based (a few selects of plain columns, no ORM object per row). The pool (every
candidate whose vetting passed and who is not erased, on either track: a candidate vetted on the
other track is scored lower, or excluded when the requirement's track is hard) is built once per
process and reused while the candidate table is unchanged (``PoolCache``, checked once per
chunk of requirements). Ranking a requirement against a pool happens in exactly one place,
behind the ``Ranker`` signature, with the ranker of the caller's runtime (``matcher.runtime``;
``matcher.bootstrap`` chooses the vectorised index, ``matcher.index``, which keeps its index of
a pool in ``Pool.derived``; ``reference_ranker`` is the core's own ranker, with the same results).
The settings, the ranker and the pool cache come from the runtime of the caller's session.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from matcher.candidate_rows import CAND, ProfileBuilder
from matcher.clock import today
from matcher.core import relations_for, score_candidate
from matcher.core.profiles import WeightProfile
from matcher.core.results import RankedCandidate
from matcher.core.types import (
    Relations,
    RequiredSkill,
    RequirementProfile,
)
from matcher.errors import NotFound
from matcher.index import pool_index
from matcher.models import (
    EntryState,
    SkillKind,
    WeightProfileRecord,
)
from matcher.models.tables import REQ, RSKILL
from matcher.observability import metrics
from matcher.runtime import runtime_of
from matcher.schemas import Degree, Seniority, Track
from matcher.services.candidate_pool import Pool
from matcher.services.shortlists.changes import ShortlistChange
from matcher.services.shortlists.writer import Existing, RankedEntry, write_shortlist
from matcher.services.weight_profiles import store as profile_store
from matcher.skills import Taxonomy, load_taxonomy

# --- requirements and profiles ----------------------------------------------------------------


@dataclass(frozen=True)
class LoadedRequirement:
    id: uuid.UUID
    status: str
    weight_profile_id: uuid.UUID | None
    profile: RequirementProfile


def load_requirements(
    session: Session, requirement_ids: Sequence[uuid.UUID], taxonomy: Taxonomy | None = None
) -> dict[uuid.UUID, LoadedRequirement]:
    """Requirements with their skills, as core profiles (two selects for the whole batch)."""
    if not requirement_ids:
        return {}
    build = ProfileBuilder(taxonomy or load_taxonomy())
    skills: dict[tuple[uuid.UUID, str], list[RequiredSkill]] = defaultdict(list)
    for rid, kind, key, raw, method, score, min_years in session.execute(
        select(
            RSKILL.c.requirement_id,
            RSKILL.c.kind,
            RSKILL.c.skill_key,
            RSKILL.c.raw_name,
            RSKILL.c.method,
            RSKILL.c.match_score,
            RSKILL.c.min_years,
        )
        .where(RSKILL.c.requirement_id.in_(requirement_ids))
        .order_by(RSKILL.c.requirement_id, RSKILL.c.kind, RSKILL.c.position)
    ):
        skills[(rid, kind)].append(RequiredSkill(build.ref(key, raw, method, score), min_years))
    out = {}
    for r in session.execute(select(REQ).where(REQ.c.id.in_(requirement_ids))):
        out[r.id] = LoadedRequirement(
            id=r.id,
            status=r.status,
            weight_profile_id=r.weight_profile_id,
            profile=RequirementProfile(
                external_id=r.external_id,
                track=Track(r.track),
                seniority=Seniority(r.seniority),
                max_hourly_rate=r.max_hourly_rate,
                timezone=r.timezone,
                start_by=r.start_by,
                must_have=tuple(skills[(r.id, SkillKind.must.value)]),
                nice_to_have=tuple(skills[(r.id, SkillKind.nice.value)]),
                min_years_experience=r.min_years_experience,
                currency=r.currency,
                min_overlap_hours=r.min_overlap_hours,
                hours_per_week=r.hours_per_week,
                min_degree=Degree(r.education_min_degree) if r.education_min_degree else Degree.none,
                education_fields=tuple(r.education_fields),
                must_have_is_hard=r.must_have_is_hard,
                track_is_hard=r.track_is_hard,
            ),
        )
    return out


def load_weight_profile(session: Session, profile_id: uuid.UUID) -> WeightProfile:
    """The core profile of a row; rows never change, so each is read once per runtime (its
    ``weight_profiles``)."""
    memo = runtime_of(session).weight_profiles
    profile = memo.get(profile_id)
    if profile is None:
        record = session.get(WeightProfileRecord, profile_id)
        if record is None:
            raise NotFound(f"weight profile {profile_id} not found")
        profile = memo[profile_id] = profile_store.to_core(record)
    return profile


# --- ranking ----------------------------------------------------------------------------------


def prepare_pool(pool: Pool) -> None:
    """Build ahead of the first requirement what the default ranker derives from a pool."""
    pool_index(pool)


def warm(session: Session) -> int:
    """Load the pool into the session's runtime's cache, ready for the index ranker; its size."""
    pool = runtime_of(session).pool_cache.get(session)
    prepare_pool(pool)
    return len(pool)


def ranked_entry(result: RankedCandidate, candidate_id: uuid.UUID, state: EntryState) -> RankedEntry:
    """A shortlist row from a core result; an ineligible one lists its exclusions first."""
    reasons = (
        [*result.exclusions, *result.reasons] if state is EntryState.ineligible else list(result.reasons)
    )
    return RankedEntry(
        candidate_id=candidate_id,
        state=state,
        rank=result.rank if state is EntryState.active else None,
        score=result.score,
        components={name: c.model_dump(mode="json") for name, c in result.components.items()},
        reasons=reasons,
    )


# --- one requirement, end to end --------------------------------------------------------------


@dataclass
class Computed:
    """A requirement ranked, ready to be written (no database state changed yet)."""

    requirement: LoadedRequirement
    pool: Pool
    profile: WeightProfile
    weight_profile_id: uuid.UUID
    relations: Relations
    today: dt.date
    ranked: list[RankedEntry]
    eligible: int
    timings: dict[str, float]


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 3)


def compute_shortlist(
    session: Session,
    requirement: LoadedRequirement,
    pool: Pool,
    *,
    weight_profile_id: uuid.UUID | None = None,
    on: dt.date | None = None,
    size: int | None = None,
    taxonomy: Taxonomy | None = None,
) -> Computed:
    """Rank one loaded requirement against ``pool`` with the given profile row (default: its
    effective profile now), with the ranker of the session's runtime. Reads only."""
    start = time.perf_counter()
    runtime = runtime_of(session)
    settings = runtime.settings
    profile_id = weight_profile_id or profile_store.effective_profile(session, requirement.id).id
    profile = load_weight_profile(session, profile_id)
    relations = relations_for(requirement.profile, (taxonomy or load_taxonomy()).related_to)
    day = on or today(settings)
    loaded = _ms(start)
    start = time.perf_counter()
    ranking = runtime.ranker(
        requirement.profile, pool, profile, relations, day, top=size or settings.shortlist_size
    )
    metrics.observe_ranking(time.perf_counter() - start, ranking.eligible, len(pool))
    ranked = [ranked_entry(r, pool.id_of(r.external_id), EntryState.active) for r in ranking.top]
    return Computed(
        requirement=requirement,
        pool=pool,
        profile=profile,
        weight_profile_id=profile_id,
        relations=relations,
        today=day,
        ranked=ranked,
        eligible=ranking.eligible,
        timings={"load_ms": loaded, "rank_ms": _ms(start)},
    )


#: Why a listed candidate left the pool (the pool holds every passed, not erased candidate of
#: either track, so not being in it and not erased means the vetting no longer passes).
_GONE_REASONS = {"vetting": "vetting {status}, must be passed"}


def _outside(
    session: Session, computed: Computed, entries: Iterable[Existing]
) -> dict[uuid.UUID, RankedEntry]:
    """Re-decide stored candidates outside the new top N: re-scored when still in the pool
    (dropped or ineligible), else ineligible or erased with the reason, keeping the last score."""
    out: dict[uuid.UUID, RankedEntry] = {}
    gone: list[Existing] = []
    for old in entries:
        candidate = computed.pool.get(old.candidate_id)
        if candidate is None:
            gone.append(old)
            continue
        result = score_candidate(
            computed.requirement.profile, candidate, computed.profile, computed.relations, computed.today
        )
        state = EntryState.dropped if result.eligible else EntryState.ineligible
        out[old.candidate_id] = ranked_entry(result, old.candidate_id, state)
    if gone:
        rows = session.execute(
            select(CAND.c.id, CAND.c.vetting_status, CAND.c.erased_at).where(
                CAND.c.id.in_([g.candidate_id for g in gone])
            )
        )
        why = {r.id: r for r in rows}
        for old in gone:
            r = why.get(old.candidate_id)
            if r is None or r.erased_at is not None:
                state, reason = EntryState.erased, "candidate data erased"
            else:
                state = EntryState.ineligible
                reason = _GONE_REASONS["vetting"].format(status=r.vetting_status)
            reasons = [reason, *(x for x in old.reasons if x != reason)]
            out[old.candidate_id] = RankedEntry(
                old.candidate_id, state, None, old.score, old.components, reasons, old.weight_profile_id
            )
    return out


def persist_shortlist(session: Session, computed: Computed, *, run_id: uuid.UUID | None) -> ShortlistChange:
    """Write the computed top N in the caller's transaction (see ``shortlist_writer``)."""
    start = time.perf_counter()
    change = write_shortlist(
        session,
        computed.requirement.id,
        computed.ranked,
        run_id=run_id,
        weight_profile_id=computed.weight_profile_id,
        outside=lambda entries: _outside(session, computed, entries),
    )
    computed.timings["write_ms"] = _ms(start)
    return change


@dataclass(frozen=True)
class MatchOutcome:
    requirement_id: uuid.UUID
    eligible: int
    change: ShortlistChange
    timings: Mapping[str, float]


def match_requirement(
    session: Session,
    requirement_id: uuid.UUID,
    *,
    run_id: uuid.UUID | None = None,
    weight_profile_id: uuid.UUID | None = None,
) -> MatchOutcome:
    """Re-match one requirement now, in the caller's transaction (no run bookkeeping), with the
    pool cache and the ranker of the session's runtime."""
    loaded = load_requirements(session, [requirement_id]).get(requirement_id)
    if loaded is None:
        raise NotFound(f"requirement {requirement_id} not found")
    pool = runtime_of(session).pool_cache.get(session)
    computed = compute_shortlist(session, loaded, pool, weight_profile_id=weight_profile_id)
    change = persist_shortlist(session, computed, run_id=run_id)
    return MatchOutcome(requirement_id, computed.eligible, change, dict(computed.timings))
