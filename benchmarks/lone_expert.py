"""One expert working a project alone: does the claim slow down as they answer more?

    uv run python -m benchmarks.lone_expert [--claims 1500] [--items 5000]

A fresh PostgreSQL database, one project (overlap 3), one expert doing claim -> submit
through the service layer with nobody else in the project, so every item they answered
stays short of its overlap. Prints claim p50 over their first 100 claims and over their
last 100, and the ratio (1.0: the claim does not grow with the expert's history).
"""

from __future__ import annotations

import argparse
import statistics
import time

from rich.console import Console
from rich.progress import track
from sqlalchemy.orm import Session, sessionmaker
from tests import factories as f

from benchmarks.dispatch import POLICY, create_db, drop_db
from tandem.auth.actor import Actor
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.dispatch.service import next_assignment
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit

console = Console(width=120)
BODY = SubmitIn(response=f.good_response(), active_seconds=60)


def _claim_times(url: str, claims: int, items: int) -> list[float]:
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as db:
        org = f.org(db)
        project = f.project(db, f.requester(db, org), org, overlap=3, quality_policy=POLICY)
        f.many_items(db, project.id, items)
        expert = f.expert(db)
        db.commit()
    times = []
    for _ in track(range(claims), description="claim → submit, one expert", console=console):
        times.append(_cycle(factory, expert, project.id))
    engine.dispose()
    return times


def _cycle(factory: sessionmaker[Session], expert: Actor, project_id: int) -> float:
    with factory() as db:
        started = time.perf_counter()
        claim = next_assignment(db, expert, project_id)
        db.commit()
        took = time.perf_counter() - started
        submit(db, expert, claim.id, BODY, f"k{claim.id}")
        db.commit()
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1500)
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args()
    name, url = create_db()
    try:
        upgrade(url)
        times = _claim_times(url, args.claims, args.items)
    finally:
        drop_db(name)
    first, last = (1000 * statistics.median(part) for part in (times[:100], times[-100:]))
    console.print(
        f"one expert alone: claim p50 {first:.2f} ms over their first 100 claims, "
        f"{last:.2f} ms over claims {args.claims - 99:,}–{args.claims:,}: × {last / first:.2f}"
    )


if __name__ == "__main__":
    main()
