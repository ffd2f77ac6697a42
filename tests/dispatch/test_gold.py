"""Gold checks: interleaved at the project's gold rate, reproducible, indistinguishable."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch.service import gold_turn, next_assignment
from tandem.kit.clock import FakeClock
from tandem.models import Assignment, Item, Project
from tandem.models.enums import AssignmentStatus
from tandem.work.service import describe
from tests import factories as f

RATE = 0.2
CLAIMS = 200


def _project(db: Session) -> Project:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org, overlap=1)
    proj.quality_policy = {"gold_rate": RATE, "pool_claims_per_hour": None}
    f.items(db, proj, CLAIMS)
    gold = [
        Item(
            project_id=proj.id,
            external_id=f"g{n}",
            payload={"a": f"gold A{n}", "b": f"gold B{n}"},
            gold={"preference": {"choice": "A"}},
            is_gold=True,
        )
        for n in range(CLAIMS)
    ]
    db.add_all(gold)
    db.flush()
    return proj


def _claims(db: Session, proj: Project, expert: Actor, clock: FakeClock) -> list[Assignment]:
    claimed = []
    for _ in range(CLAIMS):
        clock.advance(minutes=3)
        a = next_assignment(db, expert, proj.id)
        a.status = AssignmentStatus.SUBMITTED
        db.flush()
        claimed.append(a)
    return claimed


def test_gold_checks_come_at_the_projects_rate_on_a_reproducible_schedule(
    db: Session, clock: FakeClock
) -> None:
    proj = _project(db)
    expert = f.expert(db)
    claimed = _claims(db, proj, expert, clock)
    gold = [a for a in claimed if a.source == "gold"]
    # 200 draws at 0.2: 40 expected, 3 standard deviations is about 17
    assert 40 - 17 <= len(gold) <= 40 + 17
    expert_id = expert.require_expert().id
    # an audit recomputes every claim's turn from the lease's opening time alone
    turns = [gold_turn(proj.id, expert_id, RATE, a.opened_at) for a in claimed]  # type: ignore[arg-type]
    assert turns == [a.source == "gold" for a in claimed]
    assert all(db.get_one(Item, a.item_id).is_gold == (a.source == "gold") for a in claimed)


def test_a_gold_check_looks_like_any_other_item(db: Session, clock: FakeClock) -> None:
    proj = _project(db)
    claimed = _claims(db, proj, f.expert(db), clock)
    gold = next(a for a in claimed if a.source == "gold")
    plain = next(a for a in claimed if a.source == "pool")
    shown_gold, shown_plain = describe(db, gold).model_dump(), describe(db, plain).model_dump()
    item = db.get_one(Item, gold.item_id)
    assert shown_gold.keys() == shown_plain.keys()  # the same fields, nothing marks it
    assert item.gold is not None and item.gold not in shown_gold.values()  # answer stays
    assert shown_gold["payload"] == item.payload


def test_without_a_gold_rate_no_claim_is_a_gold_check(db: Session, clock: FakeClock) -> None:
    proj = _project(db)
    proj.quality_policy = {"gold_rate": 0.0, "pool_claims_per_hour": None}
    db.flush()
    claimed = _claims(db, proj, f.expert(db), clock)
    assert {a.source for a in claimed} == {"pool"}
    assert not gold_turn(proj.id, 1, 0.0, clock.now() + timedelta(seconds=1))
