"""Which free item a claim takes: answered items first, within a bounded walk."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from psycopg import sql as psycopg_sql
from sqlalchemy import event, insert, select, text, update
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.db.direct import Direct
from tandem.dispatch.claim_ahead import CLAIM_AHEAD
from tandem.dispatch.claims import _PROJECT_FOR_CLAIM, PoolClaim, target_params
from tandem.dispatch.service import next_assignment
from tandem.dispatch.walk import STARTED_WALK, TAKE_SLOT
from tandem.kit.clock import utcnow
from tandem.kit.errors import NoWorkAvailable
from tandem.models import Assignment, Item, Project
from tandem.models.enums import AssignmentStatus
from tandem.wellbeing.hours import this_week_window
from tandem.wellbeing.repository import hours_params
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
    # fresh items enough that reading the whole table is no cheaper than the walk, as in
    # any project worth the name (with 106 rows the planner rightly reads them all)
    extra = [{"project_id": proj.id, "external_id": f"more{n}", "payload": {}} for n in range(3000)]
    db.execute(insert(Item), extra)
    alone = f.expert(db)
    for item in sorted(items, key=lambda i: i.id, reverse=True)[:answered]:
        _answered(db, proj, item, alone)
    params = {"p": proj.id, "e": alone.require_expert().id, "k": proj.overlap}
    # the top of the walk, each of those rows once more to lock it, one fresh item and the
    # update's own row; before, the claim read all the expert's answered items (98 here)
    assert _items_read(db, params) <= 2 * STARTED_WALK + 2


def _items_read(db: Session, params: dict[str, Any]) -> int:
    """Rows of the item table the claim statement reads, from its executed plan."""
    # with statistics, as a live database has them: on a table never analyzed the planner
    # guesses its size, and a guess that it was tiny made it scan the table once per row
    db.execute(text("ANALYZE item, assignment"))
    conn = db.connection()

    def explained(*args: Any) -> tuple[str, Any]:  # the claim's own SQL and parameters
        sql = args[2]
        return ("EXPLAIN (ANALYZE, FORMAT JSON) " + sql if sql.startswith("UPDATE") else sql), args[
            3
        ]

    event.listen(conn, "before_cursor_execute", explained, retval=True)
    try:
        with db.begin_nested() as attempt:  # EXPLAIN ANALYZE runs the update: undo it
            plan = db.execute(TAKE_SLOT[False], params).scalar()
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


@pytest.mark.skipif(TEST_DB != "postgresql", reason="reads PostgreSQL's generic plan")
def test_the_claim_read_finds_the_experts_open_work_without_reading_anyone_elses(
    db: Session,
) -> None:
    proj, _items = _project(db, 60, overlap=3)
    now = utcnow()
    for n in range(25):  # others' leases (newest items first) and reservations (oldest)
        other = f.expert(db)
        next_assignment(db, other, proj.id)
        reserved = Assignment(
            project_id=proj.id,
            item_id=_items[n].id,
            expert_id=other.require_expert().id,
            status=AssignmentStatus.RESERVED,
            source="reserved",
            window_start=now - timedelta(hours=1),
            reserved_until=now + timedelta(hours=1),
        )
        db.add(reserved)
    db.flush()
    expert = f.expert(db).require_expert()
    params = {**hours_params(expert.id, this_week_window(expert, now)), "p": proj.id, "now": now}
    # PostgreSQL keeps one plan per prepared statement: read the one it would keep (the
    # statuses OR-ed in one probe read all 50 open assignments of the others here)
    assert _plan_rows(db, _PROJECT_FOR_CLAIM, params, "assignment") <= 2


def _plan_rows(
    db: Session, statement: Direct, params: dict[str, Any], table: str, mode: str = "generic"
) -> int:
    """Rows of `table` the statement's generic plan (or `mode` "custom": the plan made for
    these values, PostgreSQL's default) reads, executed (then undone)."""
    sql, values = statement.bound(psycopg_dialect(paramstyle="numeric_dollar"), params)
    cursor = db.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    literals = psycopg_sql.SQL(", ").join(psycopg_sql.Literal(v) for v in values)
    with db.begin_nested():
        cursor.execute(f"SET LOCAL plan_cache_mode = force_{mode}_plan")
        # a table of a few dozen rows is read whole, rightly: ask which index would serve
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"PREPARE claim_read AS {sql}")
        cursor.execute(
            psycopg_sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim_read({})").format(
                literals
            )
        )
        plan = cursor.fetchone()[0]
        cursor.execute("DEALLOCATE claim_read")
    nodes = _nodes(plan[0]["Plan"])
    return sum(
        (n["Actual Rows"] + n.get("Rows Removed by Filter", 0)) * n["Actual Loops"]
        for n in nodes
        if n.get("Relation Name") == table
    )


@pytest.mark.skipif(TEST_DB != "postgresql", reason="reads PostgreSQL's plans")
@pytest.mark.parametrize("plan", ["generic", "custom"])
def test_the_claim_does_not_read_past_the_items_already_handed_out(db: Session, plan: str) -> None:
    proj, _items = _project(db, 10, overlap=3)
    f.many_items(db, proj.id, 20000, prefix="fresh")
    # statistics taken while every item is fresh, as at a project's go-live ...
    db.execute(text("ANALYZE item, assignment"))
    # ... then the newest 600 handed out and filled: the fresh walk starts below them
    newest = select(Item.id).where(Item.project_id == proj.id)
    newest = newest.order_by(Item.id.desc()).limit(600).scalar_subquery()
    db.execute(update(Item).where(Item.id.in_(newest)).values(taken=3))
    expert = f.expert(db).require_expert()
    now = utcnow()
    claim = PoolClaim(proj.id, expert.id, 3, now, now + timedelta(minutes=10), None, now)
    window = this_week_window(expert, now)
    params = {**target_params(proj.id, expert.id, now, window), **claim.params()}
    # either plan walks the claim index from the newest fresh item; a custom plan that
    # walked the primary key instead read every item handed out so far (600 here) on each
    # claim (Tandem's connections ask for generic plans, a pooler may drop that setting)
    read = _plan_rows(db, CLAIM_AHEAD[False], params, "item", plan)
    assert read <= 2 * STARTED_WALK + 4
