"""What needs a recruiter's attention: client answers to act on, strong new entrants, stale
presentations. Reads only (the caller's session)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, or_, select
from sqlmodel import Session

from matcher.core.pipeline import (
    PIPELINE_STAGES,
    Stage,
)
from matcher.models import (
    EntryState,
    Role,
)
from matcher.models.tables import ENTRY, MRR, PERSONAL, REQ
from matcher.schemas import RequirementStatus
from matcher.services.accounts.service import Principal
from matcher.services.cursors import UtcDateTime
from matcher.services.requirements.service import owned_requirement
from matcher.services.shortlists.timeline import STATUS_COLUMNS, current_reason

#: A newcomer at this rank or better, in a requirement's latest run, is worth a recruiter's look.
STRONG_RANK = 5


class AttentionKind(StrEnum):
    became_ineligible = "became_ineligible"
    left_top = "left_top"
    strong_entrant = "strong_entrant"
    client_answer = "client_answer"


class AttentionItem(BaseModel):
    kind: AttentionKind
    requirement_id: uuid.UUID
    requirement_title: str
    candidate_id: uuid.UUID
    name: str | None
    stage: Stage
    score: float
    rank: int | None
    detail: str
    since: UtcDateTime | None


def attention(
    session: Session, principal: Principal, requirement_id: uuid.UUID | None = None
) -> list[AttentionItem]:
    """What a recruiter should look at (staff), newest first: people in the pipeline who became
    ineligible or fell out of the top N, client answers not acted on since, and strong newcomers
    of each requirement's latest run (not its first)."""
    principal.require(Role.recruiter)
    if requirement_id is not None:
        owned_requirement(session, principal, requirement_id)
    base = (
        select(*STATUS_COLUMNS, REQ.c.title, PERSONAL.c.name, ENTRY.c.updated_at)
        .join(REQ, REQ.c.id == ENTRY.c.requirement_id)
        .outerjoin(PERSONAL, PERSONAL.c.candidate_id == ENTRY.c.candidate_id)
        .where(REQ.c.status == RequirementStatus.open.value)
    )
    if requirement_id is not None:
        base = base.where(ENTRY.c.requirement_id == requirement_id)
    items: list[AttentionItem] = []
    live = [s.value for s in PIPELINE_STAGES - {Stage.declined_by_client, Stage.hired, Stage.withdrawn}]
    outside = session.execute(
        base.where(ENTRY.c.stage.in_(live), ENTRY.c.state != EntryState.active.value)
    ).all()
    for r in outside:
        kind = (
            AttentionKind.left_top if r.state == EntryState.dropped.value else AttentionKind.became_ineligible
        )
        items.append(_item(kind, r, current_reason(r.state, list(r.reasons or [])) or "", r.updated_at))
    answered = session.execute(
        base.where(
            ENTRY.c.client_answered_at.is_not(None),
            or_(ENTRY.c.staff_seen_at.is_(None), ENTRY.c.staff_seen_at < ENTRY.c.client_answered_at),
        )
    ).all()
    for r in answered:
        items.append(_item(AttentionKind.client_answer, r, _answer_text(r), r.client_answered_at))
    items += _strong_entrants(session, base, requirement_id)
    return sorted(items, key=lambda i: (i.since is None, -(i.since.timestamp() if i.since else 0)))


def _answer_text(r: Any) -> str:
    text = f"client answered: {Stage(r.stage).value.replace('_', ' ')}"
    if r.decline_reason:
        text += f" ({r.decline_reason})"
    return text


def _item(kind: AttentionKind, r: Any, detail: str, since: dt.datetime | None) -> AttentionItem:
    return AttentionItem(
        kind=kind,
        requirement_id=r.requirement_id,
        requirement_title=r.title,
        candidate_id=r.candidate_id,
        name=r.name,
        stage=Stage(r.stage),
        score=r.score,
        rank=r.rank,
        detail=detail,
        since=since,
    )


def _strong_entrants(session: Session, base: Any, requirement_id: uuid.UUID | None) -> list[AttentionItem]:
    """Candidates a requirement's latest finished run brought into its top ``STRONG_RANK`` who
    are still new there (a requirement's first run brings everyone in: not news)."""
    runs = select(MRR.c.requirement_id, MRR.c.changes, MRR.c.finished_at).where(MRR.c.status == "succeeded")
    if requirement_id is not None:
        runs = runs.where(MRR.c.requirement_id == requirement_id)
    latest: dict[uuid.UUID, tuple[dt.datetime, list[dict[str, Any]]]] = {}
    seen_runs: dict[uuid.UUID, int] = defaultdict(int)
    for rid, changes, finished in session.execute(runs.order_by(MRR.c.finished_at)):
        seen_runs[rid] += 1
        latest[rid] = (finished, changes or [])
    wanted: dict[tuple[uuid.UUID, uuid.UUID], dt.datetime] = {}
    for rid, (finished, changes) in latest.items():
        if seen_runs[rid] < 2:
            continue
        for c in changes:
            if c.get("before") is None and c.get("after") is not None and c["after"] <= STRONG_RANK:
                wanted[(rid, uuid.UUID(c["candidate_id"]))] = finished
    if not wanted:
        return []
    pairs = [and_(ENTRY.c.requirement_id == rid, ENTRY.c.candidate_id == cid) for rid, cid in wanted]
    rows = session.execute(
        base.where(or_(*pairs), ENTRY.c.stage == Stage.new.value, ENTRY.c.state == EntryState.active.value)
    ).all()
    return [
        _item(
            AttentionKind.strong_entrant,
            r,
            f"new at rank {r.rank}",
            wanted[(r.requirement_id, r.candidate_id)],
        )
        for r in rows
    ]
