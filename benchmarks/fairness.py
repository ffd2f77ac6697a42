"""Fair allocation against first-come-first-served, on the issue's scenario.

    uv run python -m benchmarks.fairness

30 experts (10 each in Asia/Jakarta, Europe/Berlin, America/New_York) with 4-hour
windows at 09:00-13:00 local; 3,000 items released at 02:00 Jakarta time; a fake clock
runs one day in 10-minute steps. Three policies, same run:
  fair          Tandem: reservations by the allocator, experts work in their windows;
  fcfs-windows  no reservations, experts poll only inside their windows;
  fcfs-greedy   no reservations, everybody polls around the clock (people stay up).
Prints per-zone totals, min/max share against the fair share (100), and how many items
were handed out outside the receiver's window.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session
from tests import factories as f

from tandem.auth.actor import Actor
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.dispatch.allocator import allocate
from tandem.dispatch.service import next_assignment
from tandem.dispatch.windows import inside, next_day_windows
from tandem.kit.clock import FakeClock, use_clock
from tandem.kit.errors import NoWorkAvailable
from tandem.models.enums import ProjectStatus
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit

ZONES = ("Asia/Jakarta", "Europe/Berlin", "America/New_York")
DAYTIME = [{"weekday": d, "start": "09:00", "end": "13:00"} for d in range(7)]
RELEASE = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)  # 02:00 Monday in Jakarta
console = Console()


def _simulate(db: Session, policy: str) -> tuple[Counter[str], Counter[int], int]:
    clock = FakeClock(RELEASE)
    use_clock(clock)
    org = f.org(db)
    owner = f.requester(db, org)
    proj = f.project(
        db, owner, org, overlap=1, quality_policy={"gold_rate": 0, "pool_claims_per_hour": 1000}
    )
    f.items(db, proj, 3000)
    people = [f.expert(db, time_zone=ZONES[n % 3], availability=DAYTIME) for n in range(30)]
    if policy == "fair":
        allocate(db, proj, RELEASE)
    proj.status = ProjectStatus.LIVE
    windows = {p.user.id: next_day_windows(DAYTIME, _zone(p), RELEASE) for p in people}
    per_zone: Counter[str] = Counter()
    per_person: Counter[int] = Counter()
    outside = 0
    for _ in range(144):
        now = clock.now()
        for person in people:
            mine = inside(windows[person.user.id], now)
            if not mine and policy != "fcfs-greedy":
                continue
            for _ in range(5):  # 10 minutes of 2-minute items
                if not _one(db, person, proj.id):
                    break
                per_zone[_zone(person)] += 1
                per_person[person.user.id] += 1
                outside += 0 if mine else 1
        clock.advance(minutes=10)
    return per_zone, per_person, outside


def _zone(person: Actor) -> str:
    return person.require_expert().time_zone


def _one(db: Session, who: Actor, project_id: int) -> bool:
    try:
        a = next_assignment(db, who, project_id)
    except NoWorkAvailable:
        return False
    submit(db, who, a.id, SubmitIn(response=f.good_response(), active_seconds=110), f"k{a.id}")
    return True


def main() -> None:
    table = Table("policy", *ZONES, "min share", "max share", "outside window")
    for policy in ("fair", "fcfs-windows", "fcfs-greedy"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'fair.db'}"
            upgrade(url)
            engine = make_engine(url)
            with (
                Session(engine, expire_on_commit=False) as db,
                console.status(f"simulating {policy}"),
            ):
                zones, people, outside = _simulate(db, policy)
            engine.dispose()
        shares = [people.get(uid, 0) for uid in people] + [0] * (30 - len(people))
        table.add_row(
            policy,
            *(str(zones[z]) for z in ZONES),
            str(min(shares)),
            str(max(shares)),
            str(outside),
        )
    console.print(table)
    console.print("fair share per expert: 100 items; per zone: 1000")


if __name__ == "__main__":
    main()
