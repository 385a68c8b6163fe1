"""Field-level precision and recall of the job-description drafter on the test set beside this
module (``jds/NN-*.md|txt`` and the draft a person reads from each, ``NN-*.expected.json``).

    .venv/bin/python -m tests.drafting.evaluate [--verbose]

Skills are compared by taxonomy key (the expected names go through the same resolver), as
``(kind, key)`` pairs; "skills, any kind" ignores must/nice. Years are ``(key, min_years)`` pairs
of the skills that have a minimum, plus the overall ``min_years_experience``. Every other field
counts as predicted when the draft has it, expected when the expected draft has it, and correct
when both agree (budgets to the cent; ``budget_converted`` is whether the draft carries a
conversion note). The drafts are read against the fixed date ``TODAY``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.drafting import RequirementDraft, draft_requirement
from matcher.skills import default_resolver

HERE = Path(__file__).resolve().parent / "jds"
#: Job descriptions written after the rules were tuned on ``jds/`` and never tuned on: the
#: figures to trust for text the drafter has not seen.
HELD_OUT = Path(__file__).resolve().parent / "heldout"
TODAY = dt.date(2026, 12, 1)
SCALARS = (
    "track",
    "seniority",
    "max_hourly_rate",
    "currency",
    "budget_converted",
    "timezone",
    "min_overlap_hours",
    "start_by",
    "hours_per_week",
    "education",
)


@dataclass
class Tally:
    predicted: int = 0
    expected: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, got: set[Any], want: set[Any], where: str) -> None:
        self.predicted += len(got)
        self.expected += len(want)
        self.correct += len(got & want)
        self.misses += [f"{where}: extra {x}" for x in sorted(map(str, got - want))]
        self.misses += [f"{where}: missed {x}" for x in sorted(map(str, want - got))]

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def cases(directory: Path = HERE) -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for expected in sorted(directory.glob("*.expected.json")):
        stem = expected.name.removesuffix(".expected.json")
        source = next(p for p in directory.iterdir() if p.stem == stem and p.suffix in (".md", ".txt"))
        out.append(
            (stem, source.read_text(encoding="utf-8"), json.loads(expected.read_text(encoding="utf-8")))
        )
    return out


def _keys(names: Iterable[str]) -> list[str]:
    return [r.key for r in default_resolver().resolve_many(list(names))]


def _skills(kind: str, entries: Any) -> dict[str, float | None]:
    """key -> min_years of a draft's list ([{name, min_years}]) or an expected map ({name: years})."""
    if isinstance(entries, dict):
        names, years = list(entries), list(entries.values())
    else:
        names, years = [e["name"] for e in entries], [e.get("min_years") for e in entries]
    return dict(zip(_keys(names), years, strict=True))


def _scalar(name: str, draft: RequirementDraft) -> Any:
    req = draft.requirement
    if name == "budget_converted":
        return (
            any(f.field == "max_hourly_rate" and f.note for f in draft.fields)
            if "max_hourly_rate" in req
            else None
        )
    value = req.get(name)
    if name == "education" and value is not None:
        return json.dumps({"min_degree": value["min_degree"], "fields": sorted(value["fields"])})
    if isinstance(value, float):
        return round(value, 2)
    return value


def _expected_scalar(name: str, expected: dict[str, Any]) -> Any:
    value = expected.get(name)
    if name == "budget_converted" and value is None and "max_hourly_rate" in expected:
        return False
    if name == "education" and value is not None:
        return json.dumps({"min_degree": value["min_degree"], "fields": sorted(value["fields"])})
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 2) if name != "hours_per_week" else int(value)
    return value


def evaluate(directory: Path = HERE) -> dict[str, Tally]:
    tallies = {k: Tally() for k in ("skills", "skills, any kind", "years", *SCALARS)}
    for stem, text, expected in cases(directory):
        draft = draft_requirement(text, today=TODAY)
        got_must = _skills("must", draft.requirement.get("must_have", []))
        got_nice = _skills("nice", draft.requirement.get("nice_to_have", []))
        want_must = _skills("must", expected.get("must_have", {}))
        want_nice = _skills("nice", expected.get("nice_to_have", {}))
        got = {("must", k) for k in got_must} | {("nice", k) for k in got_nice}
        want = {("must", k) for k in want_must} | {("nice", k) for k in want_nice}
        tallies["skills"].add(got, want, stem)
        tallies["skills, any kind"].add({k for _, k in got}, {k for _, k in want}, stem)
        got_years = {(k, float(v)) for k, v in {**got_nice, **got_must}.items() if v}
        want_years = {(k, float(v)) for k, v in {**want_nice, **want_must}.items() if v}
        if draft.requirement.get("min_years_experience") is not None:
            got_years.add(("(experience)", float(draft.requirement["min_years_experience"])))
        if expected.get("min_years_experience") is not None:
            want_years.add(("(experience)", float(expected["min_years_experience"])))
        tallies["years"].add(got_years, want_years, stem)
        for name in SCALARS:
            g, w = _scalar(name, draft), _expected_scalar(name, expected)
            tallies[name].add({g} - {None}, {w} - {None}, f"{stem} {name}")
    return tallies


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.drafting.evaluate")
    parser.add_argument("--verbose", action="store_true", help="list every miss")
    parser.add_argument("--held-out", action="store_true", help="the held-out set instead of the tuning set")
    args = parser.parse_args(argv)
    directory = HELD_OUT if args.held_out else HERE
    tallies = evaluate(directory)
    print(f"{len(cases(directory))} job descriptions in {directory.name}/, read against {TODAY.isoformat()}")
    print(f"{'field':<18} {'precision':>9} {'recall':>7} {'correct':>8} {'predicted':>9} {'expected':>8}")
    for name, t in tallies.items():
        print(
            f"{name:<18} {t.precision:>9.3f} {t.recall:>7.3f} {t.correct:>8} {t.predicted:>9} {t.expected:>8}"
        )
    if args.verbose:
        for name, t in tallies.items():
            for miss in t.misses:
                print(f"  [{name}] {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
