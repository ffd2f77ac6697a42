"""With several `tandem serve` workers, exactly one runs the periodic jobs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from tandem.app import create_app
from tandem.config import Settings
from tandem.dispatch.scheduler import hold_scheduler_lock


def test_one_holder_at_a_time_and_the_lock_is_free_again_once_closed(tmp_path: Path) -> None:
    first = hold_scheduler_lock(tmp_path)
    assert first is not None
    assert hold_scheduler_lock(tmp_path) is None
    first.close()
    again = hold_scheduler_lock(tmp_path)
    assert again is not None
    again.close()


def test_another_process_holding_the_lock_keeps_this_one_from_the_jobs(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        assert hold_scheduler_lock(tmp_path) is None
    finally:
        holder.communicate(b"\n")  # the holder exits, and its lock goes with it
    released = hold_scheduler_lock(tmp_path)
    assert released is not None
    released.close()


HOLD = """
import sys
from pathlib import Path
from tandem.dispatch.scheduler import hold_scheduler_lock
lock = hold_scheduler_lock(Path(sys.argv[1]))
print("held" if lock else "not held", flush=True)
sys.stdin.readline()
"""


def test_only_the_lock_holder_starts_the_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Path] = []

    async def jobs(_factory: object) -> None:
        started.append(tmp_path)

    monkeypatch.setattr("tandem.app.run_jobs", jobs)
    settings = Settings(var_dir=tmp_path, secret_key="test")
    factory = sessionmaker(bind=create_engine("sqlite://"))
    other = hold_scheduler_lock(tmp_path)  # another worker got there first
    assert other is not None
    with TestClient(create_app(settings, factory, scheduler=True)):
        pass
    assert started == []
    other.close()
    with TestClient(create_app(settings, factory, scheduler=True)):
        pass
    assert started == [tmp_path]
