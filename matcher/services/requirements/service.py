"""Requirement specs through the API: create, list, read, replace, close, bulk import.

Every function takes the calling ``Principal`` and applies object-level authorization itself:
a client key sees and changes only its own account's requirements, and anything else answers
"not found", exactly like an id that does not exist, so ids of other clients cannot be probed.
Creating or changing a requirement starts its matching (``triggers.on_requirement_changed``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from matcher.errors import Conflict, Forbidden, NotFound, PayloadTooLarge
from matcher.json_types import NoNul
from matcher.models import Client, MatchRun, MatchRunRequirement, Requirement, RequirementSkill, utcnow
from matcher.schemas import RequirementIn, RequirementStatus, Track
from matcher.services.accounts.service import Principal
from matcher.services.audit import record
from matcher.services.cursors import (
    Page,
    UtcDateTime,
    check_limit,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from matcher.services.imports import importing
from matcher.services.imports.exporting import requirement_record
from matcher.services.runs import rematch_pending
from matcher.services.runs.service import client_may_see
from matcher.services.runs.triggers import on_requirement_changed
from matcher.services.skills import resolve_names


class RequirementBody(RequirementIn, NoNul):
    """A requirement in the import format (no NUL in any text). With a client key ``client``
    may be left out (it is filled from the key); if given it must be the key's own account."""

    client: str | None = Field(  # type: ignore[assignment]
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )


class RequirementView(RequirementIn):
    """A stored requirement: the import record plus its id and bookkeeping."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    weight_profile_id: uuid.UUID | None
    latest_run_id: uuid.UUID | None = Field(
        default=None,
        description="The latest match run of this requirement the caller may read (see /match-runs/{id}).",
    )
    rematch_error: str | None = Field(
        default=None,
        description="Why the re-match a change should have started could not start (it is "
        "retried); staff only, null for client keys.",
    )
    rematch_failed_at: UtcDateTime | None = None
    rematch_pending: bool = Field(
        default=False,
        description="This write started a re-match that is waiting: the task queue cannot be "
        "reached. The write is saved; the re-match is dispatched as soon as the queue is back.",
    )
    created_at: UtcDateTime
    updated_at: UtcDateTime


class RequirementFilters(BaseModel):
    status: RequirementStatus | None = None
    track: Track | None = None
    client: str | None = Field(default=None, description="A client slug (staff keys only).")


class RequirementImportSummary(BaseModel):
    created: int
    updated: int
    ids: list[uuid.UUID]


def _skills(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[RequirementSkill]]:
    out: dict[uuid.UUID, list[RequirementSkill]] = defaultdict(list)
    if ids:
        rows = session.exec(
            select(RequirementSkill)
            .where(col(RequirementSkill.requirement_id).in_(ids))
            .order_by(col(RequirementSkill.requirement_id), col(RequirementSkill.position))
        ).all()
        for s in rows:
            out[s.requirement_id].append(s)
    return out


def _latest_runs(
    session: Session, principal: Principal, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Requirement id -> id of the latest run that included it, of those the caller may read
    (a client cannot read a run a candidate change started over other clients' requirements)."""
    if not ids:
        return {}
    query = (
        select(MatchRunRequirement.requirement_id, MatchRun.id, MatchRun.created_at)
        .join(MatchRun, col(MatchRun.id) == col(MatchRunRequirement.run_id))
        .where(col(MatchRunRequirement.requirement_id).in_(ids))
    )
    if principal.is_client:
        query = query.where(client_may_see(principal.client_id))  # type: ignore[arg-type]
    rows = session.exec(query.order_by(col(MatchRun.created_at), col(MatchRunRequirement.id))).all()
    return {rid: run_id for rid, run_id, _ in rows}


def _view(
    req: Requirement,
    slug: str,
    skills: Sequence[RequirementSkill],
    latest_run: uuid.UUID | None,
    principal: Principal,
) -> RequirementView:
    """The view in the caller's words: trigger errors are a staff matter."""
    staff = not principal.is_client
    return RequirementView.model_validate(
        {
            **requirement_record(req, slug, skills),
            "id": req.id,
            "weight_profile_id": req.weight_profile_id,
            "latest_run_id": latest_run,
            "rematch_error": req.rematch_error if staff else None,
            "rematch_failed_at": req.rematch_failed_at if staff else None,
            "created_at": req.created_at,
            "updated_at": req.updated_at,
        }
    )


def _with_rematch_state(session: Session, view: RequirementView) -> RequirementView:
    return view.model_copy(update={"rematch_pending": rematch_pending(session)})


def owned_requirement(session: Session, principal: Principal, requirement_id: uuid.UUID) -> Requirement:
    """The requirement if the caller may see it; NotFound otherwise (and for other clients')."""
    req = session.get(Requirement, requirement_id)
    if req is None or not principal.can_see_client(req.client_id):
        raise NotFound(f"no requirement {requirement_id}")
    return req


def _slug(session: Session, client_id: uuid.UUID) -> str:
    client = session.get(Client, client_id)
    assert client is not None, "requirement.client_id is a foreign key"
    return client.slug


def get_requirement(session: Session, principal: Principal, requirement_id: uuid.UUID) -> RequirementView:
    req = owned_requirement(session, principal, requirement_id)
    latest = _latest_runs(session, principal, [req.id]).get(req.id)
    return _view(req, _slug(session, req.client_id), _skills(session, [req.id])[req.id], latest, principal)


def _client_for(session: Session, principal: Principal, slug: str | None) -> Client:
    """The client account a new requirement belongs to, as the caller may name it."""
    if principal.is_client:
        if slug is not None and slug != principal.client_slug:
            raise Forbidden("a client key can only create requirements for its own account")
        client = session.get(Client, principal.client_id)
        assert client is not None, "api_key.client_id is a foreign key"
        return client
    if slug is None:
        raise Forbidden("a staff key must name the requirement's client account ('client')")
    return importing.get_or_create_client(session, slug)


def _write(
    session: Session, body: RequirementBody, client: Client, requirement: Requirement | None
) -> Requirement:
    spec = RequirementIn.model_validate({**body.model_dump(), "client": client.slug})
    resolutions = resolve_names(s.name for s in (*spec.must_have, *spec.nice_to_have))
    req, _ = importing.write_requirement(session, spec, resolutions, client=client, requirement=requirement)
    return req


def create_requirement(session: Session, principal: Principal, body: RequirementBody) -> RequirementView:
    """Create a requirement and start its matching; (client, external_id) must be new."""
    client = _client_for(session, principal, body.client)
    existing = session.exec(
        select(Requirement.id).where(
            Requirement.client_id == client.id, Requirement.external_id == body.external_id
        )
    ).first()
    if existing is not None:
        raise Conflict(f"requirement {body.external_id!r} of {client.slug} already exists")
    req = _write(session, body, client, None)
    record(session, principal.actor, "requirement.create", "requirement", str(req.id))
    on_requirement_changed(session, req.id, actor=principal.actor)
    return _with_rematch_state(session, get_requirement(session, principal, req.id))


def replace_requirement(
    session: Session, principal: Principal, requirement_id: uuid.UUID, body: RequirementBody
) -> RequirementView:
    """Replace a requirement's spec and re-match it. It stays with its client account."""
    req = owned_requirement(session, principal, requirement_id)
    slug = _slug(session, req.client_id)
    if body.client is not None and body.client != slug:
        raise Conflict(f"requirement {requirement_id} belongs to {slug}; it cannot move to another client")
    if body.external_id != req.external_id:
        taken = session.exec(
            select(Requirement.id).where(
                Requirement.client_id == req.client_id, Requirement.external_id == body.external_id
            )
        ).first()
        if taken is not None:
            raise Conflict(f"external_id {body.external_id!r} belongs to another requirement of {slug}")
    client = session.get(Client, req.client_id)
    assert client is not None
    _write(session, body, client, req)
    record(session, principal.actor, "requirement.update", "requirement", str(req.id))
    on_requirement_changed(session, req.id, actor=principal.actor)
    return _with_rematch_state(session, get_requirement(session, principal, req.id))


def close_requirement(session: Session, principal: Principal, requirement_id: uuid.UUID) -> RequirementView:
    """Set the status to closed (idempotent); closed requirements are not re-matched."""
    return set_requirement_status(session, principal, requirement_id, RequirementStatus.closed)


def set_requirement_status(
    session: Session, principal: Principal, requirement_id: uuid.UUID, status: RequirementStatus
) -> RequirementView:
    """Pause, close, mark filled or reopen a requirement (idempotent; clients their own, staff
    every one). Only open requirements are matched; reopening one re-matches it."""
    req = owned_requirement(session, principal, requirement_id)
    if req.status != status.value:
        req.status = status.value
        req.updated_at = utcnow()
        session.add(req)
        session.flush()
        action = "requirement.close" if status is RequirementStatus.closed else "requirement.status"
        record(session, principal.actor, action, "requirement", str(req.id), {"status": status.value})
        on_requirement_changed(session, req.id, actor=principal.actor)
    return _with_rematch_state(session, get_requirement(session, principal, req.id))


def list_requirements(
    session: Session,
    principal: Principal,
    filters: RequirementFilters,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[RequirementView]:
    """The caller's requirements (every client's for staff), newest first."""
    check_limit(limit)
    query = select(Requirement, Client.slug).join(Client, col(Client.id) == col(Requirement.client_id))
    if principal.is_client:
        query = query.where(Requirement.client_id == principal.client_id)
    elif filters.client is not None:
        query = query.where(Client.slug == filters.client)
    if filters.status is not None:
        query = query.where(Requirement.status == filters.status.value)
    if filters.track is not None:
        query = query.where(Requirement.track == filters.track.value)
    if cursor:
        created, ident = decode_cursor(cursor, 2)
        try:
            at, after = dt.datetime.fromisoformat(str(created)), uuid.UUID(str(ident))
        except ValueError:
            raise invalid_cursor() from None
        query = query.where(
            (col(Requirement.created_at) < at)
            | ((col(Requirement.created_at) == at) & (col(Requirement.id) < after))
        )
    rows = session.exec(
        query.order_by(col(Requirement.created_at).desc(), col(Requirement.id).desc()).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    ids = [r.id for r, _ in rows]
    skills, latest = _skills(session, ids), _latest_runs(session, principal, ids)
    last = rows[-1][0] if rows else None
    return Page[RequirementView](
        items=[_view(r, slug, skills[r.id], latest.get(r.id), principal) for r, slug in rows],
        next_cursor=encode_cursor([last.created_at.isoformat(), str(last.id)]) if more and last else None,
    )


def import_requirements_text(
    session: Session, principal: Principal, text: str, *, max_records: int
) -> RequirementImportSummary:
    """Bulk import (staff), all or nothing, like ``talentmatch import requirements``; every
    created or changed requirement starts its matching."""
    records = importing.parse_requirements(text)
    if len(records) > max_records:
        raise PayloadTooLarge(f"{len(records)} records in one import; at most {max_records} are accepted")
    result = importing.import_requirements(session, records, actor=principal.actor)
    return RequirementImportSummary(created=result.created, updated=result.updated, ids=result.ids)
