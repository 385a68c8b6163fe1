"""Voluntary self-identification (sex; EEO-1 race/ethnicity; "not disclosed"), admin only.

Stored apart from the candidate profile (``self_identification``), read and written only here,
by admins, and by the impact-ratio audit, which reports aggregates. No scoring, ranking, listing
or export module imports it (a test checks the import graph), so it cannot reach a recruiter, a
client, a shortlist, a CSV export or the scorer. Erasure deletes the row with the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlmodel import Session

from matcher.errors import NotFound
from matcher.json_types import NoNul
from matcher.models import Candidate, RaceEthnicity, Role, SelfIdentification, Sex, utcnow
from matcher.models.tables import SELF_ID
from matcher.services.accounts.service import Principal
from matcher.services.audit import record


class SelfIdentificationIn(NoNul):
    """What the candidate chose to disclose; anything left out is "not disclosed"."""

    model_config = {"extra": "forbid"}

    sex: Sex = Sex.not_disclosed
    race_ethnicity: RaceEthnicity = RaceEthnicity.not_disclosed


class SelfIdentificationView(BaseModel):
    candidate_id: uuid.UUID
    sex: Sex
    race_ethnicity: RaceEthnicity


def _live_candidate(session: Session, candidate_id: uuid.UUID) -> None:
    cand = session.get(Candidate, candidate_id)
    if cand is None or cand.erased_at is not None:
        raise NotFound(f"candidate {candidate_id} not found")


def put(
    session: Session, principal: Principal, candidate_id: uuid.UUID, body: SelfIdentificationIn
) -> SelfIdentificationView:
    """Record (or replace) a candidate's self-identification (admins)."""
    principal.require(Role.admin)
    _live_candidate(session, candidate_id)
    store(session, {candidate_id: (body.sex, body.race_ethnicity)}, actor=principal.actor)
    record(session, principal.actor, "self_identification.put", "candidate", str(candidate_id), {})
    return get(session, principal, candidate_id)


def get(session: Session, principal: Principal, candidate_id: uuid.UUID) -> SelfIdentificationView:
    """A candidate's self-identification (admins); "not disclosed" when none was recorded."""
    principal.require(Role.admin)
    _live_candidate(session, candidate_id)
    row = session.get(SelfIdentification, candidate_id)
    if row is None:
        return SelfIdentificationView(
            candidate_id=candidate_id, sex=Sex.not_disclosed, race_ethnicity=RaceEthnicity.not_disclosed
        )
    return SelfIdentificationView(
        candidate_id=candidate_id, sex=Sex(row.sex), race_ethnicity=RaceEthnicity(row.race_ethnicity)
    )


def store(
    session: Session, answers: Mapping[uuid.UUID, tuple[Sex, RaceEthnicity]], *, actor: str = "system"
) -> None:
    """Write many candidates' answers at once (replacing earlier ones): the seeding's path."""
    if not answers:
        return
    ids = list(answers)
    for i in range(0, len(ids), 1000):
        session.execute(delete(SELF_ID).where(SELF_ID.c.candidate_id.in_(ids[i : i + 1000])))
    now = utcnow()
    rows = [
        {
            "candidate_id": cid,
            "sex": sex.value,
            "race_ethnicity": race.value,
            "recorded_at": now,
            "recorded_by": actor,
        }
        for cid, (sex, race) in answers.items()
    ]
    for i in range(0, len(rows), 1000):
        session.execute(SELF_ID.insert().values(rows[i : i + 1000]))


def categories(
    session: Session, candidate_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, tuple[Sex, RaceEthnicity]]:
    """Candidate id -> (sex, race/ethnicity) of those who answered: for the aggregate audit only."""
    query = select(SELF_ID.c.candidate_id, SELF_ID.c.sex, SELF_ID.c.race_ethnicity)
    out = {}
    wanted = None if candidate_ids is None else set(candidate_ids)
    for cid, sex, race in session.execute(query):
        if wanted is None or cid in wanted:
            out[cid] = (Sex(sex), RaceEthnicity(race))
    return out


def forget(session: Session, candidate_id: uuid.UUID) -> None:
    """Erasure's part: the answers go with the person."""
    session.execute(delete(SELF_ID).where(SELF_ID.c.candidate_id == candidate_id))
