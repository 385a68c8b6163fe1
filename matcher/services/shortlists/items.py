"""One shortlist entry in each view, from a row of ``rows.shortlist_query``: the one place the
content of a staff entry and of a client's card is chosen. The page read (``service``) and the
stored per-entry JSON (``fragments``) both build entries here, so a stored fragment is exactly
what a page built from the rows would hold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter
from pydantic_core import from_json
from sqlmodel import Session

from matcher.services.shortlists.client_card import canonical_skills
from matcher.services.shortlists.rows import card_skills
from matcher.services.shortlists.views import PresentedView, StaffEntryView

#: Entries are validated from plain dicts in one call each (pydantic-core builds the nested
#: models) and serialised by the same adapters: no per-object ``__init__`` in Python.
STAFF_ENTRY = TypeAdapter(StaffEntryView)
PRESENTED = TypeAdapter(PresentedView)


def client_card(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The anonymised card (``CandidateCard`` fields) from a row of ``shortlist_query``: the one
    place a client card's content is chosen."""
    return {
        "track": r.track,
        "seniority": r.seniority,
        "years_experience": r.years_experience,
        "skills": canonical_skills(skills),
        "timezone": r.timezone,
        "hourly_rate": r.hourly_rate,
        "currency": r.currency,
        "available_from": r.available_from,
        "hours_per_week": r.hours_per_week,
    }


def client_item(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of a ``PresentedView`` from a row of ``shortlist_query(staff=False)``."""
    return {
        "handle": r.handle,
        "stage": r.stage,
        "presented_at": r.presented_at,
        "note_for_client": r.client_note,
        "feedback": {
            "decline_reason": r.decline_reason,
            "comment": r.decline_comment,
            "answered_at": r.client_answered_at,
        },
        "candidate": client_card(r, skills),
        "score": r.score,
        "components": from_json(r.components),
        "reasons": from_json(r.reasons),
    }


def staff_item(r: Any, skills: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of a ``StaffEntryView`` from a row of ``shortlist_query(staff=True)``."""
    return {
        "candidate": client_card(r, skills)
        | {
            "id": r.id,
            "skills": skills,
            "external_id": r.external_id,
            "name": r.name,
            "email": r.email,
            "headline": r.headline,
            "vetting_status": r.vetting_status,
        },
        "rank": r.rank,
        "score": r.score,
        "components": from_json(r.components),
        "reasons": from_json(r.reasons),
        "state": r.state,
        "updated_at": r.updated_at,
        "handle": r.handle,
        "stage": r.stage,
        "stage_changed_at": r.stage_changed_at,
        "stage_changed_by": r.stage_changed_by,
        "presented_at": r.presented_at,
        "note_for_client": r.client_note,
        "decline_reason": r.decline_reason,
        "decline_comment": r.decline_comment,
        "client_answered_at": r.client_answered_at,
        "match_run_id": r.match_run_id,
        "weight_profile_id": r.weight_profile_id,
    }


def entry_items(session: Session, staff: bool, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Rows of ``shortlist_query`` as plain dicts in the caller's view."""
    item = staff_item if staff else client_item
    if rows and "skills" in rows[0]._fields:
        return [item(r, from_json(r.skills) if r.skills else []) for r in rows]
    skills = card_skills(session, [r.id for r in rows])
    return [item(r, skills[r.id]) for r in rows]


def entry_json(session: Session, staff: bool, rows: Sequence[Any]) -> list[bytes]:
    """Rows of ``shortlist_query`` serialised in the caller's view, each as the page holds it."""
    adapter: TypeAdapter[Any] = STAFF_ENTRY if staff else PRESENTED
    return [adapter.dump_json(adapter.validate_python(i)) for i in entry_items(session, staff, rows)]
