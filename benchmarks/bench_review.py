"""Review: what the submit hook costs, and how fast the reviewer queue reads.

Usage: PYTHONPATH=. uv run --frozen python benchmarks/bench_review.py [DATABASE_URL]
(default: a temporary SQLite file).

1. Submit overhead: N claims + submits with `flag_and_enqueue` (sample 10%, gold on every
   item, so every submission is graded) against the same N with the hook switched off, in
   the same run; prints the time per submit for both and the ratio.
2. Queue read: one page (50) of `review_queue` over Q open tasks; the baseline is one
   `SELECT count(*)` of open tasks in the same run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from tests import factories as f

from tandem.auth.actor import Actor
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.dispatch.service import next_assignment
from tandem.models import Assignment, Item, Organization, Project, ReviewTask, Submission
from tandem.models.enums import AssignmentStatus
from tandem.review import service
from tandem.work import service as work_service
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit

SUBMITS = 1_000
QUEUE = 50_000


def _one(db: Session, proj: Project, expert: Actor, key: str) -> float:
    started = time.perf_counter()
    a = next_assignment(db, expert, proj.id)
    body = SubmitIn(response=f.good_response(), active_seconds=90)
    submit(db, expert, a.id, body, key)
    db.commit()
    return time.perf_counter() - started


def _project(db: Session, owner: Actor, org: Organization, n: int) -> Project:
    proj = f.project(
        db,
        owner,
        org,
        overlap=1,
        quality_policy={"review_sample_rate": 0.1, "pool_claims_per_hour": 100_000},
    )
    for item in f.items(db, proj, n):
        item.gold = {"preference": {"choice": "B"}, "quality": {"accuracy": 4}}
    db.commit()
    return proj


def bench_submit(db: Session) -> tuple[float, float]:
    """Interleaved, so machine load drifts the same way for both."""
    org = f.org(db)
    owner = f.requester(db, org)
    with_hook, without = _project(db, owner, org, SUBMITS), _project(db, owner, org, SUBMITS)
    a, b = f.expert(db), f.expert(db)
    db.commit()
    real = work_service.flag_and_enqueue
    hooked = base = 0.0
    for k in range(SUBMITS):
        work_service.flag_and_enqueue = lambda *args: None
        base += _one(db, without, b, f"b{k}")
        work_service.flag_and_enqueue = real
        hooked += _one(db, with_hook, a, f"h{k}")
    return base / SUBMITS, hooked / SUBMITS


def _fill_queue(db: Session, q: int) -> tuple[Actor, int]:
    org = f.org(db)
    owner = f.requester(db, org)
    proj = f.project(db, owner, org, overlap=1)
    expert, reviewer = f.expert(db), f.reviewer(db, org)
    db.execute(
        insert(Item),
        [
            {"project_id": proj.id, "payload": {"a": "A", "b": "B"}, "external_id": f"q{n}"}
            for n in range(q)
        ],
    )
    items = list(db.scalars(select(Item.id).where(Item.project_id == proj.id)))
    eid = expert.expert.id  # type: ignore[union-attr]
    db.execute(
        insert(Assignment),
        [
            {
                "project_id": proj.id,
                "item_id": i,
                "expert_id": eid,
                "status": AssignmentStatus.SUBMITTED,
            }
            for i in items
        ],
    )
    pairs = db.execute(
        select(Assignment.item_id, Assignment.id).where(Assignment.project_id == proj.id)
    )
    assignments = {item_id: assignment_id for item_id, assignment_id in pairs}
    rows = [
        {
            "project_id": proj.id,
            "assignment_id": assignments[i],
            "item_id": i,
            "expert_id": eid,
            "response": f.good_response(),
            "idempotency_key": f"b{i}",
        }
        for i in items
    ]
    db.execute(insert(Submission), rows)
    subs = list(db.scalars(select(Submission.id).where(Submission.project_id == proj.id)))
    db.execute(
        insert(ReviewTask),
        [
            {"project_id": proj.id, "submission_id": s, "stage": 1, "reasons": ["sampled"]}
            for s in subs
        ],
    )
    db.commit()
    return reviewer, proj.id


def bench_queue(db: Session) -> tuple[float, float]:
    reviewer, project_id = _fill_queue(db, QUEUE)
    started = time.perf_counter()
    db.scalar(
        select(func.count(ReviewTask.id)).where(
            ReviewTask.project_id == project_id, ReviewTask.status == "OPEN"
        )
    )
    base = time.perf_counter() - started
    started = time.perf_counter()
    page = service.review_queue(db, reviewer, project_id)
    took = time.perf_counter() - started
    assert len(page) == 50
    return base, took


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as db:
            base, hooked = bench_submit(db)
            print(
                f"submit without hook: {base * 1000:.2f} ms  with review hook: "
                f"{hooked * 1000:.2f} ms  ratio {hooked / base:.2f}"
            )
            qbase, qtook = bench_queue(db)
            print(
                f"queue over {QUEUE:,} open tasks: count(*) {qbase * 1000:.1f} ms  "
                f"first page of 50: {qtook * 1000:.1f} ms  ratio {qtook / qbase:.2f}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
