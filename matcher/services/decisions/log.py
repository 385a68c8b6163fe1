"""The decision log: every pipeline move, with a snapshot of how the candidate scored then.

``record_move`` is called by the pipeline's one ``_move`` in the same transaction, so a move and
its decision row are written together or not at all. The snapshot is what the scorer saw: the
entry's component values (from the run that last scored it), the candidate's vetting scores, the
score, whether the candidate was vetted on the other track, and the profile version that scored
the entry (else the requirement's effective one). Nothing typed by a person (notes, comments,
names) is copied.

``forget_candidate`` is erasure's part: the rows stay, as anonymous decisions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session

from matcher.core.fit_data import Observation, observations_from_decisions
from matcher.core.pipeline import Move
from matcher.models import Decision, ShortlistEntry
from matcher.models.tables import CAND, DECISION, REQ
from matcher.schemas import Track
from matcher.services.weight_profiles import store as profiles


def component_values(components: Any) -> dict[str, float]:
    """The values of a stored breakdown ``{component: {"value", "weight", "points"}}``."""
    out: dict[str, float] = {}
    for name, part in (components or {}).items():
        if isinstance(part, dict) and isinstance(part.get("value"), int | float):
            out[str(name)] = float(part["value"])
    return out


def record_move(session: Session, entry: ShortlistEntry, actor: str, move: Move, at: dt.datetime) -> None:
    """Log one move of ``entry`` with the candidate's snapshot (same transaction)."""
    track = session.execute(select(REQ.c.track).where(REQ.c.id == entry.requirement_id)).scalar_one()
    cand = session.execute(
        select(CAND.c.track, CAND.c.vetting_scores).where(CAND.c.id == entry.candidate_id)
    ).one()
    profile_id = entry.weight_profile_id
    if profile_id is None:
        profile_id = profiles.effective_profile_ids(session, [entry.requirement_id]).get(entry.requirement_id)
    session.add(
        Decision(
            requirement_id=entry.requirement_id,
            candidate_id=entry.candidate_id,
            subject=entry.id,
            track=track,
            at=at,
            actor=actor,
            mover=move.by.value,
            from_stage=move.before.value,
            to_stage=move.after.value,
            reason=move.reason.value if move.reason else None,
            score=float(entry.score or 0.0),
            components=component_values(entry.components),
            dimensions={str(k): float(v) for k, v in (cand.vetting_scores or {}).items()},
            other_track=cand.track != track,
            weight_profile_id=profile_id,
        )
    )


def forget_candidate(session: Session, candidate_id: uuid.UUID) -> int:
    """Cut the candidate's decisions loose from them: no candidate id, and a fresh random
    subject per (requirement, candidate), so the rows still group but point at nobody. The
    number of decision rows kept (anonymous)."""
    subjects = session.execute(
        select(DECISION.c.subject).where(DECISION.c.candidate_id == candidate_id).distinct()
    ).scalars()
    kept = 0
    for subject in list(subjects):
        result = session.execute(
            update(DECISION)
            .where(DECISION.c.candidate_id == candidate_id, DECISION.c.subject == subject)
            .values(candidate_id=None, subject=uuid.uuid4())
        )
        kept += result.rowcount or 0  # type: ignore[attr-defined]
    return kept


def load_observations(session: Session, track: Track) -> list[Observation]:
    """Every decided (requirement, candidate) of ``track``, as the fit and evaluation take them
    (``matcher.core.fitting.observations_from_decisions``)."""
    rows = session.execute(
        select(
            DECISION.c.requirement_id,
            DECISION.c.subject,
            DECISION.c.at,
            DECISION.c.to_stage,
            DECISION.c.components,
            DECISION.c.dimensions,
            DECISION.c.other_track,
        )
        .where(DECISION.c.track == track.value)
        .order_by(DECISION.c.at, DECISION.c.id)
    )
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in rows:
        grouped[(str(r.requirement_id), str(r.subject))].append(r)
    return observations_from_decisions(
        [
            (
                key[0],
                [
                    (r.at, r.to_stage, dict(r.components or {}), dict(r.dimensions or {}), r.other_track)
                    for r in decided
                ],
            )
            for key, decided in grouped.items()
        ]
    )


def count_decisions(session: Session, tracks: Sequence[Track] = tuple(Track)) -> dict[str, int]:
    """Decision rows per track."""
    out = {t.value: 0 for t in tracks}
    for track, count in session.execute(
        select(DECISION.c.track, func.count())
        .where(DECISION.c.track.in_([t.value for t in tracks]))
        .group_by(DECISION.c.track)
    ):
        out[track] = count
    return out
