"""Item import: time and peak Python memory for 10,000 and 100,000 rows, same run.

Usage: uv run python benchmarks/bench_import.py [DATABASE_URL]
(default: a temporary SQLite file). Memory should not grow with the file: the ratio of
peak traced memory between the two sizes is printed and should stay near 1.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy.orm import Session
from tests import factories as f

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.items.service import import_items


def _file(rows: int) -> io.StringIO:
    text = "".join(
        json.dumps({"external_id": f"r{n}", "a": f"answer A {n} " * 8, "b": f"answer B {n} " * 8})
        + "\n"
        for n in range(rows)
    )
    return io.StringIO(text)


def _run(url: str, rows: int) -> tuple[float, int]:
    engine = make_engine(url)
    stream = _file(rows)
    with Session(engine) as db:
        org = f.org(db)
        owner = f.requester(db, org)
        proj = f.project(db, owner, org)
        db.commit()
        tracemalloc.start()
        started = time.perf_counter()
        count = import_items(db, owner, proj.id, stream, "jsonl")
        db.commit()
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    engine.dispose()
    assert count == rows
    return seconds, peak


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        small = _run(url, 10_000)
        large = _run(url, 100_000)
    print(f"database: {url.split(':')[0]}")
    for rows, (secs, peak) in ((10_000, small), (100_000, large)):
        print(
            f"{rows:>7} rows: {secs:6.2f} s, {rows / secs:8.0f} rows/s, "
            f"peak traced memory {peak / 2**20:6.1f} MiB"
        )
    print(
        f"peak memory ratio 100k/10k: {large[1] / small[1]:.2f} (file is 10x larger; "
        "the input file itself is held in memory by this script and excluded)"
    )


if __name__ == "__main__":
    main()
