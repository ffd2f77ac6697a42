"""Workbench page server time on SQLite with 100,000 items in the project.

    uv run python -m benchmarks.bench_workbench [--items 100000] [--requests 300]

Logs an expert in, opens one item of a project with the demo's guidelines and then times
GET /work/assignments/{id} (the page an expert loads for every item) and GET /health, the
baseline of the stack itself, alternately so that both see the same machine load:

- server time: the ASGI app called directly on an event loop, as uvicorn calls it (sync
  routes still run in the thread pool), from the first byte in to the last byte out;
- round trip: the same through Starlette's TestClient, which adds its client thread hop.

Prints p50/p95 of each and the ratio to the same-run /health. Goal: p95 under 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker
from tests import factories as f

from tandem.app import create_app
from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.demo import GUIDELINES
from tandem.models import Item
from tandem.models.enums import ItemStatus


def _seed(sessions: sessionmaker[Session], items: int) -> tuple[str, int]:
    with sessions() as db:
        org = f.org(db)
        owner = f.requester(db, org)
        proj = f.project(db, owner, org, quality_policy={"gold_rate": 0}, guidelines=GUIDELINES)
        rows = [
            {
                "project_id": proj.id,
                "payload": {"prompt": f"p{n}", "a": f"A{n}", "b": f"B{n}"},
                "is_gold": False,
                "taken": 0,
                "done": 0,
                "status": ItemStatus.OPEN,
            }
            for n in range(items)
        ]
        for start in range(0, items, 10_000):
            db.execute(insert(Item), rows[start : start + 10_000])
        email = f.expert(db).user.email
        db.commit()
        return email, proj.id


def _asgi_get(app: Any, cookie: str) -> Callable[[str], float]:
    """A GET straight into the ASGI app on one event loop; returns milliseconds."""
    loop = asyncio.new_event_loop()

    async def call(path: str) -> int:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
            "server": ("testserver", 80), "state": {},
            "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        }  # fmt: skip
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    def timed(path: str) -> float:
        started = time.perf_counter()
        assert loop.run_until_complete(call(path)) == 200, path
        return (time.perf_counter() - started) * 1000

    return timed


def _client_get(client: TestClient) -> Callable[[str], float]:
    def timed(path: str) -> float:
        started = time.perf_counter()
        assert client.get(path).status_code == 200, path
        return (time.perf_counter() - started) * 1000

    return timed


def _alternate(get: Callable[[str], float], path: str, n: int) -> tuple[list[float], list[float]]:
    """`n` requests of the page and of /health, interleaved; both lists sorted."""
    page, health = [], []
    for _ in range(n):
        page.append(get(path))
        health.append(get("/health"))
    return sorted(page), sorted(health)


def _report(name: str, page: list[float], health: list[float]) -> None:
    def p95(xs: list[float]) -> float:
        return xs[int(0.95 * len(xs))]

    print(
        f"{name}: workbench p50 {statistics.median(page):.1f} ms, p95 {p95(page):.1f} ms; "
        f"/health p50 {statistics.median(health):.1f} ms, p95 {p95(health):.1f} ms; "
        f"ratio of p50s {statistics.median(page) / statistics.median(health):.1f}, "
        f"of p95s {p95(page) / p95(health):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'wb.db'}"
        upgrade(url)
        sessions = sessionmaker(bind=make_engine(url), expire_on_commit=False)
        email, project_id = _seed(sessions, args.items)
        app = create_app(Settings(secret_key="bench", var_dir=Path(tmp)), sessions)
        with TestClient(app) as client:
            token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
            assert token
            client.post("/login", data={"email": email, "password": f.PASSWORD, "csrf": token[1]})
            home = client.get("/work").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', home)
            assert csrf
            opened = client.post(f"/work/{project_id}/start", data={"csrf": csrf[1]})
            path = str(opened.url).replace(str(client.base_url), "")
            cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            server = _asgi_get(app, cookie)
            _alternate(server, path, 20)  # warm up
            served = _alternate(server, path, args.requests)
            _alternate(_client_get(client), path, 20)
            round_trip = _alternate(_client_get(client), path, args.requests)
    print(f"items: {args.items:,}; requests: {args.requests} of each, alternating")
    _report("server time (ASGI)", *served)
    _report("round trip (TestClient)", *round_trip)


if __name__ == "__main__":
    main()
