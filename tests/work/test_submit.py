"""Submitting: validated, idempotent, and nothing an expert submitted is ever lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.dispatch.service import lease_length, next_assignment
from tandem.kit.clock import FakeClock
from tandem.kit.errors import Conflict, NotFound, ValidationFailed
from tandem.models import Item, Submission
from tandem.models.enums import ItemStatus
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit
from tests import factories as f


@pytest.fixture
def live(db: Session) -> tuple:
    org = f.org(db)
    owner = f.requester(db, org)
    proj = f.project(db, owner, org, overlap=1)
    return proj, f.items(db, proj, 2)


def _body(choice: str = "A") -> SubmitIn:
    return SubmitIn(response=f.good_response(choice), active_seconds=60)


def _submissions(db: Session) -> int:
    return int(db.scalar(select(func.count(Submission.id))) or 0)


def test_retry_with_same_key_returns_same_submission_and_stores_nothing_twice(
    db: Session, live: tuple
) -> None:
    proj, _ = live
    expert = f.expert(db)
    a = next_assignment(db, expert, proj.id)
    first = submit(db, expert, a.id, _body(), "key-1")
    again = submit(db, expert, a.id, _body("B"), "key-1")
    assert again.id == first.id and again.response == first.response
    assert _submissions(db) == 1
    item = db.get(Item, a.item_id)
    assert item is not None and item.done == 1 and item.status == ItemStatus.COMPLETE


def test_key_reused_on_another_assignment_conflicts(db: Session, live: tuple) -> None:
    proj, _ = live
    expert = f.expert(db)
    a = next_assignment(db, expert, proj.id)
    submit(db, expert, a.id, _body(), "key-1")
    b = next_assignment(db, expert, proj.id)
    with pytest.raises(Conflict):
        submit(db, expert, b.id, _body(), "key-1")


def test_invalid_response_names_the_question(db: Session, live: tuple) -> None:
    proj, _ = live
    expert = f.expert(db)
    a = next_assignment(db, expert, proj.id)
    bad = f.good_response()
    bad["quality"]["accuracy"] = 11
    with pytest.raises(ValidationFailed) as caught:
        submit(db, expert, a.id, SubmitIn(response=bad), "k")
    assert caught.value.errors[0]["loc"][:2] == ["response", "quality"]
    assert _submissions(db) == 0


def test_second_answer_to_same_assignment_is_kept_but_not_counted(db: Session, live: tuple) -> None:
    proj, _ = live
    expert = f.expert(db)
    a = next_assignment(db, expert, proj.id)
    submit(db, expert, a.id, _body(), "k1")
    dup = submit(db, expert, a.id, _body("B"), "k2")
    assert dup.counted is False
    assert db.get(Item, a.item_id).done == 1  # type: ignore[union-attr]
    assert _submissions(db) == 2


def test_late_submission_is_kept_and_counted_only_if_the_slot_is_free(
    db: Session, live: tuple, clock: FakeClock
) -> None:
    proj, _ = live
    slow, fast, slower = f.expert(db), f.expert(db), f.expert(db)
    a = next_assignment(db, slow, proj.id)
    b = next_assignment(db, slower, proj.id)
    clock.advance(seconds=lease_length(proj).total_seconds() + 5)
    # the slot of `a` is reclaimed by `fast`, who submits first
    taken = next_assignment(db, fast, proj.id)
    assert taken.item_id in (a.item_id, b.item_id)
    submit(db, fast, taken.id, _body(), "f")
    late_loser = a if taken.item_id == a.item_id else b
    loser_actor = slow if late_loser is a else slower
    lost = submit(db, loser_actor, late_loser.id, _body(), "s")
    assert lost.late and not lost.counted
    other = b if late_loser is a else a
    other_actor = slower if other is b else slow
    won = submit(db, other_actor, other.id, _body(), "t")
    assert won.late and won.counted
    assert _submissions(db) == 3


def test_someone_elses_assignment_is_not_found(db: Session, live: tuple) -> None:
    proj, _ = live
    a = next_assignment(db, f.expert(db), proj.id)
    with pytest.raises(NotFound):
        submit(db, f.expert(db), a.id, _body(), "k")
