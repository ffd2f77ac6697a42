"""Removal for low trust: a documented warning first, a grace period, a final appeal."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tandem.auth.security import pseudonym
from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.models import Trust
from tandem.models.enums import RemovalStatus
from tandem.review import audit, removals
from tandem.review.schemas import (
    RemovalAppealIn,
    RemovalDecisionIn,
    RemovalResolveIn,
    RemovalWarnIn,
)
from tests.review.conftest import Team

WHY = "gold accuracy 31% over 40 checks"


def _trust(db: Session, team: Team, score: float) -> Trust:
    row = Trust(project_id=team.project.id, expert_id=team.expert.expert.id, score=score)  # type: ignore[union-attr]
    db.add(row)
    db.flush()
    return row


def _warn_body(team: Team) -> RemovalWarnIn:
    return RemovalWarnIn(expert=pseudonym(team.expert.expert.id, team.org.id), reason=WHY)  # type: ignore[union-attr]


def test_only_low_trust_can_be_warned(db: Session, team: Team) -> None:
    _trust(db, team, 0.9)  # min_trust is 0.4
    with pytest.raises(Conflict):
        removals.warn(db, team.owner, team.project.id, _warn_body(team))
    with pytest.raises(ValidationFailed):
        removals.warn(
            db, team.owner, team.project.id, RemovalWarnIn(expert="expert-nobody", reason=WHY)
        )


def test_warning_first_then_removal_then_a_final_appeal(
    db: Session, team: Team, clock: FakeClock
) -> None:
    _trust(db, team, 0.2)
    warning = removals.warn(db, team.owner, team.project.id, _warn_body(team))
    expert_id = team.expert.expert.id  # type: ignore[union-attr]
    assert [r.id for r in removals.my_removals(db, team.expert)] == [warning.id]
    assert not removals.is_removed(db, expert_id, team.project.id)
    decision = RemovalDecisionIn(reason="no improvement after the warning")
    with pytest.raises(Conflict):  # a grace period of 7 days follows the warning
        removals.remove(db, team.owner, warning.id, decision)
    clock.advance(days=7)
    removals.remove(db, team.owner, warning.id, decision)
    assert removals.is_removed(db, expert_id, team.project.id)
    with pytest.raises(NotFound):
        removals.appeal(
            db, team.other_expert, warning.id, RemovalAppealIn(statement="not mine at all")
        )
    removals.appeal(
        db, team.expert, warning.id, RemovalAppealIn(statement="the gold items were wrong")
    )
    reinstate = RemovalResolveIn(reinstate=True, resolution="three gold items were wrong")
    with pytest.raises(PermissionDenied):
        removals.resolve(db, team.owner, warning.id, reinstate)
    removals.resolve(db, team.reviewer, warning.id, reinstate)
    assert warning.status == RemovalStatus.REINSTATED
    assert not removals.is_removed(db, expert_id, team.project.id)
    actions = [e.action for e in audit.my_events(db, team.expert)]
    assert actions == ["removal.reinstated", "removal.appeal", "removal.remove", "removal.warn"]
    assert audit.my_events(db, team.expert)[-1].reason == WHY


def test_recovered_trust_blocks_removal(db: Session, team: Team, clock: FakeClock) -> None:
    trust = _trust(db, team, 0.2)
    warning = removals.warn(db, team.owner, team.project.id, _warn_body(team))
    trust.score = 0.7
    clock.advance(days=8)
    with pytest.raises(Conflict):
        removals.remove(db, team.owner, warning.id, RemovalDecisionIn(reason="still low"))
    removals.withdraw(db, team.owner, warning.id, RemovalDecisionIn(reason="trust recovered"))
    assert warning.status == RemovalStatus.WITHDRAWN


def test_reviewers_cannot_warn(db: Session, team: Team) -> None:
    _trust(db, team, 0.2)
    with pytest.raises(NotFound):
        removals.warn(db, team.reviewer, team.project.id, _warn_body(team))
