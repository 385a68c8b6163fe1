"""Skill chips: exact, alias, related (with its share of the credit) and missing are told
apart, with years as "8 y (needs 3)"; chips name skills by taxonomy names only."""

from __future__ import annotations

from matcher.services.shortlists.compact import ChipKind, Held, Required, chips
from matcher.skills import load_taxonomy

TAXONOMY = load_taxonomy()


def test_each_kind_of_match_has_its_own_chip() -> None:
    required = [
        Required("python", "must", 3),
        Required("postgresql", "must", 0),
        Required("kafka", "must", 2),
        Required("docker", "nice", 0),
    ]
    held = [Held("django", "exact", 8), Held("postgresql", "alias", 5), Held("docker", "exact", 1)]
    got = {c.required: c for c in chips(required, held, TAXONOMY)}
    assert [(c.kind, c.must) for c in got.values()] == [
        (ChipKind.related, True),
        (ChipKind.alias, True),
        (ChipKind.missing, True),
        (ChipKind.exact, False),
    ]
    assert got["Python"].text == "Python via Django, 60% credit · 8 y (needs 3)"
    assert got["PostgreSQL"].text == "PostgreSQL (alias) · 5 y"
    assert got["Apache Kafka"].text == "Apache Kafka: missing"
    assert got["Docker"].years_text == "1 y"


def test_the_skill_itself_beats_a_related_one_and_more_years_beat_fewer() -> None:
    required = [Required("python", "must", 4)]
    assert (
        chips(required, [Held("django", "exact", 9), Held("python", "exact", 4)], TAXONOMY)[0].kind
        is ChipKind.exact
    )
    short = chips(required, [Held("python", "exact", 0.5), Held("fastapi", "exact", 9)], TAXONOMY)[0]
    # 1.0 x years factor of 0.5/4 against 0.6 x full years: the related skill earns more
    assert (short.kind, short.via, short.years) == (ChipKind.related, "FastAPI", 9)
