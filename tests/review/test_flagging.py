"""What reaches the queue: gold failures, too-fast work, low agreement and a fixed sample."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.models import Item, ReviewTask, Trust
from tandem.review.flagging import enqueue, flag_for_review, sampled
from tests import factories as f
from tests.review.conftest import Team


def _no_sample(db: Session, team: Team, **policy: float) -> None:
    team.project.quality_policy = {"review_sample_rate": 0.0, **policy}
    db.flush()


def _tasks(db: Session) -> list[ReviewTask]:
    return list(db.scalars(select(ReviewTask).order_by(ReviewTask.id)))


def test_sampling_is_deterministic_and_near_the_rate() -> None:
    picks = [sampled(7, n, 0.1) for n in range(20_000)]
    assert picks == [sampled(7, n, 0.1) for n in range(20_000)]
    assert 0.09 < sum(picks) / len(picks) < 0.11
    assert not any(sampled(7, n, 0.0) for n in range(1000))
    assert all(sampled(7, n, 1.0) for n in range(1000))


def test_clean_work_is_not_queued_without_sampling(db: Session, team: Team) -> None:
    _no_sample(db, team)
    sub = f.submission(db, team.project, team.expert, active_seconds=100)
    assert flag_for_review(db, sub, team.project) == []
    assert _tasks(db) == []


def test_gold_failure_and_too_fast_are_flagged_on_submit(db: Session, team: Team) -> None:
    _no_sample(db, team)
    for item in db.scalars(select(Item).where(Item.project_id == team.project.id)):
        item.gold = {"preference": {"choice": "B"}}
    db.flush()
    # the estimate is 120 s: 20 s is under a quarter of it
    sub = f.submission(db, team.project, team.expert, f.good_response("A"), active_seconds=20)
    [task] = _tasks(db)
    assert task.submission_id == sub.id and task.stage == 1
    assert task.reasons == ["gold_failure", "too_fast"]


def test_gold_within_rating_tolerance_passes(db: Session, team: Team) -> None:
    _no_sample(db, team, rating_tolerance=1)
    for item in db.scalars(select(Item).where(Item.project_id == team.project.id)):
        item.gold = {"quality": {"accuracy": 5}}  # the good response says 4
    db.flush()
    sub = f.submission(db, team.project, team.expert, active_seconds=100)
    assert flag_for_review(db, sub, team.project) == []


def test_low_agreement_is_flagged(db: Session, team: Team) -> None:
    _no_sample(db, team, low_agreement_below=0.6)
    db.add(Trust(project_id=team.project.id, expert_id=team.expert.expert.id, agreement=0.3))  # type: ignore[union-attr]
    db.flush()
    sub = f.submission(db, team.project, team.expert, active_seconds=100)
    assert flag_for_review(db, sub, team.project) == ["low_agreement"]
    assert [t.reasons for t in _tasks(db)] == [["low_agreement"]]


def test_enqueue_twice_keeps_one_task(db: Session, team: Team) -> None:
    sub = f.submission(db, team.project, team.expert)
    [first] = _tasks(db)
    again = enqueue(db, sub, ["too_fast"])
    assert again is not None and again.id == first.id and _tasks(db) == [first]
