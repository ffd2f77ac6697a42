"""Reviewing: accept / reject / fix with reasons, never one's own work, optional final QA."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.auth import service as auth
from tandem.auth.security import pseudonym
from tandem.experts.service import create_expert
from tandem.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.models import AuditEvent, Item, Submission
from tandem.models.enums import ReviewVerdict, Role, SubmissionStatus
from tandem.review import service
from tandem.review.schemas import Reason, ReviewIn
from tests import factories as f
from tests.review.conftest import Team

REJECT = ReviewIn(
    verdict=ReviewVerdict.REJECT, reasons=[Reason.WRONG_ANSWER], feedback="B is right"
)


def _task_id(db: Session, team: Team, sub: Submission) -> int:
    [entry] = [e for e in service.review_queue(db, team.reviewer) if e.submission_id == sub.id]
    return entry.task_id


def test_queue_shows_pseudonyms_and_flags(db: Session, team: Team) -> None:
    sub = f.submission(db, team.project, team.expert)
    [entry] = service.review_queue(db, team.reviewer)
    assert entry.submission_id == sub.id and entry.flags == ["sampled"]
    assert entry.expert == pseudonym(sub.expert_id, team.org.id)
    assert team.expert.user.email not in entry.model_dump_json()


def test_gold_is_shown_only_to_reviewers_without_an_expert_profile(db: Session, team: Team) -> None:
    sub = f.submission(db, team.project, team.expert)
    db.get_one(Item, sub.item_id).gold = {"preference": {"choice": "A"}}
    db.flush()
    assert service.review_queue(db, team.reviewer)[0].gold == {"preference": {"choice": "A"}}
    auth.grant_role(db, team.org.id, team.other_expert.user.id, Role.REVIEWER)
    expert_reviewer = auth.actor_for(db, team.other_expert.user)
    assert service.review_queue(db, expert_reviewer)[0].gold is None


def test_reject_needs_a_reason_and_is_logged_for_the_expert(db: Session, team: Team) -> None:
    sub = f.submission(db, team.project, team.expert)
    task = _task_id(db, team, sub)
    with pytest.raises(ValidationFailed) as caught:
        service.decide(db, team.reviewer, task, ReviewIn(verdict=ReviewVerdict.REJECT))
    assert caught.value.errors[0]["loc"] == ["reasons"]
    other = ReviewIn(verdict=ReviewVerdict.REJECT, reasons=[Reason.OTHER])
    with pytest.raises(ValidationFailed):
        service.decide(db, team.reviewer, task, other)
    review = service.decide(db, team.reviewer, task, REJECT)
    assert sub.status == SubmissionStatus.REJECTED
    [verdict] = service.my_verdicts(db, team.expert)
    assert verdict.review_id == review.id and verdict.reasons == ["wrong_answer"]
    assert verdict.feedback == "B is right" and verdict.can_appeal
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "review.reject"))
    assert event is not None and event.expert_id == sub.expert_id
    assert event.actor_user_id == team.reviewer.user.id and "wrong_answer" in event.reason


def test_fix_keeps_the_original_and_validates_the_correction(db: Session, team: Team) -> None:
    sub = f.submission(db, team.project, team.expert, f.good_response("A"))
    original = dict(sub.response)
    task = _task_id(db, team, sub)
    bad = ReviewIn(verdict=ReviewVerdict.FIX, reasons=[Reason.WRONG_ANSWER], edited_values={"x": 1})
    with pytest.raises(ValidationFailed) as caught:
        service.decide(db, team.reviewer, task, bad)
    assert caught.value.errors[0]["loc"][0] == "edited_values"
    fixed = f.good_response("B")
    review = service.decide(
        db,
        team.reviewer,
        task,
        ReviewIn(verdict=ReviewVerdict.FIX, reasons=[Reason.WRONG_ANSWER], edited_values=fixed),
    )
    assert review.edited_values == fixed
    assert sub.response == original and sub.status == SubmissionStatus.ACCEPTED
    assert service.corrected_versions(db, [sub.id]) == {sub.id: fixed}


def test_nobody_reviews_their_own_work(db: Session, team: Team) -> None:
    # an expert who is also a reviewer of the org never sees their own submission
    auth.grant_role(db, team.org.id, team.expert.user.id, Role.REVIEWER)
    both = auth.actor_for(db, team.expert.user)
    mine = f.submission(db, team.project, team.expert)
    theirs = f.submission(db, team.project, team.other_expert)
    assert [e.submission_id for e in service.review_queue(db, both)] == [theirs.id]
    task = _task_id(db, team, mine)
    with pytest.raises(PermissionDenied):
        service.decide(db, both, task, REJECT)


def test_a_task_is_decided_once(db: Session, team: Team) -> None:
    sub = f.submission(db, team.project, team.expert)
    task = _task_id(db, team, sub)
    service.decide(db, team.reviewer, task, ReviewIn(verdict=ReviewVerdict.ACCEPT))
    with pytest.raises((Conflict, PermissionDenied)):
        service.decide(db, team.second_reviewer, task, REJECT)
    assert service.review_queue(db, team.reviewer) == []


def test_other_orgs_cannot_review(db: Session, team: Team) -> None:
    sub = f.submission(db, team.project, team.expert)
    task = _task_id(db, team, sub)
    stranger = f.reviewer(db, f.org(db))
    assert service.review_queue(db, stranger) == []
    with pytest.raises(NotFound):
        service.decide(db, stranger, task, REJECT)


def test_final_qa_stage_needs_a_different_reviewer(db: Session, team: Team) -> None:
    team.project.quality_policy = {"review_sample_rate": 1.0, "final_qa_rate": 1.0}
    db.flush()
    sub = f.submission(db, team.project, team.expert)
    service.decide(
        db, team.reviewer, _task_id(db, team, sub), ReviewIn(verdict=ReviewVerdict.ACCEPT)
    )
    # the first reviewer does not see the stage-2 task; the second one does
    assert service.review_queue(db, team.reviewer) == []
    [qa] = service.review_queue(db, team.second_reviewer)
    assert qa.stage == 2 and qa.flags == ["final_qa"]
    with pytest.raises(PermissionDenied):
        service.decide(db, team.reviewer, qa.task_id, REJECT)
    service.decide(db, team.second_reviewer, qa.task_id, REJECT)
    assert sub.status == SubmissionStatus.REJECTED
    stages = [v.stage for v in service.my_verdicts(db, team.expert)]
    assert stages == [2, 1]


def test_a_reviewer_with_an_expert_profile_is_still_checked(db: Session, team: Team) -> None:
    create_expert(db, team.reviewer.user)
    reviewer = auth.actor_for(db, team.reviewer.user)
    sub = f.submission(db, team.project, team.expert)
    review = service.decide(db, reviewer, _task_id(db, team, sub), REJECT)
    assert review.reviewer_id == team.reviewer.user.id
