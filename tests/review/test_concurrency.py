"""Two reviewers deciding the same task at once: exactly one verdict is stored."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tandem.auth import service as auth
from tandem.kit.errors import Conflict
from tandem.models import Review, User
from tandem.models.enums import ReviewVerdict
from tandem.review import service
from tandem.review.schemas import Reason, ReviewIn
from tests import factories as f

ROUNDS = 5


def _setup(engine: Engine) -> tuple[list[int], list[int]]:
    with Session(engine) as db:
        org = f.org(db)
        owner = f.requester(db, org)
        proj = f.project(db, owner, org, overlap=1, quality_policy={"review_sample_rate": 1.0})
        f.items(db, proj, ROUNDS)
        expert = f.expert(db)
        for _ in range(ROUNDS):
            f.submission(db, proj, expert)
        reviewers = [f.reviewer(db, org).user.id for _ in range(2)]
        tasks = [
            e.task_id
            for e in service.review_queue(db, auth.actor_for(db, db.get_one(User, reviewers[0])))
        ]
        db.commit()
    return tasks, reviewers


def _decide(
    engine: Engine,
    user_id: int,
    task_id: int,
    verdict: ReviewVerdict,
    out: list[str],
    gate: threading.Barrier,
) -> None:
    # wait before touching the database: on SQLite the first query takes the write lock
    gate.wait(timeout=30)
    with Session(engine) as db:
        actor = auth.actor_for(db, db.get_one(User, user_id))
        body = ReviewIn(verdict=verdict, reasons=[Reason.INCOMPLETE])
        try:
            service.decide(db, actor, task_id, body)
            db.commit()
            out.append(str(verdict))
        except Conflict:
            db.rollback()
            out.append("conflict")


def test_racing_reviewers_store_one_verdict_per_task(committed_engine: Engine) -> None:
    tasks, reviewers = _setup(committed_engine)
    assert len(tasks) == ROUNDS
    for task_id in tasks:
        outcomes: list[str] = []
        gate = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=_decide, args=(committed_engine, user, task_id, verdict, outcomes, gate)
            )
            for user, verdict in zip(
                reviewers, (ReviewVerdict.ACCEPT, ReviewVerdict.REJECT), strict=True
            )
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) in (["accept", "conflict"], ["conflict", "reject"]), outcomes
    with committed_engine.connect() as conn:
        per_task = conn.execute(
            select(Review.submission_id, func.count()).group_by(Review.submission_id)
        ).all()
    assert len(per_task) == ROUNDS and all(n == 1 for _, n in per_task)
