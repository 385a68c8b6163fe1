"""The recruiter's compact ranked list and side-by-side compare, and the skill chips of a card.

A chip says how one required skill is met, so partial credit reads as partial: ``exact`` (the
candidate wrote the canonical name), ``alias`` (another name of the same skill), ``related``
(a different skill that earns part of the credit, with its share) or ``missing``; with the
years as "8 y (needs 3)". Chips name skills by their taxonomy names only (never the text a
candidate typed), so the same chips may be shown to a client. They are read from the stored
skills with the core's relation credits and years factor: presentation, nothing is re-scored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matcher.core.components import relation_credits, years_factor
from matcher.core.pipeline import Stage
from matcher.core.timezones import overlap_hours
from matcher.errors import ValidationFailed
from matcher.models import SkillKind
from matcher.models.tables import CSKILL, RSKILL
from matcher.services.accounts.service import Principal
from matcher.services.requirements.service import RequirementView
from matcher.services.shortlists.service import StaffEntryView, StateFilter, get_shortlist_all
from matcher.skills import Taxonomy, load_taxonomy

MAX_COMPARED = 4


class ChipKind(StrEnum):
    exact = "exact"
    alias = "alias"
    related = "related"
    missing = "missing"


@dataclass(frozen=True)
class Required:
    key: str
    kind: str
    min_years: float


@dataclass(frozen=True)
class Held:
    key: str
    method: str
    years: float


@dataclass(frozen=True)
class SkillChip:
    required: str
    """The required skill's taxonomy name."""
    kind: ChipKind
    must: bool
    credit: float
    """1.0 for the skill itself, the relation's share for a related one, 0 when missing."""
    via: str | None
    """The related skill's taxonomy name."""
    years: float | None
    min_years: float

    @property
    def years_text(self) -> str:
        if self.years is None:
            return ""
        text = f"{self.years:g} y"
        return f"{text} (needs {self.min_years:g})" if self.min_years else text

    @property
    def text(self) -> str:
        if self.kind is ChipKind.missing:
            return f"{self.required}: missing"
        head = self.required
        if self.kind is ChipKind.related:
            head += f" via {self.via}, {round(self.credit * 100)}% credit"
        elif self.kind is ChipKind.alias:
            head += " (alias)"
        return f"{head} · {self.years_text}" if self.years_text else head


def chips(required: Sequence[Required], held: Sequence[Held], taxonomy: Taxonomy) -> list[SkillChip]:
    """How each required skill is met by ``held`` (pure): the candidate skill with the most
    relation credit times years factor, as the core credits it (recency aside)."""
    relations = {r.key: dict(taxonomy.related_to(r.key)) for r in required}
    out = []
    for r in required:
        credits = relation_credits(r.key, relations)
        best: tuple[float, Held] | None = None
        for h in held:
            credit = credits.get(h.key, 0.0)
            if credit <= 0:
                continue
            value = credit * years_factor(h.years, r.min_years)
            if best is None or value > best[0]:
                best = (value, h)
        name = taxonomy.display_name(r.key)
        if best is None:
            out.append(SkillChip(name, ChipKind.missing, r.kind == "must", 0.0, None, None, r.min_years))
            continue
        h = best[1]
        if h.key != r.key:
            kind, via = ChipKind.related, taxonomy.display_name(h.key)
        else:
            kind, via = (ChipKind.exact if h.method == "exact" else ChipKind.alias), None
        out.append(SkillChip(name, kind, r.kind == "must", credits[h.key], via, h.years, r.min_years))
    return out


def load_chips(
    session: Session, requirement_id: uuid.UUID, candidate_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SkillChip]]:
    """The chips of each candidate against the requirement (the caller checked access)."""
    required = [
        Required(r.skill_key, r.kind, r.min_years)
        for r in session.execute(
            select(RSKILL.c.skill_key, RSKILL.c.kind, RSKILL.c.min_years)
            .where(RSKILL.c.requirement_id == requirement_id)
            .order_by(RSKILL.c.kind != SkillKind.must.value, RSKILL.c.position)
        )
    ]
    held: dict[uuid.UUID, list[Held]] = defaultdict(list)
    if candidate_ids:
        rows = session.execute(
            select(CSKILL.c.candidate_id, CSKILL.c.skill_key, CSKILL.c.method, CSKILL.c.years).where(
                CSKILL.c.candidate_id.in_(list(candidate_ids))
            )
        )
        for cid, key, method, years in rows:
            held[cid].append(Held(key, method, years))
    taxonomy = load_taxonomy()
    return {cid: chips(required, held[cid], taxonomy) for cid in candidate_ids}


# --- the compact list and compare ---------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    stage: Stage | None = None
    skill: str = ""
    """A taxonomy name or key the candidate must have (exact, alias or related)."""
    max_rate: float | None = None
    min_overlap: float | None = None


@dataclass(frozen=True)
class Row:
    entry: StaffEntryView
    chips: list[SkillChip]
    overlap: float

    @property
    def must_chips(self) -> list[SkillChip]:
        return [c for c in self.chips if c.must]


def _overlap(requirement: RequirementView, timezone: str) -> float:
    return overlap_hours(requirement.timezone, timezone, requirement.start_by)


def _has_skill(row_chips: Sequence[SkillChip], skill: str) -> bool:
    wanted = skill.strip().lower()
    return any(
        c.kind is not ChipKind.missing and (wanted in c.required.lower() or wanted in (c.via or "").lower())
        for c in row_chips
    )


def compact_list(
    session: Session, principal: Principal, requirement: RequirementView, filters: ListFilters
) -> list[Row]:
    """The current top N and the pipeline, one row each, filtered (staff)."""
    page = get_shortlist_all(
        session, principal, requirement.id, state=StateFilter.current, stage=filters.stage
    )
    items = [i for i in page.items if isinstance(i, StaffEntryView)]
    by_id = load_chips(session, requirement.id, [i.candidate.id for i in items])
    rows = []
    for item in items:
        overlap = _overlap(requirement, item.candidate.timezone)
        if filters.max_rate is not None and item.candidate.hourly_rate > filters.max_rate:
            continue
        if filters.min_overlap is not None and overlap < filters.min_overlap:
            continue
        if filters.skill and not _has_skill(by_id[item.candidate.id], filters.skill):
            continue
        rows.append(Row(item, by_id[item.candidate.id], overlap))
    return rows


def compare(
    session: Session, principal: Principal, requirement: RequirementView, candidate_ids: Sequence[uuid.UUID]
) -> list[Row]:
    """2 to 4 entries side by side, in the order asked (staff)."""
    ids = list(dict.fromkeys(candidate_ids))
    if not 2 <= len(ids) <= MAX_COMPARED:
        raise ValidationFailed(f"choose 2 to {MAX_COMPARED} candidates to compare, not {len(ids)}")
    page = get_shortlist_all(session, principal, requirement.id, state=StateFilter.all)
    items = {i.candidate.id: i for i in page.items if isinstance(i, StaffEntryView)}
    missing = [str(i) for i in ids if i not in items]
    if missing:
        raise ValidationFailed(f"not on this shortlist: {', '.join(missing)}")
    by_id = load_chips(session, requirement.id, ids)
    return [Row(items[i], by_id[i], _overlap(requirement, items[i].candidate.timezone)) for i in ids]


def component_points(rows: Sequence[Row]) -> list[tuple[str, list[float | None]]]:
    """Each component's points per compared row, in the components' stored order."""
    names: list[str] = []
    for row in rows:
        names += [n for n in row.entry.components if n not in names]
    return [(n, [_points(row.entry.components.get(n)) for row in rows]) for n in names]


def _points(value: Any) -> float | None:
    return float(value.get("points", 0.0)) if isinstance(value, Mapping) else None


def available_in_days(available_from: dt.date, start_by: dt.date) -> int:
    """Days before (positive) or after (negative) the requirement's start."""
    return (start_by - available_from).days
