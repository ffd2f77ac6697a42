"""The hourly jobs inside `tandem serve`: allocation, then quality for stale projects."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session, sessionmaker

from tandem.dispatch.allocator import allocate_live_projects
from tandem.kit.clock import utcnow
from tandem.quality.service import recompute_stale_projects

log = logging.getLogger("tandem.dispatch")
INTERVAL_SECONDS = 3600


def allocate_once(factory: sessionmaker[Session]) -> int:
    """One run over every live project, in its own transaction; items reserved."""
    with factory() as db:
        results = allocate_live_projects(db, utcnow())
        db.commit()
    return sum(r.reserved for r in results)


def recompute_quality_once(factory: sessionmaker[Session]) -> int:
    """Recompute aggregates, trust and reports of projects with new submissions; how many."""
    with factory() as db:
        ids = recompute_stale_projects(db, utcnow())
        db.commit()
    return len(ids)


async def run_hourly(factory: sessionmaker[Session], interval: float = INTERVAL_SECONDS) -> None:
    """Run the hourly jobs now and then every `interval` seconds until cancelled."""
    while True:
        for name, job in (("allocation", allocate_once), ("quality", recompute_quality_once)):
            try:
                done = await asyncio.to_thread(job, factory)
                log.info("%s run: %d", name, done)
            except Exception:  # a failed run must not stop the next one
                log.exception("%s run failed", name)
        await asyncio.sleep(interval)
