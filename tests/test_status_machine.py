import itertools

import pytest

from shared.domain.status import (
    MESSAGES,
    PIPELINE,
    PROGRESS,
    RUNNING,
    TERMINAL,
    Status,
    can_transition,
    check_transition,
    next_progress,
    stage_progress,
)
from shared.errors import IllegalTransition


def test_pipeline_runs_in_order_and_progress_rises():
    for current, following in itertools.pairwise(PIPELINE):
        assert can_transition(current, following)
        assert PROGRESS[following] > PROGRESS[current]
    assert PROGRESS[Status.COMPLETED] == 100


def test_every_status_has_a_message():
    assert set(MESSAGES) == set(Status)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.PENDING, Status.RENDERING_VIDEO),  # skipping stages
        (Status.COMPLETED, Status.PENDING),  # a finished lesson is not redone
        (Status.RENDERING_VIDEO, Status.VALIDATING),  # backwards
        (Status.CANCELLED, Status.COMPLETED),
        (Status.CLARIFICATION_NEEDED, Status.RETRIEVING),  # answers requeue through pending
        (Status.REJECTED, Status.PENDING),
    ],
)
def test_illegal_transitions_raise(current, target):
    assert not can_transition(current, target)
    with pytest.raises(IllegalTransition):
        check_transition(current, target)


def test_side_exits_reachable_from_every_running_status():
    for status in RUNNING:
        for side in (Status.CLARIFICATION_NEEDED, Status.FAILED, Status.CANCELLED):
            assert can_transition(status, side)


def test_terminal_statuses_only_leave_by_retry():
    for status in TERMINAL:
        allowed = {t for t in Status if can_transition(status, t)}
        assert allowed <= {Status.PENDING}


def test_progress_never_goes_backwards_within_an_attempt():
    assert next_progress(60, Status.VALIDATING, new_attempt=False) == 60
    assert next_progress(60, Status.FAILED, new_attempt=False) == 60
    assert next_progress(60, Status.PENDING, new_attempt=True) == 0


def test_stage_progress_stays_inside_its_stage():
    assert stage_progress(Status.RENDERING_VIDEO, 0) == PROGRESS[Status.RENDERING_VIDEO]
    assert stage_progress(Status.RENDERING_VIDEO, 1.0) == PROGRESS[Status.UPLOADING]
    assert stage_progress(Status.RENDERING_VIDEO, 7) == PROGRESS[Status.UPLOADING]
