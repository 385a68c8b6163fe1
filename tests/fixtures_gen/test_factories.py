"""The factories make valid, realistic rows on both databases (pytest-factoryboy fixtures)."""

from __future__ import annotations

from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlmodel import Session

from fixtures import factories
from matcher.models import Candidate, CandidatePersonal, CandidateSkill, RequirementSkill, ShortlistEntry


def test_every_factory_makes_a_row(session: Session) -> None:
    for factory in factories.ALL_FACTORIES:
        obj = factory()
        session.flush()
        assert obj in session, factory.__name__
    session.commit()


def test_candidate_fixture_is_complete_and_realistic(session: Session, candidate: Candidate) -> None:
    session.commit()
    assert candidate.timezone in available_timezones()
    assert candidate.track in {"engineer", "developer"}
    personal = session.get(CandidatePersonal, candidate.id)
    assert personal is not None and "@" in personal.email
    skills = session.exec(select(CandidateSkill).where(CandidateSkill.candidate_id == candidate.id)).all()  # type: ignore[call-overload]
    assert skills and all(s[0].skill_key for s in skills)


def test_factory_batches_differ_by_track(
    session: Session, candidate_factory: type[factories.CandidateFactory]
) -> None:
    rows = candidate_factory.create_batch(60)
    session.commit()
    tracks = {c.track for c in rows}
    assert tracks == {"engineer", "developer"}
    assert len({c.external_id for c in rows}) == 60


def test_requirement_and_shortlist_fixtures(session: Session, shortlist_entry: ShortlistEntry) -> None:
    session.commit()
    assert shortlist_entry.requirement_id is not None
    n = session.scalar(
        select(func.count())
        .select_from(RequirementSkill)
        .where(
            RequirementSkill.requirement_id == shortlist_entry.requirement_id  # type: ignore[arg-type]
        )
    )
    assert n and n >= 1
