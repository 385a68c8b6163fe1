"""Changes re-match what they affect, after they commit: candidates, requirements, profiles."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from matcher.models import Candidate, MatchRun, MatchRunRequirement, Requirement, ShortlistEntry
from matcher.runtime import Runtime
from matcher.schemas import (
    CandidateIn,
    Degree,
    Dimension,
    RequirementIn,
    RequirementStatus,
    Track,
    VettingStatus,
)
from matcher.services import runs
from matcher.services.imports import importing
from matcher.services.runs import triggers
from matcher.services.weight_profiles import store as profiles
from tests.helpers import runtime_on, session_on, session_scope
from tests.rematch_fixtures import SetEnv
from tests.rematch_support import ChunkRecorder, Seeded

CAND = Candidate.__table__  # type: ignore[attr-defined]
ENTRY = ShortlistEntry.__table__  # type: ignore[attr-defined]
MRR = MatchRunRequirement.__table__  # type: ignore[attr-defined]
RUN = MatchRun.__table__  # type: ignore[attr-defined]
REQ = Requirement.__table__  # type: ignore[attr-defined]


@pytest.fixture
def matched(engine: Engine, seeded: Seeded, pinned_settings: SetEnv) -> Seeded:
    """Every open requirement matched once; from then on changes re-match inline, after commit."""
    with session_scope(engine) as session:
        run_id = runs.start_run(session, dispatch=lambda task, args: None).id
    runs.run_inline(runtime_on(engine), run_id)
    pinned_settings(auto_rematch="true")
    return seeded


@pytest.fixture
def inline(engine: Engine, matched: Seeded) -> Runtime:
    """A runtime (auto re-match on, once ``matched``) whose re-matches run inline, after commit."""
    runtime = runtime_on(engine)
    runtime.dispatcher.register(runs.inline_dispatch(runtime))
    return runtime


def ids_by_external(engine: Engine) -> dict[str, uuid.UUID]:
    with session_on(engine) as session:
        return dict(session.execute(select(REQ.c.external_id, REQ.c.id)).all())


def latest_run(engine: Engine) -> Any:
    with session_on(engine) as session:
        return session.execute(select(RUN).order_by(RUN.c.created_at.desc()).limit(1)).one()


def run_requirements(engine: Engine, run_id: uuid.UUID) -> set[uuid.UUID]:
    with session_on(engine) as session:
        return set(session.scalars(select(MRR.c.requirement_id).where(MRR.c.run_id == run_id)))


def entry(engine: Engine, requirement_id: uuid.UUID, candidate_external_id: str) -> Any:
    with session_on(engine) as session:
        return session.execute(
            select(ENTRY)
            .join(CAND, CAND.c.id == ENTRY.c.candidate_id)
            .where(
                ENTRY.c.requirement_id == requirement_id,
                CAND.c.external_id == candidate_external_id,
            )
        ).first()


def tailored(base: CandidateIn, spec: RequirementIn) -> CandidateIn:
    """``base`` remade into the ideal candidate for ``spec``."""
    skills = [{"name": s.name, "years": 12, "last_used": 2026} for s in (*spec.must_have, *spec.nice_to_have)]
    fields = spec.education.fields if spec.education else []
    return CandidateIn.model_validate(
        {
            **base.model_dump(mode="json"),
            "track": spec.track.value,
            "seniority": spec.seniority.value,
            "years_experience": 15,
            "skills": skills,
            "vetting": {"status": "passed", "scores": {d.value: 5 for d in Dimension}},
            "hourly_rate": 1,
            "currency": spec.currency,
            "timezone": spec.timezone,
            "available_from": (spec.start_by - dt.timedelta(days=90)).isoformat(),
            "hours_per_week": 40,
            "education": {"degree": Degree.phd.value, "field": fields[0] if fields else None},
        }
    )


def open_specs(seeded: Seeded) -> list[RequirementIn]:
    return [r for r in seeded.requirements if r.status is RequirementStatus.open]


def test_a_changed_candidate_reaches_the_shortlists_it_fits_without_a_full_rematch(
    engine: Engine, matched: Seeded, inline: Runtime
) -> None:
    target = open_specs(matched)[0]
    base = next(c for c in matched.candidates if c.track is target.track)
    ids = ids_by_external(engine)
    with inline.session_scope() as session:
        importing.import_candidates(session, [tailored(base, target)])
    run = latest_run(engine)
    touched = run_requirements(engine, run.id)
    same_track = {ids[r.external_id] for r in open_specs(matched) if r.track is target.track}
    assert (run.trigger, run.status) == ("candidates", "succeeded")
    assert ids[target.external_id] in touched
    assert touched <= same_track < {ids[r.external_id] for r in open_specs(matched)}
    row = entry(engine, ids[target.external_id], base.external_id)
    assert (row.state, row.rank) == ("active", 1)


def test_a_candidate_who_fails_vetting_leaves_with_the_recruiters_notes(
    engine: Engine, matched: Seeded, inline: Runtime
) -> None:
    with session_on(engine) as session:
        rid, cid, external_id = session.execute(
            select(ENTRY.c.requirement_id, ENTRY.c.candidate_id, CAND.c.external_id)
            .join(CAND, CAND.c.id == ENTRY.c.candidate_id)
            .where(ENTRY.c.rank == 1)
            .limit(1)
        ).one()
    with inline.session_scope() as session:
        session.execute(
            update(ENTRY)
            .where(ENTRY.c.requirement_id == rid, ENTRY.c.candidate_id == cid)
            .values(stage="presented", client_note="strong fit, client interview Tuesday")
        )
    record = next(c for c in matched.candidates if c.external_id == external_id)
    failed = record.model_copy(
        update={"vetting": record.vetting.model_copy(update={"status": VettingStatus.failed})}
    )
    with inline.session_scope() as session:
        importing.import_candidates(session, [failed])
    row = entry(engine, rid, external_id)
    assert (row.state, row.rank, row.stage) == ("ineligible", None, "presented")
    assert row.client_note == "strong fit, client interview Tuesday"
    assert row.reasons[0] == "vetting failed, must be passed"
    assert rid in run_requirements(engine, latest_run(engine).id)


def test_a_changed_requirement_is_rematched_alone_and_a_closed_one_not_at_all(
    engine: Engine, matched: Seeded, inline: Runtime
) -> None:
    spec = open_specs(matched)[1]
    rid = ids_by_external(engine)[spec.external_id]
    with inline.session_scope() as session:
        importing.import_requirements(session, [spec.model_copy(update={"max_hourly_rate": 1.0})])
    run = latest_run(engine)
    assert (run.trigger, run.total, run.status) == ("requirement", 1, "succeeded")
    assert run_requirements(engine, run.id) == {rid}
    with session_on(engine) as session:
        states = set(session.scalars(select(ENTRY.c.state).where(ENTRY.c.requirement_id == rid)))
    assert "active" not in states  # nobody is that cheap
    with inline.session_scope() as session:
        importing.import_requirements(session, [spec.model_copy(update={"status": RequirementStatus.closed})])
    assert latest_run(engine).id == run.id


def test_a_new_profile_version_rematches_the_requirements_using_it(
    engine: Engine, matched: Seeded, inline: Runtime
) -> None:
    track = open_specs(matched)[0].track
    with inline.session_scope() as session:
        current = next(p for p in profiles.list_records(session) if p.is_default and p.track == track.value)
        weights = {**current.components, "rate": 0.5}
        new = profiles.write_version(
            session, current.name, components=weights, dimensions=current.dimensions, created_by="admin"
        )
        new_id = new.id
        triggers.on_profile_changed(session, new_id)
    run = latest_run(engine)
    ids = ids_by_external(engine)
    assert run.trigger == "profile"
    assert run_requirements(engine, run.id) == {
        ids[r.external_id] for r in open_specs(matched) if r.track is track
    }
    with session_on(engine) as session:
        pinned = set(session.scalars(select(MRR.c.weight_profile_id).where(MRR.c.run_id == run.id)))
        used = set(
            session.scalars(
                select(ENTRY.c.weight_profile_id).where(
                    ENTRY.c.requirement_id.in_(run_requirements(engine, run.id)), ENTRY.c.state == "active"
                )
            )
        )
    assert pinned == used == {new_id}


def test_nothing_is_enqueued_before_the_commit_nor_after_a_rollback(engine: Engine, matched: Seeded) -> None:
    rid = ids_by_external(engine)[open_specs(matched)[0].external_id]
    recorder = ChunkRecorder()
    with session_on(engine) as session:
        triggers.on_requirement_changed(session, rid, dispatch=recorder)
        assert recorder.sent == []
        session.rollback()
    assert recorder.sent == []
    with session_on(engine) as session:
        run = triggers.on_requirement_changed(session, rid, dispatch=recorder)
        assert run is not None
        run_id = run.id
        session.commit()
    assert [r for r, _ in recorder.sent] == [run_id]


def test_a_trigger_that_fails_after_starting_its_run_sends_nothing(
    engine: Engine, matched: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The savepoint's rollback takes the run's dispatch with it: a worker is never sent a run
    whose rows were not committed (the page would wait for a run that never comes)."""
    rid = ids_by_external(engine)[open_specs(matched)[0].external_id]
    real_start = triggers.start_run

    def start_then_fail(*args: Any, **kwargs: Any) -> Any:
        real_start(*args, **kwargs)
        raise RuntimeError("failed after the run was started")

    monkeypatch.setattr(triggers, "start_run", start_then_fail)
    recorder = ChunkRecorder()
    before = latest_run(engine).id
    with session_on(engine) as session:
        assert triggers.on_requirement_changed(session, rid, dispatch=recorder) is None
        assert not runs.rematch_pending(session)
        session.commit()
    assert recorder.sent == []
    assert latest_run(engine).id == before
    with session_on(engine) as session:
        error = session.execute(select(REQ.c.rematch_error).where(REQ.c.id == rid)).scalar_one()
    assert "failed after the run was started" in error


def test_auto_rematch_can_be_turned_off(engine: Engine, matched: Seeded, pinned_settings: SetEnv) -> None:
    pinned_settings(auto_rematch="false")
    before = latest_run(engine).id
    spec = open_specs(matched)[0]
    with session_scope(engine) as session:
        importing.import_requirements(session, [spec])
        importing.import_candidates(session, matched.candidates[:3])
        assert triggers.on_profile_changed(session, Track.engineer) is None
    assert latest_run(engine).id == before
