"""Placing a person: the open requirements that fit one candidate best, and putting the
candidate on one of their shortlists.

The open requirements are held in a ``RequirementBook`` (each with its effective weight profile
and the taxonomy's relation credits), built once per process and rebuilt when a requirement or
a weight profile changes (``BookCache``). The candidate is loaded as the re-matcher loads its
pool (``ProfileBuilder``), and ``rank_requirements`` answers with the core's own results, so a
requirement's shortlist and this list give the candidate the same score and reasons.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session

from matcher.candidate_rows import CAND, CSKILL, PROFILE_COLUMNS, SKILL_COLUMNS, SKILL_ORDER, ProfileBuilder
from matcher.clock import today
from matcher.core import Scorer, relations_for
from matcher.core.pipeline import Stage
from matcher.core.results import ComponentScore, SkillMatch
from matcher.core.types import CandidateProfile, CandidateSkill
from matcher.errors import Conflict, NotFound
from matcher.models import EntryState, Role, ShortlistEntry, utcnow
from matcher.models.tables import CLIENT, ENTRY, PROFILE
from matcher.reverse import BookEntry, RequirementBook, rank_requirements
from matcher.runtime import runtime_of
from matcher.schemas import RequirementStatus
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.matching import REQ, load_requirements, load_weight_profile, ranked_entry
from matcher.services.shortlists import pipeline
from matcher.services.shortlists.writer import apply_plan, lock_requirement
from matcher.services.weight_profiles import store as profile_store
from matcher.skills import load_taxonomy

OPEN = RequirementStatus.open.value
#: Requirements listed when the caller does not say how many.
DEFAULT_TOP = 20
MAX_TOP = 200


@dataclass(frozen=True)
class RequirementInfo:
    id: uuid.UUID
    external_id: str
    title: str
    client: str
    weight_profile_id: uuid.UUID


@dataclass(frozen=True)
class OpenBook:
    """The open requirements in a book, with what the list shows of each (by book key)."""

    fingerprint: tuple[Any, ...]
    book: RequirementBook
    info: dict[str, RequirementInfo]


def book_fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever a requirement is created, updated (writers bump ``updated_at``),
    closed or reopened, whenever a weight profile version is added, and with the database."""
    reqs = session.execute(select(func.count(), func.max(REQ.c.updated_at))).one()
    opened = session.execute(select(func.count()).where(REQ.c.status == OPEN)).scalar_one()
    profiles = session.execute(select(func.count(), func.max(PROFILE.c.created_at))).one()
    return (str(session.get_bind().engine.url), *reqs, opened, *profiles)


def load_open_book(session: Session) -> OpenBook:
    """Every open requirement with its effective weight profile, in one book."""
    fingerprint = book_fingerprint(session)
    rows = session.execute(
        select(REQ.c.id, REQ.c.external_id, REQ.c.title, CLIENT.c.slug)
        .join(CLIENT, CLIENT.c.id == REQ.c.client_id)
        .where(REQ.c.status == OPEN)
        .order_by(REQ.c.id)
    ).all()
    ids = [r.id for r in rows]
    taxonomy = load_taxonomy()
    loaded = load_requirements(session, ids, taxonomy)
    profile_ids = profile_store.effective_profile_ids(session, ids)
    entries = []
    info = {}
    for r in rows:
        key = str(r.id)
        req = loaded[r.id].profile
        profile = load_weight_profile(session, profile_ids[r.id])
        entries.append(BookEntry(key, req, profile, relations_for(req, taxonomy.related_to)))
        info[key] = RequirementInfo(r.id, r.external_id, r.title, r.slug, profile_ids[r.id])
    return OpenBook(fingerprint, RequirementBook(entries), info)


class BookCache:
    """The open book of this process, rebuilt when its fingerprint changes."""

    def __init__(self) -> None:
        self._book: OpenBook | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> OpenBook:
        with self._lock:
            book = self._book
            if book is None or book.fingerprint != book_fingerprint(session):
                book = self._book = load_open_book(session)
            return book

    def clear(self) -> None:
        with self._lock:
            self._book = None


@lru_cache(maxsize=1)
def process_book_cache() -> BookCache:
    return BookCache()


def load_candidate_profile(session: Session, candidate_id: uuid.UUID) -> CandidateProfile:
    """One live candidate as a core profile (as the re-matcher's pool holds it)."""
    build = ProfileBuilder(load_taxonomy())
    row = session.execute(
        select(*PROFILE_COLUMNS).where(CAND.c.id == candidate_id, CAND.c.erased_at.is_(None))
    ).first()
    if row is None:
        raise NotFound(f"candidate {candidate_id} not found")
    skills: list[CandidateSkill] = [
        build.skill(s)
        for s in session.execute(
            select(*SKILL_COLUMNS).where(CSKILL.c.candidate_id == candidate_id).order_by(*SKILL_ORDER)
        )
    ]
    return build.profile(row, tuple(skills))


# --- the list ---------------------------------------------------------------------------------


class ShortlistPlace(BaseModel):
    """Where the candidate already stands on the requirement's shortlist: the entry's state in
    the latest ranking and its pipeline stage."""

    state: EntryState
    rank: int | None
    stage: Stage


class RequirementMatchView(BaseModel):
    requirement_id: uuid.UUID
    external_id: str
    title: str
    client: str
    rank: int | None
    """1-based among the open requirements the candidate is eligible for; None when not."""
    score: float
    eligible: bool
    profile: str
    components: dict[str, ComponentScore]
    must_have_penalty: float
    track_penalty: float
    """Points off for being vetted on the requirement's other track (0 on the same track)."""
    reasons: list[str]
    exclusions: list[str]
    skill_matches: list[SkillMatch]
    shortlist: ShortlistPlace | None
    """The candidate's entry on this requirement's shortlist, if there is one."""


class CandidateMatches(BaseModel):
    candidate_id: uuid.UUID
    external_id: str
    today: dt.date
    open_requirements: int
    eligible: int
    method: str
    """``vectorised`` or ``reference`` (see ``matcher.reverse.ReverseRanking.method``)."""
    items: list[RequirementMatchView]


def candidate_matches(
    session: Session,
    candidate_id: uuid.UUID,
    *,
    top: int = DEFAULT_TOP,
    include_ineligible: bool = False,
    on: dt.date | None = None,
    cache: BookCache | None = None,
) -> CandidateMatches:
    """The open requirements that fit the candidate best, each scored as its shortlist would."""
    candidate = load_candidate_profile(session, candidate_id)
    opened = (cache or process_book_cache()).get(session)
    day = on or today(runtime_of(session).settings)
    ranking = rank_requirements(candidate, opened.book, day, top=top, include_ineligible=include_ineligible)
    ids = [opened.info[m.requirement].id for m in ranking.matches]
    places: dict[uuid.UUID, ShortlistPlace] = {}
    if ids:
        for rid, state, rank, stage in session.execute(
            select(ENTRY.c.requirement_id, ENTRY.c.state, ENTRY.c.rank, ENTRY.c.stage).where(
                ENTRY.c.candidate_id == candidate_id, ENTRY.c.requirement_id.in_(ids)
            )
        ):
            places[rid] = ShortlistPlace(state=state, rank=rank, stage=stage)
    items = []
    for m in ranking.matches:
        info = opened.info[m.requirement]
        items.append(
            RequirementMatchView(
                requirement_id=info.id,
                external_id=info.external_id,
                title=info.title,
                client=info.client,
                rank=m.rank,
                score=m.score,
                eligible=m.eligible,
                profile=m.profile,
                components=m.components,
                must_have_penalty=m.must_have_penalty,
                track_penalty=m.track_penalty,
                reasons=m.reasons,
                exclusions=m.exclusions,
                skill_matches=m.skill_matches,
                shortlist=places.get(info.id),
            )
        )
    external = session.execute(select(CAND.c.external_id).where(CAND.c.id == candidate_id)).scalar_one()
    return CandidateMatches(
        candidate_id=candidate_id,
        external_id=external,
        today=day,
        open_requirements=ranking.requirements,
        eligible=ranking.eligible,
        method=ranking.method,
        items=items,
    )


# --- onto a shortlist -------------------------------------------------------------------------


class ShortlistAddition(BaseModel):
    requirement_id: uuid.UUID
    candidate_id: uuid.UUID
    created: bool
    """False when the candidate already had an entry (moved to shortlisted if it was new;
    any other stage is left as it is)."""
    state: EntryState
    rank: int | None
    score: float
    stage: Stage


def add_to_shortlist(
    session: Session,
    principal: Principal,
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    *,
    on: dt.date | None = None,
) -> ShortlistAddition:
    """Put the candidate on an open requirement's shortlist at stage shortlisted (recruiters and
    admins).

    A candidate outside the top N gets an entry scored by the core with the requirement's
    effective profile, in state ``dropped`` (eligible, not in the current top N; the next run
    re-scores it like any other); an ineligible candidate is refused with the reasons. An entry
    at stage ``new`` (just created, or there already) moves to ``shortlisted`` through the
    pipeline (``pipeline.change_entry``), so the move is a recorded event; an entry a recruiter
    has already moved on keeps its stage.
    """
    principal.require(Role.recruiter)
    status = session.execute(select(REQ.c.status).where(REQ.c.id == requirement_id)).scalar_one_or_none()
    if status is None:
        raise NotFound(f"requirement {requirement_id} not found")
    if status != OPEN:
        raise Conflict(f"requirement {requirement_id} is {status}, not open")
    candidate = load_candidate_profile(session, candidate_id)
    lock_requirement(session, requirement_id)
    entry = _entry(session, requirement_id, candidate_id)
    created = entry is None
    if entry is None:
        _write_scored_entry(session, requirement_id, candidate_id, candidate, on)
        entry = _entry(session, requirement_id, candidate_id)
        assert entry is not None, "the entry was just written"
    if entry.stage == Stage.new:
        pipeline.change_entry(
            session, principal, requirement_id, candidate_id, pipeline.StageChange(stage=Stage.shortlisted)
        )
    record(
        session,
        principal.actor,
        "shortlist.add",
        "requirement",
        str(requirement_id),
        {"candidate_id": str(candidate_id), "created": created},
    )
    return ShortlistAddition(
        requirement_id=requirement_id,
        candidate_id=candidate_id,
        created=created,
        state=EntryState(entry.state),
        rank=entry.rank,
        score=entry.score,
        stage=Stage(entry.stage),
    )


def _entry(session: Session, requirement_id: uuid.UUID, candidate_id: uuid.UUID) -> ShortlistEntry | None:
    return session.execute(
        select(ShortlistEntry).where(
            ShortlistEntry.requirement_id == requirement_id,  # type: ignore[arg-type]
            ShortlistEntry.candidate_id == candidate_id,  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()


def _write_scored_entry(
    session: Session,
    requirement_id: uuid.UUID,
    candidate_id: uuid.UUID,
    candidate: CandidateProfile,
    on: dt.date | None,
) -> None:
    """Score the candidate with the requirement's effective profile and write it as ``dropped``;
    an ineligible candidate is refused with the reasons."""
    loaded = load_requirements(session, [requirement_id])[requirement_id]
    profile_id = profile_store.effective_profile_ids(session, [requirement_id])[requirement_id]
    profile = load_weight_profile(session, profile_id)
    relations = relations_for(loaded.profile, load_taxonomy().related_to)
    day = on or today(runtime_of(session).settings)
    result = Scorer(loaded.profile, profile, relations, day).score(candidate)
    if not result.eligible:
        raise Conflict(f"candidate is not eligible for this requirement: {'; '.join(result.exclusions)}")
    update = ranked_entry(result, candidate_id, EntryState.dropped)
    apply_plan(session, requirement_id, [update], run_id=None, weight_profile_id=profile_id, now=utcnow())
