"""The pipeline's state machine: who may move a candidate from which stage to which."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.core.pipeline import (
    CLIENT_STAGES,
    INTERNAL_STAGES,
    PRESENTABLE,
    DeclineReason,
    InvalidMove,
    Mover,
    Stage,
    allowed_moves,
    check_move,
    check_present,
    client_visible,
)

stages = st.sampled_from(list(Stage))
movers = st.sampled_from(list(Mover))
reasons = st.none() | st.sampled_from(list(DeclineReason))


def _try(current: Stage, target: Stage, by: Mover, reason: DeclineReason | None) -> bool:
    try:
        check_move(current, target, by, reason)
    except InvalidMove:
        return False
    return True


def test_stages_split_into_internal_and_client_facing() -> None:
    assert {Stage.new, Stage.reviewing, Stage.shortlisted, Stage.rejected} == INTERNAL_STAGES
    assert set(Stage) == INTERNAL_STAGES | CLIENT_STAGES
    assert not INTERNAL_STAGES & CLIENT_STAGES
    assert not client_visible(Stage.rejected) and not client_visible(Stage.shortlisted)
    assert client_visible(Stage.presented) and client_visible(Stage.withdrawn)


def test_the_staffing_path() -> None:
    r, c = Mover.recruiter, Mover.client
    assert check_move(Stage.new, Stage.shortlisted, r).after is Stage.shortlisted
    assert check_present(Stage.shortlisted, r).after is Stage.presented
    assert check_move(Stage.presented, Stage.client_interested, c).by is c
    asked = check_move(Stage.client_interested, Stage.interview_requested, c)
    assert asked.after is Stage.interview_requested
    assert check_move(Stage.interview_requested, Stage.offer, r).after is Stage.offer
    assert check_move(Stage.offer, Stage.hired, r).after is Stage.hired


@pytest.mark.parametrize(
    ("current", "target", "by", "reason", "message"),
    [
        (Stage.shortlisted, Stage.client_interested, Mover.client, None, "cannot move"),
        (Stage.new, Stage.shortlisted, Mover.client, None, "cannot move"),
        (Stage.presented, Stage.offer, Mover.client, None, "cannot move"),
        (Stage.presented, Stage.hired, Mover.recruiter, None, "cannot move"),
        (Stage.hired, Stage.withdrawn, Mover.recruiter, None, "no move is allowed"),
        (Stage.presented, Stage.declined_by_client, Mover.client, None, "needs a reason"),
        (Stage.presented, Stage.client_interested, Mover.client, DeclineReason.rate, "only a decline"),
        (Stage.new, Stage.presented, Mover.recruiter, None, "its own action"),
        (Stage.new, Stage.new, Mover.recruiter, None, "already"),
    ],
)
def test_forbidden_moves_say_why(
    current: Stage, target: Stage, by: Mover, reason: DeclineReason | None, message: str
) -> None:
    with pytest.raises(InvalidMove, match=message):
        check_move(current, target, by, reason)


def test_presenting() -> None:
    with pytest.raises(InvalidMove, match="only a recruiter"):
        check_present(Stage.shortlisted, Mover.client)
    with pytest.raises(InvalidMove, match="cannot be presented"):
        check_present(Stage.rejected, Mover.recruiter)
    with pytest.raises(InvalidMove, match="cannot be presented"):
        check_present(Stage.client_interested, Mover.recruiter)
    assert check_present(Stage.withdrawn, Mover.recruiter).before is Stage.withdrawn


@settings(max_examples=300, deadline=None)
@given(current=stages, target=stages, by=movers, reason=reasons)
def test_a_client_never_moves_into_or_out_of_internal_stages(
    current: Stage, target: Stage, by: Mover, reason: DeclineReason | None
) -> None:
    if by is Mover.client and _try(current, target, by, reason):
        assert current in CLIENT_STAGES and target in CLIENT_STAGES
        assert target in {Stage.client_interested, Stage.interview_requested, Stage.declined_by_client}


@settings(max_examples=300, deadline=None)
@given(current=stages, target=stages, by=movers, reason=reasons)
def test_nothing_moves_a_client_facing_candidate_back_to_internal_triage(
    current: Stage, target: Stage, by: Mover, reason: DeclineReason | None
) -> None:
    """Once presented, a candidate leaves the client's view only by a visible stage
    (withdrawn, declined, hired): never silently back into the recruiter's triage."""
    if current in CLIENT_STAGES and _try(current, target, by, reason):
        assert target in CLIENT_STAGES


@settings(max_examples=300, deadline=None)
@given(current=stages, target=stages, by=movers, reason=reasons)
def test_allowed_moves_is_what_check_move_accepts(
    current: Stage, target: Stage, by: Mover, reason: DeclineReason | None
) -> None:
    needs_reason = target is Stage.declined_by_client
    expected = target in allowed_moves(current, by) and (reason is not None) == needs_reason
    assert _try(current, target, by, reason) == expected


@settings(max_examples=200, deadline=None)
@given(path=st.lists(st.tuples(stages, movers, reasons), max_size=30))
def test_any_walk_reaches_only_stages_reachable_from_new(
    path: list[tuple[Stage, Mover, DeclineReason | None]],
) -> None:
    """Random walks of attempted moves: every accepted step is a legal move and a client
    can reach a candidate only after a recruiter presented it."""
    stage, seen_by_client = Stage.new, False
    for target, by, reason in path:
        if target is Stage.presented:
            if stage in PRESENTABLE and by is Mover.recruiter:
                stage = check_present(stage, by).after
            continue
        if _try(stage, target, by, reason):
            if by is Mover.client:
                assert client_visible(stage), "a client moved a candidate it could not see"
                seen_by_client = True
            stage = target
    if seen_by_client:
        assert stage in CLIENT_STAGES
