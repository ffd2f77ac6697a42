"""Appeals: 14 days, a different reviewer, a final outcome; pay follows the final verdict."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict, NotFound, PermissionDenied
from tandem.models import Submission
from tandem.models.enums import ReviewVerdict, SubmissionStatus
from tandem.review import appeals, audit, service
from tandem.review.schemas import AppealIn, AppealResolveIn, Reason, ReviewIn
from tests import factories as f
from tests.review.conftest import Team

STATEMENT = AppealIn(statement="The guidelines allow answer A here.")
REJECT = ReviewIn(verdict=ReviewVerdict.REJECT, reasons=[Reason.GUIDELINES], feedback="see 2.1")


def _rejected(db: Session, team: Team) -> tuple[Submission, int]:
    sub = f.submission(db, team.project, team.expert)
    [entry] = [e for e in service.review_queue(db, team.reviewer) if e.submission_id == sub.id]
    return sub, service.decide(db, team.reviewer, entry.task_id, REJECT).id


def test_appeal_goes_to_a_different_reviewer_and_is_final(db: Session, team: Team) -> None:
    sub, review_id = _rejected(db, team)
    appeal = appeals.open_appeal(db, team.expert, review_id, STATEMENT)
    assert sub.status == SubmissionStatus.APPEALED
    assert appeals.appeal_queue(db, team.reviewer) == []  # they made the decision
    assert [a.id for a in appeals.appeal_queue(db, team.second_reviewer)] == [appeal.id]
    overturn = AppealResolveIn(overturn=True, resolution="A is allowed by 2.1")
    with pytest.raises(PermissionDenied):
        appeals.resolve_appeal(db, team.reviewer, appeal.id, overturn)
    appeals.resolve_appeal(db, team.second_reviewer, appeal.id, overturn)
    assert sub.status == SubmissionStatus.FINAL_ACCEPTED
    with pytest.raises(Conflict):
        appeals.resolve_appeal(
            db, team.owner, appeal.id, AppealResolveIn(overturn=False, resolution="changed my mind")
        )
    with pytest.raises(Conflict):
        appeals.open_appeal(db, team.expert, review_id, STATEMENT)
    [verdict] = service.my_verdicts(db, team.expert)
    assert (
        verdict.appeal_status == "overturned" and verdict.appeal_resolution == "A is allowed by 2.1"
    )
    actions = [e.action for e in audit.my_events(db, team.expert)]
    assert actions == ["appeal.overturned", "appeal.open", "review.reject"]


def test_only_the_expert_appeals_and_only_within_14_days(
    db: Session, team: Team, clock: FakeClock
) -> None:
    _, review_id = _rejected(db, team)
    with pytest.raises(NotFound):
        appeals.open_appeal(db, team.other_expert, review_id, STATEMENT)
    clock.advance(days=14, seconds=1)
    assert service.my_verdicts(db, team.expert)[0].can_appeal is False
    with pytest.raises(Conflict):
        appeals.open_appeal(db, team.expert, review_id, STATEMENT)


def test_a_rejection_is_paid_until_it_is_final(db: Session, team: Team, clock: FakeClock) -> None:
    sub, _ = _rejected(db, team)
    decided = clock.now()
    assert appeals.is_payable(db, sub)
    assert appeals.final_rejections(db, sub.expert_id, clock.now() + timedelta(days=13)) == []
    clock.advance(days=14)
    assert not appeals.is_payable(db, sub)
    [final] = appeals.final_rejections(db, sub.expert_id, clock.now())
    assert final.submission_id == sub.id and final.reasons == ["guidelines_not_followed"]
    assert final.final_at == decided + timedelta(days=14) and final.feedback == "see 2.1"
    assert appeals.close_appeal_windows(db) == 1
    assert sub.status == SubmissionStatus.FINAL_REJECTED
    assert appeals.close_appeal_windows(db) == 0  # idempotent
    assert audit.my_events(db, team.expert)[0].who == "system"


def test_an_upheld_appeal_makes_the_rejection_final_at_once(
    db: Session, team: Team, clock: FakeClock
) -> None:
    sub, review_id = _rejected(db, team)
    appeal = appeals.open_appeal(db, team.expert, review_id, STATEMENT)
    assert appeals.is_payable(db, sub)
    clock.advance(days=2)
    appeals.resolve_appeal(
        db,
        team.second_reviewer,
        appeal.id,
        AppealResolveIn(overturn=False, resolution="2.1 says B"),
    )
    assert not appeals.is_payable(db, sub)
    [final] = appeals.final_rejections(db, sub.expert_id, clock.now())
    assert final.final_at == clock.now()


def test_an_appeal_closes_a_pending_final_qa_stage(db: Session, team: Team) -> None:
    team.project.quality_policy = {"review_sample_rate": 1.0, "final_qa_rate": 1.0}
    db.flush()
    _, review_id = _rejected(db, team)
    assert len(service.review_queue(db, team.second_reviewer)) == 1
    appeals.open_appeal(db, team.expert, review_id, STATEMENT)
    assert service.review_queue(db, team.second_reviewer) == []
