"""The impact-ratio audit's arithmetic (as in New York City's Local Law 144 bias audits).

For each stage and each category of sex, of race/ethnicity, and of their intersection: how many
people are in it, how many were selected at that stage, the selection rate (selected / people),
and the impact ratio (the rate over the highest rate among the categories that count). A category
holding under ``MIN_SHARE`` of everyone audited is reported but left out of the ratios (the rules
allow it), and "not disclosed" (for an intersection: either part not disclosed) is counted apart,
with a rate but never a ratio. Pure: people in, rows out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Sex(StrEnum):
    female = "female"
    male = "male"
    not_disclosed = "not_disclosed"


class RaceEthnicity(StrEnum):
    """The EEO-1 race/ethnicity categories, and "not disclosed"."""

    hispanic_or_latino = "hispanic_or_latino"
    white = "white"
    black_or_african_american = "black_or_african_american"
    native_hawaiian_or_pacific_islander = "native_hawaiian_or_pacific_islander"
    asian = "asian"
    american_indian_or_alaska_native = "american_indian_or_alaska_native"
    two_or_more_races = "two_or_more_races"
    not_disclosed = "not_disclosed"


#: A category under this share of everyone audited is reported, but not used in the ratios.
MIN_SHARE = 0.02
NOT_DISCLOSED = "not_disclosed"


class AuditStage(StrEnum):
    top_n = "top_n"
    presented = "presented"
    client_interested = "client_interested"
    hired = "hired"


class Grouping(StrEnum):
    sex = "sex"
    race_ethnicity = "race_ethnicity"
    intersection = "sex_x_race_ethnicity"


@dataclass(frozen=True)
class Person:
    """One audited person: their self-identification and the stages they were selected at."""

    sex: Sex
    race_ethnicity: RaceEthnicity
    selected: frozenset[AuditStage]


@dataclass(frozen=True)
class AuditRow:
    stage: AuditStage
    grouping: Grouping
    category: str
    people: int
    selected: int
    rate: float
    share: float
    impact_ratio: float | None
    counted: str
    """``ratio``, ``under_2_percent`` (reported, left out of the ratios) or ``not_disclosed``."""


def category(person: Person, grouping: Grouping) -> str:
    """The person's category in ``grouping`` (``not_disclosed`` when any part is)."""
    sex, race = person.sex.value, person.race_ethnicity.value
    if grouping is Grouping.sex:
        return sex
    if grouping is Grouping.race_ethnicity:
        return race
    if NOT_DISCLOSED in (sex, race):
        return NOT_DISCLOSED
    return f"{sex} x {race}"


def _counted(key: str, share: float, min_share: float) -> str:
    if key == NOT_DISCLOSED:
        return NOT_DISCLOSED
    return "ratio" if share >= min_share else "under_2_percent"


def impact_ratios(
    people: Sequence[Person],
    stages: Iterable[AuditStage] = tuple(AuditStage),
    groupings: Iterable[Grouping] = tuple(Grouping),
    min_share: float = MIN_SHARE,
) -> list[AuditRow]:
    """Every (stage, grouping, category) row, categories by name with "not disclosed" last."""
    total = len(people)
    rows: list[AuditRow] = []
    for stage in stages:
        for grouping in groupings:
            counts: dict[str, list[int]] = {}
            for p in people:
                c = counts.setdefault(category(p, grouping), [0, 0])
                c[0] += 1
                c[1] += stage in p.selected
            shares = {k: n / total for k, (n, _) in counts.items()}
            counted = {
                k: NOT_DISCLOSED
                if k == NOT_DISCLOSED
                else "ratio"
                if shares[k] >= min_share
                else "under_2_percent"
                for k in counts
            }
            rates = {k: s / n for k, (n, s) in counts.items()}
            best = max((rates[k] for k in counts if counted[k] == "ratio"), default=0.0)
            for k in sorted(counts, key=lambda k: (k == NOT_DISCLOSED, k)):
                n, s = counts[k]
                ratio = rates[k] / best if counted[k] == "ratio" and best > 0 else None
                rows.append(AuditRow(stage, grouping, k, n, s, rates[k], shares[k], ratio, counted[k]))
    return rows
