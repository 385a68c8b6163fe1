"""Rebuilding contenders' profiles for the reference scorer, quickly.

``columns.decode`` rebuilds any stored profile; the contenders of a ranking are rebuilt here
instead, with the same result: the skill objects (frozen, so they can be shared) are made once
per distinct (skill reference, years and last-used) code and reused, and each row's codes are
read as Python ints in one call per array.
"""

from __future__ import annotations

import datetime as dt

from matcher.core.types import CandidateProfile, CandidateSkill
from matcher.index.columns import DEGREES, DIMENSIONS, SENIORITIES, STATUSES, TRACKS
from matcher.index.segment import Segment
from matcher.index.tables import Tables

#: Shared skill objects kept at most; the memo starts again past this.
MAX_SKILLS = 200_000


class ProfileDecoder:
    """``Segment.profile`` with shared skill objects (see the module docstring)."""

    __slots__ = ("_skills",)

    def __init__(self) -> None:
        self._skills: dict[tuple[int, int], CandidateSkill] = {}

    def _skill(self, tables: Tables, ref: int, pair: int) -> CandidateSkill:
        if len(self._skills) >= MAX_SKILLS:
            self._skills.clear()
        skill = self._skills[(ref, pair)] = CandidateSkill(
            tables.refs.values[ref],
            tables.years.values[tables.pair_years[pair]],
            tables.last_used.values[tables.pair_last_used[pair]],
        )
        return skill

    def profile(self, seg: Segment, row: int, tables: Tables) -> CandidateProfile:
        """The profile stored at ``row`` of ``seg``, equal to ``seg.profile(row, tables)``."""
        cols, t = seg.cols, tables
        start = int(seg.skill_start[row])
        end = start + int(cols.skill_count[row])
        memo = self._skills
        skills = []
        refs, pairs = cols.skill_refs[start:end].tolist(), cols.skill_pairs[start:end].tolist()
        for key in zip(refs, pairs, strict=True):
            found = memo.get(key)
            skills.append(found if found is not None else self._skill(t, *key))
        scores = t.scores.values
        return CandidateProfile(
            external_id=bytes(cols.ids[row]).decode("utf-8"),
            track=TRACKS[cols.track[row]],
            seniority=SENIORITIES[cols.seniority[row]],
            years_experience=float(cols.years[row]),
            hourly_rate=float(cols.rate[row]),
            timezone=t.timezones.values[int(cols.timezone[row])],
            available_from=dt.date.fromordinal(int(cols.available[row])),
            skills=tuple(skills),
            vetting_status=STATUSES[cols.status[row]],
            vetting_scores={
                dim: scores[code - 1]
                for dim, code in zip(DIMENSIONS, cols.vetting[row].tolist(), strict=True)
                if code
            },
            currency=t.currencies.values[int(cols.currency[row])],
            hours_per_week=int(cols.hours[row]),
            degree=DEGREES[cols.degree[row]],
            field_of_study=t.fields.values[int(cols.field[row])],
        )
