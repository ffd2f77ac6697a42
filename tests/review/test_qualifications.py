"""Qualification tests: auto-graded per type, paid, a cooldown, an expiry, a granted level."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict, NotFound, ValidationFailed
from tandem.models import Item, Project, Qualification
from tandem.models.enums import AttemptStatus
from tandem.review import audit, qualifications
from tandem.review.schemas import AttemptIn, GradeTextIn, QualificationIn
from tests import factories as f
from tests.review.conftest import Team

FORM = {
    "questions": [
        {"type": "label", "id": "topic", "prompt": "Topic", "options": ["tax", "law", "other"]},
        {"type": "rating", "id": "risk", "prompt": "Risk", "min": 1, "max": 5},
        {"type": "ranking", "id": "order", "prompt": "Best first", "field": "cands"},
    ]
}
CANDS = ["a", "b", "c", "d", "e"]


def _test_project(db: Session, team: Team, form: dict[str, Any] = FORM) -> Project:
    proj = f.project(
        db,
        team.owner,
        team.org,
        form=form,
        time_estimate_seconds=600,
        pay_terms={"model": "hourly", "currency": "USD", "hourly_rate_minor": 1800},
        quality_policy={"rating_tolerance": 1, "ranking_min_correlation": 0.8},
    )
    for n in range(2):
        payload = {"text": f"case {n}", "cands": [{"id": c, "text": c.upper()} for c in CANDS]}
        gold = {"topic": "tax", "risk": 3, "order": CANDS}
        if any(q["type"] == "text" for q in form["questions"]):
            gold["why"] = "a model answer"
        db.add(Item(project_id=proj.id, external_id=f"g{n}", payload=payload, gold=gold))
    db.flush()
    return proj


def _qualification(db: Session, team: Team, proj: Project) -> Qualification:
    body = QualificationIn(
        project_id=proj.id,
        name="Tax basics",
        skill="tax",
        level=3,
        pass_mark=0.8,
        retake_cooldown_hours=48,
        valid_days=180,
    )
    return qualifications.create_qualification(db, team.owner, body)


def _answers(db: Session, qual: Qualification, expert: Actor, **override: Any) -> AttemptIn:
    test = qualifications.open_test(db, expert, qual.id)
    answer = {"topic": "tax", "risk": 4, "order": ["a", "b", "c", "e", "d"], **override}
    return AttemptIn(
        answers={str(i.item_id): dict(answer) for i in test.items}, active_seconds=1500
    )


def test_passing_grants_the_level_until_it_expires(
    db: Session, team: Team, clock: FakeClock
) -> None:
    qual = _qualification(db, team, _test_project(db, team))
    test = qualifications.open_test(db, team.expert, qual.id)
    assert len(test.items) == 2 and "gold" not in test.model_dump_json()
    assert test.pay_minor == 600  # 2 items x 10 min at 18.00/h
    attempt = qualifications.submit_attempt(
        db, team.expert, qual.id, _answers(db, qual, team.expert)
    )
    # rating 4 vs 3 is within tolerance 1, one swap of five is rho 0.9 >= 0.8
    assert attempt.status == AttemptStatus.GRADED and attempt.score == 1.0 and attempt.passed
    assert attempt.pay_minor == 750  # 25 min at 18.00/h beats the estimate
    expert_id = team.expert.expert.id  # type: ignore[union-attr]
    assert qualifications.skill_levels(db, expert_id) == {"tax": 3}
    assert qualifications.effective_skills(db, team.expert.expert) == {"tax": 3}  # type: ignore[arg-type]
    clock.advance(days=181)
    assert qualifications.skill_levels(db, expert_id) == {}
    assert [e.action for e in audit.my_events(db, team.expert)] == [
        "qualification.passed",
        "qualification.attempt",
    ]


def test_failing_is_paid_and_a_retake_waits_for_the_cooldown(
    db: Session, team: Team, clock: FakeClock
) -> None:
    qual = _qualification(db, team, _test_project(db, team))
    wrong = _answers(db, qual, team.expert, topic="law", risk=1)
    attempt = qualifications.submit_attempt(db, team.expert, qual.id, wrong)
    assert not attempt.passed and attempt.score == pytest.approx(1 / 3) and attempt.pay_minor > 0
    assert qualifications.skill_levels(db, team.expert.expert.id) == {}  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        qualifications.submit_attempt(db, team.expert, qual.id, wrong)
    clock.advance(hours=48)
    again = qualifications.submit_attempt(db, team.expert, qual.id, _answers(db, qual, team.expert))
    assert again.passed


def test_invalid_answers_name_the_item_and_question(db: Session, team: Team) -> None:
    qual = _qualification(db, team, _test_project(db, team))
    body = _answers(db, qual, team.expert, risk=9)
    with pytest.raises(ValidationFailed) as caught:
        qualifications.submit_attempt(db, team.expert, qual.id, body)
    first_item = next(iter(body.answers))
    assert caught.value.errors[0]["loc"] == ["answers", first_item, "risk"]


def test_free_text_waits_for_a_reviewer(db: Session, team: Team) -> None:
    form = {"questions": [*FORM["questions"], {"type": "text", "id": "why", "prompt": "Why"}]}
    qual = _qualification(db, team, _test_project(db, team, form))
    attempt = qualifications.submit_attempt(
        db, team.expert, qual.id, _answers(db, qual, team.expert, why="because of section 12")
    )
    assert attempt.status == AttemptStatus.PENDING_REVIEW and not attempt.passed
    pending = sorted(k for k, ok in attempt.results.items() if ok is None)
    assert [a.id for a in qualifications.pending_attempts(db, team.reviewer)] == [attempt.id]
    with pytest.raises(NotFound):  # another org's reviewer
        qualifications.grade_text(
            db, f.reviewer(db, f.org(db)), attempt.id, GradeTextIn(marks={k: True for k in pending})
        )
    with pytest.raises(ValidationFailed):
        qualifications.grade_text(
            db, team.reviewer, attempt.id, GradeTextIn(marks={pending[0]: True})
        )
    marks = {pending[0]: True, pending[1]: False}
    graded = qualifications.grade_text(db, team.reviewer, attempt.id, GradeTextIn(marks=marks))
    assert graded.status == AttemptStatus.GRADED and graded.score == pytest.approx(7 / 8)
    assert graded.passed and graded.grader_id == team.reviewer.user.id


def test_a_test_needs_gold_items(db: Session, team: Team) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _qualification(db, team, team.project)
    assert caught.value.errors[0]["loc"] == ["project_id"]
