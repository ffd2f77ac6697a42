"""Periodic jobs inside `tandem serve`: allocation hourly, stale quality reports every 5 min."""

from __future__ import annotations

import asyncio
import fcntl
import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session, sessionmaker

from tandem.dispatch.allocator import allocate_live_projects
from tandem.kit.clock import utcnow
from tandem.quality.service import recompute_stale_projects

log = logging.getLogger("tandem.dispatch")
INTERVAL_SECONDS = 3600
QUALITY_INTERVAL_SECONDS = 300


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


async def run_every(
    name: str,
    job: Callable[[sessionmaker[Session]], int],
    factory: sessionmaker[Session],
    interval: float,
) -> None:
    """Run `job` now and then every `interval` seconds until cancelled; errors are logged."""
    while True:
        try:
            done = await asyncio.to_thread(job, factory)
            log.info("%s run: %d", name, done)
        except Exception:  # a failed run must not stop the next one
            log.exception("%s run failed", name)
        await asyncio.sleep(interval)


async def run_jobs(factory: sessionmaker[Session]) -> None:
    """Allocation hourly; quality for projects with new submissions every 5 minutes."""
    await asyncio.gather(
        run_every("allocation", allocate_once, factory, INTERVAL_SECONDS),
        run_every("quality", recompute_quality_once, factory, QUALITY_INTERVAL_SECONDS),
    )


def hold_scheduler_lock(var_dir: Path) -> IO[str] | None:
    """The scheduler's lock file, held while it stays open; None if another process holds it.

    `tandem serve --workers N` starts N processes: the first to take the lock runs the
    jobs, the others serve requests only. The lock goes with the process, however it ends.
    """
    var_dir.mkdir(parents=True, exist_ok=True)
    handle = (var_dir / "scheduler.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
