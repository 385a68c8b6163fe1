"""Why a shortlist is empty or thin, and what to warn about when a requirement is posted.

Counts how many candidates of the pool each hard filter excludes ("rate above budget: 812;
available too late: 130; missing must-have COBOL: 2,950"), over the same pool the matcher ranks
(vetted on either track, not erased: the other track costs points unless the requirement makes
it hard) and with the same tests as its pre-filter
(``Pool.plausible``), read from a few columns; a candidate excluded by several filters counts
under each. Only counts leave this module: nothing about any one person, so a
client may see its own requirement's diagnosis.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlmodel import Session

from matcher.candidate_rows import CAND, CSKILL
from matcher.clock import today
from matcher.core import prefilter, relations_for
from matcher.core.timezones import overlap_hours
from matcher.core.types import RequirementProfile
from matcher.models import EntryState
from matcher.models.tables import ENTRY
from matcher.runtime import runtime_of
from matcher.schemas import CURRENCY_PER_USD, VettingStatus
from matcher.services.accounts.service import Principal
from matcher.services.candidate_pool import pool_filter
from matcher.services.matching import load_requirements
from matcher.services.requirements.service import RequirementView, owned_requirement
from matcher.skills import load_taxonomy

log = logging.getLogger(__name__)
#: A shortlist with fewer entries than this is "thin" and gets its diagnosis shown.
THIN = 10
#: "Nearly all": the budget warning fires when at least this share of the otherwise suitable
#: candidates asks more than the budget.
NEARLY_ALL = 0.9


#: A filter's key, label, whom of the pool it excludes, and whether it is hard here.
Mask = tuple[str, str, npt.NDArray[np.bool_], bool]


class FilterCount(BaseModel):
    key: str = Field(description="rate, overlap, availability, hours, or must_have:<skill>.")
    label: str
    excluded: int
    hard: bool = Field(description="False for a must-have that only lowers the score (not required).")


class Diagnosis(BaseModel):
    requirement_id: uuid.UUID
    pool: int = Field(description="Vetted candidates of either track (not erased).")
    not_in_pool: int = Field(description="Candidates whose vetting has not (yet) passed.")
    eligible: int = Field(description="Candidates of the pool that pass every hard filter.")
    shortlist_size: int
    thin: bool
    filters: list[FilterCount]
    warnings: list[str]


@dataclass(frozen=True)
class PoolColumns:
    """The columns of the pool the hard filters read, as arrays (one entry a candidate): a few
    numbers each, not the profiles the matcher builds, so an API process can afford it."""

    ids: list[uuid.UUID]
    tracks: npt.NDArray[np.str_]
    rate_usd: npt.NDArray[np.float64]
    available: npt.NDArray[np.int64]
    hours: npt.NDArray[np.int64]
    zone_codes: npt.NDArray[np.int64]
    zones: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)


def load_columns(session: Session) -> PoolColumns:
    rows = session.execute(
        select(
            CAND.c.id,
            CAND.c.track,
            CAND.c.hourly_rate,
            CAND.c.currency,
            CAND.c.available_from,
            CAND.c.hours_per_week,
            CAND.c.timezone,
        ).where(pool_filter())
    ).all()
    zones: dict[str, int] = {}
    for r in rows:
        zones.setdefault(r.timezone, len(zones))
    return PoolColumns(
        ids=[r.id for r in rows],
        tracks=np.array([r.track for r in rows], dtype=np.str_),
        rate_usd=np.array([r.hourly_rate / CURRENCY_PER_USD[r.currency] for r in rows], dtype=np.float64),
        available=np.array([r.available_from.toordinal() for r in rows], dtype=np.int64),
        hours=np.array([r.hours_per_week for r in rows], dtype=np.int64),
        zone_codes=np.array([zones[r.timezone] for r in rows], dtype=np.int64),
        zones=tuple(zones),
    )


def _without_skill(session: Session, pool: PoolColumns, accepted: set[str]) -> npt.NDArray[np.bool_]:
    """Which candidates of the pool have neither the skill nor a related one."""
    having = set(
        session.scalars(
            select(CSKILL.c.candidate_id)
            .join(CAND, CAND.c.id == CSKILL.c.candidate_id)
            .where(pool_filter(), CSKILL.c.skill_key.in_(sorted(accepted)))
            .distinct()
        )
    )
    return np.array([cid not in having for cid in pool.ids], dtype=bool)


def _filter_masks(
    session: Session, pool: PoolColumns, req: RequirementProfile, budget_usd: float
) -> list[Mask]:
    """Per hard filter: its key, its label, whom of the pool it excludes, whether it is hard."""
    masks: list[Mask] = []
    other = pool.tracks != req.track.value
    masks.append(("track", "vetted for the other track", other, req.track_is_hard))
    budget = f"{req.max_hourly_rate:g} {req.currency}/h"
    too_dear = ~prefilter.within_budget(pool.rate_usd, budget_usd)
    masks.append(("rate", f"rate above budget {budget}", too_dear, True))
    late = ~prefilter.available_in_time(pool.available, req.start_by.toordinal())
    masks.append(("availability", f"available after {req.start_by.isoformat()}", late, True))
    few = ~prefilter.enough_hours(pool.hours, req.hours_per_week)
    masks.append(("hours", f"fewer than {req.hours_per_week} h/week", few, True))
    if req.min_overlap_hours > 0:
        overlaps = np.array([overlap_hours(req.timezone, z, req.start_by) for z in pool.zones])
        short = (~prefilter.enough_overlap(overlaps, req.min_overlap_hours))[pool.zone_codes]
        label = f"under {req.min_overlap_hours:g} h overlap with {req.timezone}"
        masks.append(("overlap", label, short, True))
    relations = relations_for(req, load_taxonomy().related_to)
    for skill in req.must_have:
        accepted = {skill.key} | {k for k, credit in relations.get(skill.key, {}).items() if credit > 0}
        missing = _without_skill(session, pool, accepted)
        name = skill.skill.name or skill.skill.raw or skill.key
        masks.append((f"must_have:{skill.key}", f"missing must-have {name}", missing, req.must_have_is_hard))
    return masks


def diagnose(session: Session, principal: Principal, requirement_id: uuid.UUID) -> Diagnosis:
    """How many candidates each hard filter excludes from this requirement, and its warnings."""
    owned_requirement(session, principal, requirement_id)
    loaded = load_requirements(session, [requirement_id])[requirement_id]
    req = loaded.profile
    pool = load_columns(session)
    day = today(runtime_of(session).settings)
    n = len(pool)
    budget_usd = req.max_hourly_rate / CURRENCY_PER_USD[req.currency]
    masks = _filter_masks(session, pool, req, budget_usd) if n else []
    excluded = np.zeros(n, dtype=bool)
    for _, _, mask, hard in masks:
        if hard:
            excluded |= mask
    not_in_pool = (
        session.scalar(
            select(func.count())
            .select_from(CAND)
            .where(
                CAND.c.erased_at.is_(None),
                CAND.c.vetting_status != VettingStatus.passed.value,
            )
        )
        or 0
    )
    size = (
        session.scalar(
            select(func.count())
            .select_from(ENTRY)
            .where(ENTRY.c.requirement_id == requirement_id, ENTRY.c.state == EntryState.active.value)
        )
        or 0
    )
    filters = [
        FilterCount(key=k, label=label, excluded=int(m.sum()), hard=hard) for k, label, m, hard in masks
    ]
    return Diagnosis(
        requirement_id=requirement_id,
        pool=n,
        not_in_pool=not_in_pool,
        eligible=int(n - excluded.sum()),
        shortlist_size=size,
        thin=size < THIN,
        filters=sorted(filters, key=lambda f: -f.excluded),
        warnings=_warnings(
            pool, masks, budget_usd, req.start_by, day, req.max_hourly_rate, req.currency, req.track.value
        ),
    )


def _warnings(
    pool: PoolColumns,
    masks: list[Mask],
    budget_usd: float,
    start_by: dt.date,
    day: dt.date,
    budget: float,
    currency: str,
    track: str,
) -> list[str]:
    """What a poster should hear (warnings, not errors): a start date in the past, a budget
    below the rates of nearly all otherwise suitable candidates, a must-have nobody has."""
    out = []
    if start_by < day:
        out.append(f"the start date {start_by.isoformat()} is in the past (today is {day.isoformat()})")
    if len(pool):
        others = np.ones(len(pool), dtype=bool)
        for key, _, mask, hard in masks:
            if hard and key != "rate":
                others &= ~mask
        if not others.any():  # the other filters leave nobody: judge the budget on the pool
            others = np.ones(len(pool), dtype=bool)
        suitable = int(others.sum())
        if suitable:
            above = int((~prefilter.within_budget(pool.rate_usd[others], budget_usd)).sum())
            if above >= NEARLY_ALL * suitable:
                median = float(np.median(pool.rate_usd[others])) * CURRENCY_PER_USD[currency]
                out.append(
                    f"the budget {budget:g} {currency}/h is below the rate of {above} of the {suitable} "
                    f"otherwise suitable candidates (their median is {median:.0f} {currency}/h)"
                )
    for key, label, mask, _ in masks:
        if key.startswith("must_have:") and len(mask) and bool(mask.all()):
            out.append(
                f"nobody in the pool has {label.removeprefix('missing must-have ')} or a related skill"
            )
    if not (pool.tracks == track).any():
        out.append(f"there is nobody vetted for the {track} track yet")
    return out


class PostedRequirement(RequirementView):
    """A requirement as posted, with what the poster should know about the pool (warnings,
    never errors: the requirement is saved either way)."""

    warnings: list[str] = Field(default_factory=list)


def with_warnings(session: Session, principal: Principal, view: RequirementView) -> PostedRequirement:
    """``view`` and its posting-time warnings. A failure to work them out is logged and leaves
    the list empty: it never fails the write that posted the requirement."""
    try:
        warnings = diagnose(session, principal, view.id).warnings
    except Exception:  # the posting must stand whatever goes wrong here
        log.exception("posting-time warnings failed for requirement %s", view.id)
        warnings = []
    return PostedRequirement.model_validate({**view.model_dump(), "warnings": warnings})
