"""Demo decisions and self-identification, so that the fit and the audit have something real.

``simulate_decisions`` plays recruiters and clients on every open requirement's shortlist: the
decided candidates are ordered by a hidden preference (``fixtures.decisions.hidden_profile`` of the
track's default, plus noise) and moved through the real pipeline service, so each move is logged
exactly as a person's would be. ``simulate_self_identification`` gives every pooled candidate a
seeded answer (a share of them "not disclosed"). Both are deterministic for a seed.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from fixtures.decisions import PATHS, hidden_profile, hidden_utility, outcome_stages
from matcher.core.audit import RaceEthnicity, Sex
from matcher.core.fit_data import snapshot_features, theta_of
from matcher.core.pipeline import Stage
from matcher.models import EntryState, Role
from matcher.models.tables import CAND, ENTRY, REQ
from matcher.schemas import RequirementStatus, Track
from matcher.services.accounts.service import Principal
from matcher.services.decisions import audit, self_identification
from matcher.services.decisions.log import component_values
from matcher.services.shortlists import pipeline

#: Candidates decided per requirement (the best of its shortlist by rank).
DECIDED = 25
#: Noise on the hidden preference, in score points.
NOISE = 4.0
_DEMO_KEY = uuid.UUID(int=0)

SEXES: Sequence[tuple[Sex, float]] = ((Sex.female, 0.38), (Sex.male, 0.52), (Sex.not_disclosed, 0.10))
RACES: Sequence[tuple[RaceEthnicity, float]] = (
    (RaceEthnicity.white, 0.34),
    (RaceEthnicity.asian, 0.24),
    (RaceEthnicity.hispanic_or_latino, 0.16),
    (RaceEthnicity.black_or_african_american, 0.1),
    (RaceEthnicity.two_or_more_races, 0.04),
    (RaceEthnicity.native_hawaiian_or_pacific_islander, 0.01),
    (RaceEthnicity.american_indian_or_alaska_native, 0.01),
    (RaceEthnicity.not_disclosed, 0.1),
)


def _principal(role: Role, client_id: uuid.UUID | None = None) -> Principal:
    return Principal(key_id=_DEMO_KEY, prefix="demo", role=role, client_id=client_id)


def _move(session: Session, req: uuid.UUID, client: uuid.UUID, cid: uuid.UUID, target: Stage) -> None:
    recruiter = _principal(Role.recruiter)
    if target is Stage.presented:
        pipeline.present(session, recruiter, req, cid, pipeline.Presentation())
        return
    if target in (Stage.client_interested, Stage.interview_requested, Stage.declined_by_client):
        handle = session.execute(
            select(ENTRY.c.handle).where(ENTRY.c.requirement_id == req, ENTRY.c.candidate_id == cid)
        ).scalar_one()
        answer: pipeline.PositiveAnswer | pipeline.Decline
        if target is Stage.declined_by_client:
            answer = pipeline.Decline(
                action=pipeline.ClientAction.decline, reason=pipeline.DeclineReason.skills
            )
        elif target is Stage.client_interested:
            answer = pipeline.PositiveAnswer(action=pipeline.ClientAction.interested)
        else:
            answer = pipeline.PositiveAnswer(action=pipeline.ClientAction.interview)
        pipeline.answer(session, _principal(Role.client, client), req, handle, answer)
        return
    pipeline.change_entry(session, recruiter, req, cid, pipeline.StageChange(stage=target))


def simulate_decisions(session: Session, *, seed: int, decided: int = DECIDED, noise: float = NOISE) -> int:
    """Decide the top ``decided`` new entries of every open requirement from a hidden preference;
    the number of moves made."""
    rng = np.random.default_rng(seed)
    moves = 0
    reqs = session.execute(
        select(REQ.c.id, REQ.c.client_id, REQ.c.track)
        .where(REQ.c.status == RequirementStatus.open.value)
        .order_by(REQ.c.created_at, REQ.c.id)
    ).all()
    hidden = {t: theta_of(hidden_profile(audit.profile_for(session, t, None))) for t in Track}
    for rid, client_id, track in reqs:
        rows = session.execute(
            select(ENTRY.c.candidate_id, ENTRY.c.components, CAND.c.vetting_scores, CAND.c.track)
            .join(CAND, CAND.c.id == ENTRY.c.candidate_id)
            .where(
                ENTRY.c.requirement_id == rid,
                ENTRY.c.state == EntryState.active.value,
                ENTRY.c.stage == Stage.new.value,
            )
            .order_by(ENTRY.c.rank)
            .limit(decided)
        ).all()
        feats, ids = [], []
        for cid, comps, scores, cand_track in rows:
            snap = snapshot_features(component_values(comps), dict(scores or {}))
            if snap is not None:
                penalty = 0.15 if cand_track != track else 0.0
                feats.append(tuple(v - penalty for v in snap))  # theta sums to 1: minus 15 points
                ids.append(cid)
        if not ids:
            continue
        utility = hidden_utility(feats, hidden[Track(track)], noise, rng)
        order = np.argsort(-utility, kind="stable")
        for outcome, i in zip(outcome_stages(len(ids)), order, strict=True):
            for stage in PATHS[outcome]:
                _move(session, rid, client_id, ids[int(i)], stage)
                moves += 1
    return moves


def _draw(key: str, seed: int, choices: Sequence[tuple[object, float]]) -> object:
    rng = np.random.default_rng([seed, zlib.crc32(key.encode())])
    weights = np.array([w for _, w in choices])
    return choices[int(rng.choice(len(choices), p=weights / weights.sum()))][0]


def simulate_self_identification(session: Session, *, seed: int) -> int:
    """A seeded self-identification for every candidate not erased; how many."""
    answers = {}
    for cid, external_id in session.execute(
        select(CAND.c.id, CAND.c.external_id).where(CAND.c.erased_at.is_(None))
    ):
        sex = _draw(f"sex:{external_id}", seed, SEXES)
        race = _draw(f"race:{external_id}", seed, RACES)
        answers[cid] = (Sex(str(sex)), RaceEthnicity(str(race)))
    self_identification.store(session, answers, actor="seed")
    return len(answers)
