"""Real threads, real commits: concurrent claims never break overlap or hand an item twice."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tandem.auth import service as auth
from tandem.dispatch.service import next_assignment
from tandem.kit.errors import NoWorkAvailable
from tandem.models import Assignment, Item, Submission, User
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit
from tests import factories as f
from tests.conftest import TEST_DB

# The load: 5,000 claim -> submit cycles with overlap 3; 32 threads on
# PostgreSQL, 8 on SQLite (whose writers are serialized anyway).
OVERLAP = 3
ITEMS = 1667
EXPERTS = 32 if TEST_DB == "postgresql" else 8
T = TypeVar("T")
NO_POOL_LIMIT = {"pool_claims_per_hour": 100_000}


def _seed(factory: sessionmaker[Session], items: int = ITEMS) -> tuple[int, list[int]]:
    with factory() as db:
        org = f.org(db)
        owner = f.requester(db, org)
        proj = f.project(db, owner, org, overlap=OVERLAP, quality_policy=NO_POOL_LIMIT)
        f.items(db, proj, items)
        user_ids = [f.expert(db).user.id for _ in range(EXPERTS)]
        db.commit()
        return proj.id, user_ids


def _claim_all(
    factory: sessionmaker[Session], project_id: int, user_id: int, barrier: threading.Barrier
) -> list[int]:
    """Claim and submit until no work is left; returns item ids this expert did."""
    barrier.wait()
    done = []
    while True:
        with factory() as db:
            actor = auth.actor_for(db, db.get_one(User, user_id))
            try:
                a = next_assignment(db, actor, project_id)
            except NoWorkAvailable:
                return done
            submit(db, actor, a.id, SubmitIn(response=f.good_response()), f"k{a.id}")
            db.commit()
            done.append(a.item_id)


def test_concurrent_claims_respect_overlap_and_never_repeat(committed_engine: Engine) -> None:
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    project_id, user_ids = _seed(factory)
    barrier = threading.Barrier(len(user_ids))
    with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
        results = list(
            pool.map(lambda uid: _claim_all(factory, project_id, uid, barrier), user_ids)
        )
    for items_done in results:
        assert len(items_done) == len(set(items_done)), "an expert got the same item twice"
    per_item = Counter(i for items_done in results for i in items_done)
    assert sorted(per_item.values()) == [OVERLAP] * ITEMS
    with factory() as db:
        assert (
            db.scalar(select(func.count(Submission.id)).where(Submission.project_id == project_id))
            == ITEMS * OVERLAP
        )
        takens = db.scalars(select(Item.taken).where(Item.project_id == project_id)).all()
        assert set(takens) == {OVERLAP}
        assert (
            db.scalar(select(func.count(Assignment.id)).where(Assignment.project_id == project_id))
            == ITEMS * OVERLAP
        )


def test_concurrent_retries_of_one_submit_store_one_submission(committed_engine: Engine) -> None:
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    project_id, user_ids = _seed(factory)
    with factory() as db:
        actor = auth.actor_for(db, db.get_one(User, user_ids[0]))
        assignment_id = next_assignment(db, actor, project_id).id
        db.commit()
    barrier = threading.Barrier(8)

    def retry(_: int) -> int:
        barrier.wait()
        with factory() as db:
            actor = auth.actor_for(db, db.get_one(User, user_ids[0]))
            sub = submit(db, actor, assignment_id, SubmitIn(response=f.good_response()), "same")
            db.commit()
            return sub.id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(retry, range(8)))
    assert len(ids) == 1
    with factory() as db:
        assert (
            db.scalar(
                select(func.count(Submission.id)).where(Submission.assignment_id == assignment_id)
            )
            == 1
        )


def _in_parallel(n: int, work: Callable[[int], T]) -> list[T]:
    barrier = threading.Barrier(n)

    def run(k: int) -> T:
        barrier.wait()
        return work(k)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_parallel_claims_by_one_expert_open_one_lease_and_leak_no_slot(
    committed_engine: Engine,
) -> None:
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    project_id, user_ids = _seed(factory, items=50)

    def claim(_: int) -> int:
        with factory() as db:
            actor = auth.actor_for(db, db.get_one(User, user_ids[0]))
            a = next_assignment(db, actor, project_id)
            db.commit()
            return a.id

    assert len(set(_in_parallel(8, claim))) == 1, "one expert got two open leases"
    with factory() as db:
        taken = db.scalar(select(func.sum(Item.taken)).where(Item.project_id == project_id))
        assert taken == 1, "a lost race kept a slot without an assignment"


def test_parallel_submits_of_one_assignment_with_different_keys_count_once(
    committed_engine: Engine,
) -> None:
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    project_id, user_ids = _seed(factory, items=5)
    with factory() as db:
        actor = auth.actor_for(db, db.get_one(User, user_ids[0]))
        assignment_id = next_assignment(db, actor, project_id).id
        db.commit()

    def answer(k: int) -> bool:
        with factory() as db:
            actor = auth.actor_for(db, db.get_one(User, user_ids[0]))
            sub = submit(db, actor, assignment_id, SubmitIn(response=f.good_response()), f"k{k}")
            db.commit()
            return sub.counted

    counted = _in_parallel(6, answer)
    assert sorted(counted) == [False] * 5 + [True], "kept all six, counted exactly one"
    with factory() as db:
        stored = select(func.count(Submission.id)).where(Submission.assignment_id == assignment_id)
        assert db.scalar(stored) == 6
        done = db.scalar(select(func.sum(Item.done)).where(Item.project_id == project_id))
        assert done == 1
