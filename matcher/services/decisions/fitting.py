"""Fitting a track's weights to its decisions, and publishing the result as a new version.

``fit`` loads the track's decided candidates from the log and hands them to the core
(``matcher.core.fitting``); the report adds how each open requirement's top 10 would move, and the
impact-ratio audit under the current and the proposed profile. ``publish`` is the admin action: it
fits again (the same seed gives the same weights), refuses a proposal that does not beat the current
profile unless forced, writes the next version of the track's default profile, attaches the fit,
the evaluation and both audits to it (``weight_profile_evaluation``) and re-matches.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from matcher.core.fitting import BOOTSTRAP, Fit, fit_profile
from matcher.errors import Conflict, NotFound
from matcher.models import ProfileEvaluation, Role
from matcher.models.tables import REQ
from matcher.schemas import RequirementStatus, Track
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.decisions import audit, log
from matcher.services.runs.triggers import on_profile_changed
from matcher.services.weight_profiles import store as profiles


class TopMove(BaseModel):
    requirement_id: uuid.UUID
    title: str
    entered: int
    left: int


class FitReport(BaseModel):
    """A proposed profile: its weights and intervals, the evaluation, the moves and the audits."""

    fit: dict[str, Any]
    moves: list[TopMove]
    audit_current: audit.AuditReport
    audit_proposed: audit.AuditReport


def fit_track(session: Session, track: Track, *, seed: int = 0, bootstrap: int = BOOTSTRAP) -> Fit:
    """The core's fit of the track's decisions against its default profile now."""
    current = audit.profile_for(session, track, None)
    return fit_profile(log.load_observations(session, track), current, seed=seed, bootstrap=bootstrap)


def _moves(session: Session, track: Track, fit: Fit) -> list[TopMove]:
    """How the top 10 of each open requirement of the track would move (as the preview does)."""
    ids = [
        rid
        for rid, status in session.execute(
            REQ.select().with_only_columns(REQ.c.id, REQ.c.status).where(REQ.c.track == track.value)
        )
        if status == RequirementStatus.open.value
    ]
    before = audit.tops(session, ids, fit.current)
    after = audit.tops(session, ids, fit.proposed)
    titles = dict(
        session.execute(REQ.select().with_only_columns(REQ.c.id, REQ.c.title).where(REQ.c.id.in_(ids))).all()
    )
    return [
        TopMove(
            requirement_id=rid,
            title=titles[rid],
            entered=len(set(after[rid]) - set(before[rid])),
            left=len(set(before[rid]) - set(after[rid])),
        )
        for rid in before
    ]


def report(session: Session, track: Track, *, seed: int = 0, bootstrap: int = BOOTSTRAP) -> FitReport:
    fit = fit_track(session, track, seed=seed, bootstrap=bootstrap)
    return FitReport(
        fit=fit.to_json(),
        moves=_moves(session, track, fit),
        audit_current=audit.report(session, track, fit.current),
        audit_proposed=audit.report(session, track, fit.proposed),
    )


def fit_for(session: Session, principal: Principal, track: Track, seed: int = 0) -> FitReport:
    """The fit report (admins); nothing is saved."""
    principal.require(Role.admin)
    return report(session, track, seed=seed)


class Published(BaseModel):
    weight_profile_id: uuid.UUID
    name: str
    version: int
    report: FitReport


def publish(
    session: Session,
    track: Track,
    *,
    actor: str,
    seed: int = 0,
    force: bool = False,
    bootstrap: int = BOOTSTRAP,
) -> Published:
    """Write the fitted weights as the next version of the track's default profile, with the
    fit, evaluation and audits attached, and re-match the requirements using it."""
    rep = report(session, track, seed=seed, bootstrap=bootstrap)
    evaluation = rep.fit["evaluation"]
    if not evaluation["beats_current"] and not force:
        raise Conflict(f"not published: {evaluation['verdict']}")
    current_id = audit.default_record_id(session, track)
    current = profiles.get_record(session, current_id)
    saved = profiles.write_version(
        session,
        current.name,
        components=rep.fit["proposed"]["components"],
        dimensions=rep.fit["proposed"]["dimensions"],
        track=track,
        created_by=actor,
    )
    session.add(
        ProfileEvaluation(
            weight_profile_id=saved.id,
            fit=rep.fit,
            evaluation={**evaluation, "moves": [m.model_dump(mode="json") for m in rep.moves]},
            audit={
                "current": rep.audit_current.model_dump(mode="json"),
                "proposed": rep.audit_proposed.model_dump(mode="json"),
            },
            created_by=actor,
        )
    )
    session.flush()
    record(
        session,
        actor,
        "weight_profile.publish_fit",
        "weight_profile",
        str(saved.id),
        {"name": saved.name, "version": saved.version, "forced": force},
    )
    on_profile_changed(session, saved.id, actor=actor)
    return Published(weight_profile_id=saved.id, name=saved.name, version=saved.version, report=rep)


def publish_for(
    session: Session, principal: Principal, track: Track, *, seed: int = 0, force: bool = False
) -> Published:
    principal.require(Role.admin)
    return publish(session, track, actor=principal.actor, seed=seed, force=force)


def evaluation_of(session: Session, principal: Principal, profile_id: uuid.UUID) -> dict[str, Any]:
    """What a published fitted version came with (admins)."""
    principal.require(Role.admin)
    row = session.exec(
        select(ProfileEvaluation).where(ProfileEvaluation.weight_profile_id == profile_id)
    ).first()
    if row is None:
        raise NotFound(f"weight profile {profile_id} was not published from a fit")
    return {"fit": row.fit, "evaluation": row.evaluation, "audit": row.audit}
