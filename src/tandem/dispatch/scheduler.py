"""The hourly allocation run inside `tandem serve`."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session, sessionmaker

from tandem.dispatch.allocator import allocate_live_projects
from tandem.kit.clock import utcnow

log = logging.getLogger("tandem.dispatch")
INTERVAL_SECONDS = 3600


def allocate_once(factory: sessionmaker[Session]) -> int:
    """One run over every live project, in its own transaction; items reserved."""
    with factory() as db:
        results = allocate_live_projects(db, utcnow())
        db.commit()
    return sum(r.reserved for r in results)


async def run_hourly(factory: sessionmaker[Session], interval: float = INTERVAL_SECONDS) -> None:
    """Allocate now and then every `interval` seconds until cancelled; errors are logged."""
    while True:
        try:
            reserved = await asyncio.to_thread(allocate_once, factory)
            log.info("allocation run reserved %d items", reserved)
        except Exception:  # a failed run must not stop the next one
            log.exception("allocation run failed")
        await asyncio.sleep(interval)
