"""Seeding gives every candidate a seeded voluntary self-identification (demo data for the
audit), the same for the same seed, with a share of "not disclosed"."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, select

from matcher.models import SelfIdentification
from matcher.services.imports.seeding import seed


def _answers(session: Session) -> dict[object, tuple[str, str]]:
    return {r.candidate_id: (r.sex, r.race_ethnicity) for r in session.exec(select(SelfIdentification))}


def test_seeding_records_self_identification_deterministically(session: Session) -> None:
    seed(session, candidates=300, requirements=0, seed=11, rematch=False)
    first = _answers(session)
    assert len(first) == 300
    seed(session, candidates=300, requirements=0, seed=11, rematch=False)
    assert _answers(session) == first
    sexes = Counter(s for s, _ in first.values())
    races = Counter(r for _, r in first.values())
    assert set(sexes) == {"female", "male", "not_disclosed"}
    assert {"white", "asian", "hispanic_or_latino", "not_disclosed"} <= set(races)
    assert 0.03 < races["not_disclosed"] / 300 < 0.2
