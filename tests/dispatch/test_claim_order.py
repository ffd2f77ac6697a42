"""Which free item a claim takes: answered items first, within a bounded walk."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch.claims import _TAKE_SLOT, STARTED_WALK
from tandem.dispatch.service import next_assignment
from tandem.kit.clock import utcnow
from tandem.kit.errors import NoWorkAvailable
from tandem.models import Assignment, Item, Project
from tandem.models.enums import AssignmentStatus
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit
from tests import factories as f
from tests.conftest import TEST_DB

BODY = SubmitIn(response=f.good_response(), active_seconds=60)


def _project(db: Session, items: int, overlap: int) -> tuple[Project, list[Item]]:
    org = f.org(db)
    # no hourly pool limit: these experts claim many items in a row
    policy = {"pool_claims_per_hour": None}
    proj = f.project(db, f.requester(db, org), org, overlap=overlap, quality_policy=policy)
    return proj, f.items(db, proj, items)


def _work_one(db: Session, expert: Actor, project_id: int) -> int:
    claim = next_assignment(db, expert, project_id)
    submit(db, expert, claim.id, BODY, f"k{claim.id}")
    return claim.item_id


def test_an_item_with_answers_goes_out_before_a_fresh_one(db: Session) -> None:
    proj, _items = _project(db, 10, overlap=3)
    first = _work_one(db, f.expert(db), proj.id)
    # the next two experts complete that item before anybody starts another
    assert _work_one(db, f.expert(db), proj.id) == first
    assert _work_one(db, f.expert(db), proj.id) == first
    assert _work_one(db, f.expert(db), proj.id) != first
    assert db.get_one(Item, first).done == 3


def test_a_lone_expert_gets_fresh_items_past_their_own_answered_ones(db: Session) -> None:
    proj, _items = _project(db, STARTED_WALK + 45, overlap=3)
    alone = f.expert(db)
    answered = [_work_one(db, alone, proj.id) for _ in range(STARTED_WALK + 40)]
    assert len(set(answered)) == len(answered)  # never the same item twice
    # another expert's claim still fills the items that have answers
    assert _work_one(db, f.expert(db), proj.id) in answered
    assert _work_one(db, alone, proj.id) not in answered


def test_the_last_free_slots_are_found_beyond_the_walk(db: Session) -> None:
    proj, items = _project(db, STARTED_WALK + 3, overlap=2)
    expert, other = f.expert(db), f.expert(db)
    # every item has one answer: the top of the walk the expert's own, the rest another's
    by_id = sorted(items, key=lambda i: i.id, reverse=True)
    for n, item in enumerate(by_id):
        _answered(db, proj, item, expert if n < STARTED_WALK else other)
    claim = next_assignment(db, expert, proj.id)
    assert claim.item_id in {i.id for i in by_id[STARTED_WALK:]}


def test_nothing_is_handed_out_when_every_free_slot_is_the_experts_own(db: Session) -> None:
    proj, items = _project(db, 5, overlap=2)
    expert = f.expert(db)
    for item in items:
        _answered(db, proj, item, expert)
    with pytest.raises(NoWorkAvailable):
        next_assignment(db, expert, proj.id)


def _answered(db: Session, proj: Project, item: Item, by: Actor) -> None:
    now = utcnow()
    expert_id = by.require_expert().id
    db.add(
        Assignment(
            project_id=proj.id,
            item_id=item.id,
            expert_id=expert_id,
            status=AssignmentStatus.SUBMITTED,
            source="pool",
            opened_at=now - timedelta(minutes=5),
            lease_expires_at=now + timedelta(minutes=5),
            closed_at=now,
        )
    )
    db.execute(update(Item).where(Item.id == item.id).values(taken=Item.taken + 1))
    db.flush()


@pytest.mark.skipif(TEST_DB != "postgresql", reason="reads PostgreSQL's EXPLAIN ANALYZE")
def test_a_lone_experts_claim_reads_a_bounded_number_of_items(db: Session) -> None:
    answered = 3 * STARTED_WALK
    proj, items = _project(db, answered + 10, overlap=3)
    alone = f.expert(db)
    for item in sorted(items, key=lambda i: i.id, reverse=True)[:answered]:
        _answered(db, proj, item, alone)
    params = {"p": proj.id, "e": alone.require_expert().id, "k": proj.overlap}
    # the top of the walk, each of those rows once more to lock it, one fresh item and the
    # update's own row; before, the claim read all the expert's answered items (98 here)
    assert _items_read(db, params) <= 2 * STARTED_WALK + 2


def _items_read(db: Session, params: dict[str, Any]) -> int:
    """Rows of the item table the claim statement reads, from its executed plan."""
    conn = db.connection()

    def explained(*args: Any) -> tuple[str, Any]:  # the claim's own SQL and parameters
        sql = args[2]
        return ("EXPLAIN (ANALYZE, FORMAT JSON) " + sql if sql.startswith("UPDATE") else sql), args[
            3
        ]

    event.listen(conn, "before_cursor_execute", explained, retval=True)
    try:
        with db.begin_nested() as attempt:  # EXPLAIN ANALYZE runs the update: undo it
            plan = db.execute(_TAKE_SLOT[False], params).scalar()
            attempt.rollback()
    finally:
        event.remove(conn, "before_cursor_execute", explained)
    nodes = _nodes((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
    # rows a scan passed on, and rows it dropped itself (a filter inside the scan)
    read = [
        (n["Actual Rows"] + n.get("Rows Removed by Filter", 0)) * n["Actual Loops"]
        for n in nodes
        if _reads_items(n)
    ]
    return sum(read)


def _reads_items(node: dict[str, Any]) -> bool:
    return node.get("Relation Name") == "item" and node["Node Type"] != "ModifyTable"


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]
