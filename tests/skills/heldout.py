"""The held-out measure: how many real variant groups resolve whole, and how many look-alike pairs
merge. Run ``python tests/skills/heldout.py`` to print the figures for the current resolver."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.skills import SkillResolver

DATA = Path(__file__).with_name("data") / "heldout_variants.json"


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


@dataclass
class Measure:
    groups: int = 0
    variants: int = 0
    whole: int = 0
    broken: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    pairs: int = 0
    merges: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def whole_share(self) -> float:
        return self.whole / self.groups if self.groups else 1.0

    def summary(self) -> str:
        return (
            f"{self.whole} of {self.groups} groups whole ({100 * self.whole_share:.1f}%, "
            f"{self.variants} variants); {len(self.merges)} false merges in {self.pairs} look-alike pairs"
        )


def measure(resolver: SkillResolver, data: dict[str, Any]) -> Measure:
    """A group is whole when every variant resolves to one and the same known skill; a pair is
    a false merge when both entries' names resolve to the same known skill."""
    m = Measure()
    for group in data["groups"]:
        got = {
            v: r.canonical
            for v, r in zip(group["variants"], resolver.resolve_many(group["variants"]), strict=True)
        }
        m.groups += 1
        m.variants += len(got)
        ids = set(got.values())
        if len(ids) == 1 and None not in ids:
            m.whole += 1
        else:
            m.broken.append((group["entry"], got))
    for _, a, _, b in data["lookalike_pairs"]:
        m.pairs += 1
        ra, rb = resolver.resolve_many([a, b])
        if ra.canonical is not None and ra.canonical == rb.canonical:
            m.merges.append((a, b, ra.canonical))
    return m


if __name__ == "__main__":
    from matcher.skills import default_resolver

    result = measure(default_resolver(), load())
    print(result.summary())
    for entry, got in result.broken:
        print("  not whole:", entry, got)
    for a, b, sid in result.merges:
        print("  merged:", a, "+", b, "->", sid)
