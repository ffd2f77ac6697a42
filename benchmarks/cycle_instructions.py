"""Instructions per claim → submit cycle, in process, counted by valgrind's callgrind.

    .venv/bin/python -m benchmarks.cycle_instructions [--cycles 100] [--modes service,http]
        [--keep DIR]

Cycles per second move by a fifth between runs on these machines; the instructions one
cycle runs repeat to about 0.2 %, so small changes are measured here (docs/benchmarks.md).
Seeds a PostgreSQL database (200,000 items, overlap 3), then for each mode starts itself
under `valgrind --tool=callgrind --instr-atstart=no`: the child warms up, the parent turns
counting on, the child runs --cycles cycles, the parent turns counting off. Every thread of
the child counts (event loop and work threads); PostgreSQL does not. Needs valgrind
(`apt-get install valgrind`) and the PostgreSQL server the dispatch benchmark uses.
  service  next_assignment + commit, then submit + commit (two sessions, as over HTTP)
  http     POST …/next and …/submit through the whole app, called as ASGI in process (an
           API token on both), with no socket in between
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import dispatch as bench

WARM_UP_CYCLES = 60
CLIENTS = 32  # experts taking turns, as many API tokens
MODULE = "benchmarks.cycle_instructions"


def _wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.05)


def _instrument(pid: int, switch: str) -> None:
    subprocess.run(["callgrind_control", "-i", switch, str(pid)], check=True, capture_output=True)


def _count(mode: str, setup: Path, cycles: int, signals: Path, keep: Path | None) -> int:
    """Instructions of `cycles` cycles in a child run under callgrind."""
    out = signals / f"callgrind.{mode}"
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    command += [f"--callgrind-out-file={out}", sys.executable, "-m", MODULE]
    command += ["--child", mode, "--setup", str(setup), "--cycles", str(cycles)]
    command += ["--signals", str(signals)]
    child = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    _wait_for(signals / "ready")
    _instrument(child.pid, "on")
    (signals / "go").touch()
    _wait_for(signals / "done")
    _instrument(child.pid, "off")
    (signals / "exit").touch()
    if child.wait() != 0:
        raise RuntimeError(f"the {mode} child failed")
    for name in ("ready", "go", "done", "exit"):
        (signals / name).unlink()
    totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
    if keep is not None:  # for callgrind_annotate --inclusive=yes
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(out, keep / out.name)
    return int(totals[0].split()[1])


def _child(mode: str, setup: dict[str, Any], cycles: int, signals: Path) -> None:
    from tandem.app import create_app
    from tandem.config import Settings

    app = create_app(Settings(database_url=setup["url"]))
    run = _service_cycles(setup) if mode == "service" else _http_cycles(app, setup)

    async def main() -> None:
        async with app.router.lifespan_context(app):
            await run(WARM_UP_CYCLES, 0)
            (signals / "ready").touch()
            _wait_for(signals / "go")
            await run(cycles, WARM_UP_CYCLES)
            (signals / "done").touch()
            _wait_for(signals / "exit")

    asyncio.run(main())


def _service_cycles(setup: dict[str, Any]) -> Any:
    from tests import factories as f

    from tandem.auth import service as auth
    from tandem.db.deps import committed_session
    from tandem.db.session import get_sessionmaker
    from tandem.dispatch.service import next_assignment
    from tandem.models import User
    from tandem.work.schemas import SubmitIn
    from tandem.work.service import submit

    factory = get_sessionmaker()
    body = SubmitIn(response=f.good_response(), active_seconds=60)
    with factory() as db:
        actors = [auth.actor_for(db, db.get_one(User, u)) for u in setup["users"]]

    async def run(count: int, offset: int) -> None:
        for n in range(offset, offset + count):
            actor = actors[n % len(actors)]
            with committed_session(factory) as db:
                claimed = next_assignment(db, actor, setup["project"])
            with committed_session(factory) as db:
                submit(db, actor, claimed.id, body, f"s{claimed.id}")

    return run


def _http_cycles(app: Any, setup: dict[str, Any]) -> Any:
    from tests import factories as f

    body = json.dumps({"response": f.good_response(), "active_seconds": 60}).encode()

    async def run(count: int, offset: int) -> None:
        for n in range(offset, offset + count):
            auth = {"authorization": f"Bearer {setup['tokens'][n % len(setup['tokens'])]}"}
            status, data = await _call(app, f"/api/v1/projects/{setup['project']}/next", auth)
            assert status == 200, data
            aid = json.loads(data)["id"]
            headers = {**auth, "content-type": "application/json", "idempotency-key": f"h{aid}"}
            status, data = await _call(app, f"/api/v1/assignments/{aid}/submit", headers, body)
            assert status == 201, data

    return run


async def _call(
    app: Any, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, bytes]:
    """One POST through the ASGI app, the way a server hands it over."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--modes", default="service,http")
    # keep each mode's callgrind output in this folder (callgrind.MODE)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--child")
    parser.add_argument("--setup", type=Path)
    parser.add_argument("--signals", type=Path)
    args = parser.parse_args()
    if args.child:
        setup = json.loads(args.setup.read_text())
        os.environ["TANDEM_DATABASE_URL"] = setup["url"]
        _child(args.child, setup, args.cycles, args.signals)
        return
    name, url = bench.create_db()
    try:
        _measure(url, args)
    finally:
        bench.drop_db(name)


def _measure(url: str, args: argparse.Namespace) -> None:
    from tandem.db.migrate import upgrade

    upgrade(url)
    project, _, users, tokens = bench._seed(url, 200_000, 2_000)
    bench._warm_up(url, project, users[-8:])
    table = Table("mode", "cycles counted", "instructions per cycle", "÷ service")
    counted: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        signals = Path(scratch)
        setup = signals / "setup.json"
        experts = {"users": users[:CLIENTS], "tokens": tokens[:CLIENTS]}
        setup.write_text(json.dumps({"url": url, "project": project, **experts}))
        for mode in args.modes.split(","):
            counted[mode] = _count(mode, setup, args.cycles, signals, args.keep) / args.cycles
            # what the HTTP stack adds to the service layer's own work, in the same run
            ratio = f"{counted[mode] / counted['service']:.2f}" if "service" in counted else "—"
            table.add_row(mode, str(args.cycles), f"{counted[mode] / 1e6:.3f} M", ratio)
    Console().print(table)


if __name__ == "__main__":
    main()
