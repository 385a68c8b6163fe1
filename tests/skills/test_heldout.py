"""Real-world variants nobody on this project wrote (tests/skills/data/heldout_variants.json,
extracted from linguist-languages, simple-icons and devicon): groups resolve whole, look-alike
entries of one source never merge."""

from __future__ import annotations

from heldout import load, measure

from matcher.skills import default_resolver

#: Measured on main before issue 13 (hand-written taxonomy, old resolver): 112 of 176 groups
#: whole (63.6%), 41 false merges.
MIN_WHOLE_SHARE = 0.95


def test_heldout_set_is_real_and_big_enough() -> None:
    data = load()
    assert set(data["packages"]) == {"linguist-languages", "simple-icons", "devicon"}
    assert sum(len(g["variants"]) for g in data["groups"]) >= 300
    assert len(data["lookalike_pairs"]) >= 100


def test_heldout_groups_resolve_whole_and_lookalikes_stay_apart() -> None:
    result = measure(default_resolver(), load())
    assert result.merges == [], result.summary()
    assert result.whole_share >= MIN_WHOLE_SHARE, (result.summary(), result.broken)
