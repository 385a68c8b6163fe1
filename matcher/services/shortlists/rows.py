"""The queries behind shortlist reads: the explicit column lists of a client card and a staff
entry, the state and stage filters, and pages after a cursor (``keyset``). Nothing here checks
a ``Principal``: ``service`` does, before it calls these."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Integer, Select, Text, bindparam, cast, func, literal
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlmodel import Session

from matcher.core.pipeline import CLIENT_STAGES, Stage
from matcher.models import (
    EntryState,
)
from matcher.models.tables import CAND, ENTRY, PERSONAL
from matcher.models.tables import CSKILL as SKILL
from matcher.models.tables import REQ as REQUIREMENT
from matcher.services.cursors import check_limit
from matcher.services.shortlists import keyset
from matcher.services.shortlists.views import StateFilter

#: Exactly the columns a client card is built from.
CARD_COLUMNS = (
    CAND.c.id,
    CAND.c.track,
    CAND.c.seniority,
    CAND.c.years_experience,
    CAND.c.timezone,
    CAND.c.hourly_rate,
    CAND.c.currency,
    CAND.c.available_from,
    CAND.c.hours_per_week,
)
#: The JSON columns come as their text and are parsed by pydantic-core (``from_json``, the same
#: values as ``json.loads``, in half the time).
ENTRY_COLUMNS = (
    ENTRY.c.score,
    cast(ENTRY.c.components, Text).label("components"),
    cast(ENTRY.c.reasons, Text).label("reasons"),
    ENTRY.c.handle,
    ENTRY.c.stage,
    ENTRY.c.presented_at,
    ENTRY.c.client_note,
    ENTRY.c.decline_reason,
    ENTRY.c.decline_comment,
    ENTRY.c.client_answered_at,
)
#: What only staff see on top of the card and the entry.
STAFF_COLUMNS = (
    ENTRY.c.rank,
    ENTRY.c.state,
    ENTRY.c.updated_at,
    ENTRY.c.stage_changed_at,
    ENTRY.c.stage_changed_by,
    ENTRY.c.match_run_id,
    ENTRY.c.weight_profile_id,
    CAND.c.external_id,
    CAND.c.headline,
    CAND.c.vetting_status,
    PERSONAL.c.name,
    PERSONAL.c.email,
)
#: The owner of the entry's requirement, checked against the caller before any row is used.
OWNER = REQUIREMENT.c.client_id.label("owner_id")


def skills_json() -> Any:
    """PostgreSQL: a card's skills in the candidate's order, as one JSON text per row, so that
    a page is one query and the skills are not hundreds of rows (its float8 text is exact, as in
    any other column; SQLite's JSON functions round REALs to 15 digits, so it reads them apart)."""
    s = SKILL.alias("card_skill")
    skill = func.json_build_object(
        "skill_key", s.c.skill_key, "name", s.c.raw_name, "years", s.c.years, "last_used", s.c.last_used
    )
    return cast(
        sa_select(func.json_agg(aggregate_order_by(skill, s.c.position, s.c.id)))
        .where(s.c.candidate_id == CAND.c.id)
        .scalar_subquery(),
        Text,
    ).label("skills")


def card_skills(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each candidate's skills as plain ``CardSkill`` fields, in the candidate's order."""
    out: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    rows = session.execute(
        sa_select(SKILL.c.candidate_id, SKILL.c.skill_key, SKILL.c.raw_name, SKILL.c.years, SKILL.c.last_used)
        .where(SKILL.c.candidate_id.in_(ids))
        .order_by(SKILL.c.candidate_id, SKILL.c.position, SKILL.c.id)
    ).all()
    for cid, key, raw, years, last_used in rows:
        out[cid].append({"skill_key": key, "name": raw, "years": years, "last_used": last_used})
    return out


def shortlist_query(session: Session, staff: bool) -> Any:
    """Entries with their cards (and skills, on PostgreSQL) and the requirement's owner. The
    client view selects explicit non-identifying columns and never joins ``candidate_personal``."""
    return base_query(staff, is_postgres(session))


@cache
def base_query(staff: bool, postgres: bool) -> Any:
    # Built once per shape: statements are immutable, and building this one (a correlated
    # subquery, thirty columns) costs more than running it through SQLAlchemy's compiled cache.
    columns = [*ENTRY_COLUMNS, *CARD_COLUMNS, *(STAFF_COLUMNS if staff else ()), OWNER]
    if postgres:
        columns.append(skills_json())
    query = _joined(sa_select(*columns), staff)
    if staff:
        return query.outerjoin(PERSONAL, PERSONAL.c.candidate_id == CAND.c.id)
    return query


@cache
def fragment_query(staff: bool) -> Any:
    """The entries of a page as their stored JSON in the caller's view (``fragments``), with
    the same joins and conditions as ``base_query``, so the same filters and order apply. A
    client's query reads ``client_json`` only."""
    fragment = (ENTRY.c.staff_json if staff else ENTRY.c.client_json).label("fragment")
    return _joined(sa_select(ENTRY.c.id.label("entry_id"), fragment, ENTRY.c.json_version, OWNER), staff)


def _joined(query: Any, staff: bool) -> Any:
    query = query.join(CAND, CAND.c.id == ENTRY.c.candidate_id).join(
        REQUIREMENT, REQUIREMENT.c.id == ENTRY.c.requirement_id
    )
    if staff:
        return query
    # An erased person is gone for clients, whatever state they ask for.
    return query.where(CAND.c.erased_at.is_(None), ENTRY.c.state != EntryState.erased.value)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


#: Stages a client sees, as stored values.
CLIENT_STAGE_VALUES = sorted(s.value for s in CLIENT_STAGES)
#: Stages counted as "more under review" for the client (the recruiter's triage in progress).
UNDER_REVIEW = (Stage.reviewing.value, Stage.shortlisted.value)
#: Stages that keep a candidate on the staff's default view wherever a re-match put them.
PIPELINE_VALUES = sorted(s.value for s in Stage if s not in (Stage.new, Stage.reviewing, Stage.rejected))


def _stage_in(values: Sequence[str]) -> Any:
    """``stage IN`` a fixed list, as one bound value each: an "expanding" IN would be rewritten
    on every execution of a cached statement."""
    return ENTRY.c.stage.in_([literal(v, ENTRY.c.stage.type) for v in values])


def staff_filtered(query: Any, requirement_id: Any, state: StateFilter, stage: Stage | None) -> Any:
    """The staff's rows (by default the top N and the pipeline); ``keyset.ordered`` orders them."""
    query = query.where(ENTRY.c.requirement_id == requirement_id)
    if state is StateFilter.current:
        query = query.where(
            (ENTRY.c.state == EntryState.active.value)
            | (_stage_in(PIPELINE_VALUES) & (ENTRY.c.state != EntryState.erased.value))
        )
    elif state is not StateFilter.all:
        query = query.where(ENTRY.c.state == state.value)
    if stage is not None:
        query = query.where(ENTRY.c.stage == stage.value)
    return query


def client_filtered(query: Any, requirement_id: Any, stage: Stage | None) -> Any:
    """The client's rows: presented (client-facing stages) and not erased; never filtered by
    anything a client must not learn."""
    query = query.where(
        ENTRY.c.requirement_id == requirement_id,
        _stage_in(CLIENT_STAGE_VALUES),
        ENTRY.c.state != EntryState.erased.value,
    )
    if stage is not None:
        query = query.where(ENTRY.c.stage == stage.value)
    return query


def page_window(
    query: Select[Any], staff: bool, cursor: str | None, limit: int | None
) -> tuple[Select[Any], dict[str, Any]]:
    """The page's query (the view's order, after the cursor, ``limit`` + 1 rows to tell whether
    another page follows) and the cursor's parameters to execute it with."""
    params: dict[str, Any] = {}
    query = keyset.ordered(query, staff)
    if cursor:
        params = keyset.decode(cursor, staff)
        query = query.where(keyset.after(staff))
    if limit is not None:
        query = query.limit(check_limit(limit) + 1)
    return query, params


def under_review_count(requirement_id: Any) -> Any:
    """Candidates the recruiter is still reviewing for the requirement (a client sees the count)."""
    return (
        sa_select(func.count())
        .select_from(ENTRY)
        .where(ENTRY.c.requirement_id == requirement_id, _stage_in(UNDER_REVIEW))
        .scalar_subquery()
    )


@cache
def page_statement(staff: bool, state: StateFilter, stage: Stage | None, after: bool) -> Any:
    """``fragment_query``'s page, built once per shape, with the parameters ``requirement_id``,
    ``page_limit`` (rows to fetch) and, ``after`` a cursor, its keys; a client's rows carry the
    count of candidates still under review (``more_under_review``)."""
    rid = bindparam("requirement_id", type_=ENTRY.c.requirement_id.type)
    base = fragment_query(staff)
    if staff:
        query = staff_filtered(base, rid, state, stage)
    else:
        counted = base.add_columns(under_review_count(rid).label("more_under_review"))
        query = client_filtered(counted, rid, stage)
    query = keyset.ordered(query, staff)
    if after:
        query = query.where(keyset.after(staff))
    return query.limit(bindparam("page_limit", type_=Integer))


def next_cursor(rows: Sequence[Any], staff: bool, limit: int | None) -> str | None:
    """The cursor of the page after ``rows`` (``limit`` + 1 fetched), None on the last page."""
    return keyset.encode(rows[limit - 1], staff) if limit is not None and len(rows) > limit else None
