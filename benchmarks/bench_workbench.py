"""Workbench page server time on SQLite with 100,000 items in the project.

    uv run python -m benchmarks.bench_workbench [--items 100000] [--requests 300]

Serves the real app in-process (TestClient), logs an expert in, opens one item and then
times GET /work/assignments/{id} (the page an expert loads for every item) and, in the
same run, GET /health as the baseline of the stack itself. Prints p50/p95 and the ratio.
Goal: p95 under 30 ms.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker
from tests import factories as f

from tandem.app import create_app
from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.models import Item
from tandem.models.enums import ItemStatus


def _seed(sessions: sessionmaker[Session], items: int) -> tuple[str, int]:
    with sessions() as db:
        org = f.org(db)
        proj = f.project(db, f.requester(db, org), org, quality_policy={"gold_rate": 0})
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


def _times(client: TestClient, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        out.append((time.perf_counter() - started) * 1000)
    return sorted(out)


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
            _times(client, path, 20)  # warm up
            page = _times(client, path, args.requests)
            health = _times(client, "/health", args.requests)
    p95 = page[int(0.95 * len(page))]
    print(f"items: {args.items:,}; requests: {args.requests}")
    print(f"workbench page: p50 {statistics.median(page):.1f} ms, p95 {p95:.1f} ms")
    print(
        f"/health baseline: p50 {statistics.median(health):.1f} ms, "
        f"p95 {health[int(0.95 * len(health))]:.1f} ms"
    )
    ratio = statistics.median(page) / statistics.median(health)
    print(f"ratio workbench p50 / health p50: {ratio:.1f}")


if __name__ == "__main__":
    main()
