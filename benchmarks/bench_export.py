"""Export 1,000,000 submissions (`raw` format) to Parquet from PostgreSQL.

Usage: PYTHONPATH=. uv run --frozen python benchmarks/bench_export.py [--submissions N] [--pg URL]
       [--profile] [--jsonl]
Creates a scratch database (default postgresql+psycopg://postgres@127.0.0.1:5432), fills it
with SQL generate_series (N/3 items answered by 3 of 1,000 experts each, 2% reviewed), then
times `tandem.export.service.export_dataset(format=raw, file=parquet)` into a file.
Baseline, same run: the same rows, already in one Arrow table, written with
`pyarrow.parquet.write_table` alone. Goal: under 20 s, peak memory under 300 MB,
baseline / export >= 0.3. Also times reading the rows into Arrow alone (the floor the
database sets), the same export with rows fetched through the driver, `tandem project
export` as a process of its own (its whole peak RSS), and with --jsonl the same export as
JSON lines with its own peak memory.
"""

from __future__ import annotations

# isort: off
import tandem  # noqa: F401  (first, as in a server: it picks Arrow's allocator before pyarrow loads)

# isort: on
import argparse
import cProfile
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from tests import factories as f

from tandem.auth.actor import Actor
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.export import raw_repository
from tandem.export.schemas import ExportOptions
from tandem.export.service import export_dataset
from tandem.kit.clock import FakeClock, use_clock
from tandem.models import Expert, User

EXPERTS = 1_000
OVERLAP = 3
RESPONSE = (
    '{"preference": {"choice": "A", "strength": 2, "justification": "clearer and right"},'
    ' "quality": {"accuracy": 4, "clarity": 5}}'
)


def _people(engine: Engine) -> tuple[int, int, int, int]:
    """Owner, project and experts through the ORM; returns project, first expert, users."""
    with Session(engine) as db:
        org = f.org(db, "bench")
        owner = f.requester(db, org)
        reviewer = f.reviewer(db, org)
        project = f.project(db, owner, org, overlap=OVERLAP)
        users = [
            User(email=f"e{n}@bench.test", display_name=f"e{n}", password_hash="x")
            for n in range(EXPERTS)
        ]
        db.add_all(users)
        db.flush()
        db.add_all(Expert(user_id=u.id, country="US") for u in users)
        db.flush()
        first_expert = int(db.scalar(text("SELECT min(id) FROM expert")) or 0)
        db.commit()
        return project.id, first_expert, owner.user.id, reviewer.user.id


def _fill(engine: Engine, subs: int, project: int, first_expert: int, reviewer: int) -> None:
    """Items, assignments, submissions and reviews (enum columns hold member NAMES)."""
    item_of = f"((g - 1) / {OVERLAP} + 1)"
    expert_of = f"({first_expert} + g % {EXPERTS})"
    at = "(TIMESTAMP '2026-01-05 08:00' + (g % 10000) * INTERVAL '1 min')"
    statements = [
        f"INSERT INTO item (id, project_id, external_id, payload, is_gold, status, taken, done, "
        f"created_at) SELECT g, {project}, 'x' || g, "
        f"""'{{"a": "answer A", "b": "answer B"}}', false, 'COMPLETE', {OVERLAP}, {OVERLAP}, """
        f"{at} FROM generate_series(1, {subs // OVERLAP + 1}) g",
        f"INSERT INTO assignment (id, project_id, item_id, expert_id, status, source, created_at) "
        f"SELECT g, {project}, {item_of}, {expert_of}, 'SUBMITTED', 'pool', {at} "
        f"FROM generate_series(1, {subs}) g",
        f"INSERT INTO submission (id, project_id, assignment_id, item_id, expert_id, response, "
        f"active_seconds, telemetry, idempotency_key, status, counted, late, created_at) "
        f"SELECT g, {project}, g, {item_of}, {expert_of}, '{RESPONSE}', 60 + g % 600, '{{}}', "
        f"'k' || g, CASE WHEN g % 50 = 0 THEN 'ACCEPTED' ELSE 'SUBMITTED' END, true, false, {at} "
        f"FROM generate_series(1, {subs}) g",
        f"INSERT INTO review (project_id, submission_id, reviewer_id, stage, verdict, reasons, "
        f"feedback, created_at) SELECT {project}, g, {reviewer}, 1, 'ACCEPT', '[]', '', {at} "
        f"FROM generate_series(50, {subs}, 50) g",
    ]
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))
    # as autovacuum would have by the time anyone exports: otherwise the first reader of
    # freshly loaded rows pays to set their hint bits (writing every page once)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def _driver_rows(engine: Engine, project: int, owner: int, out: Path) -> float:
    """The same export with rows fetched through the driver (the path before COPY)."""
    copying = raw_repository.raw_columns
    raw_repository.raw_columns = partial(copying, copy=False)  # type: ignore[assignment]
    try:
        return _export(engine, project, owner, out)[0]
    finally:
        raw_repository.raw_columns = copying  # type: ignore[assignment]


def _export(
    engine: Engine, project: int, owner: int, out: Path, file: str = "parquet"
) -> tuple[float, int]:
    from tandem.auth import service as auth

    with Session(engine) as db:
        actor: Actor = auth.actor_for(db, db.get_one(User, owner))
        started = time.perf_counter()
        with out.open("wb") as sink:
            result = export_dataset(db, actor, project, ExportOptions("raw", file), sink)
        return time.perf_counter() - started, result.stats.rows


def _read_only(engine: Engine, project: int) -> float:
    """Seconds to stream the same rows out of PostgreSQL into Arrow columns, nothing else."""
    with Session(engine) as db:
        started = time.perf_counter()
        for _ in raw_repository.raw_columns(db, project, ExportOptions("raw"), by_item=False):
            pass
        return time.perf_counter() - started


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc (VmRSS: now, VmHWM: peak), in MiB."""
    status = Path("/proc/self/status").read_text()
    return int(next(ln for ln in status.splitlines() if ln.startswith(field)).split()[1]) / 1024


def _reset_peak() -> None:
    # Linux: writing 5 to clear_refs resets the peak RSS, so each phase gets its own
    Path("/proc/self/clear_refs").write_text("5")


def _jsonl(engine: Engine, project: int, owner: int, out: Path) -> None:
    """Export the same rows as JSON lines and print its time and peak memory."""
    _reset_peak()
    before = _status_mib("VmRSS")
    seconds, rows = _export(engine, project, owner, out, "jsonl")
    size = out.stat().st_size / 2**20
    print(f"JSONL: {rows:,} rows ({size:.0f} MiB) in {seconds:.2f} s")
    print(f"JSONL peak RSS: {_status_mib('VmHWM'):.0f} MiB ({before:.0f} MiB when it started)")


# runs the CLI in this interpreter and reports the process's own peak RSS at exit (VmHWM
# is per address space; a child's ru_maxrss would include the parent it was forked from)
_CLI_PEAK = """
import sys
from tandem.cli.main import app
try:
    app(sys.argv[1:])
finally:
    status = open("/proc/self/status").read().splitlines()
    print(next(ln for ln in status if ln.startswith("VmHWM")).split()[1], file=sys.stderr)
"""


def _cli(url: str, project: int, out: Path) -> tuple[float, float]:
    """`tandem project export` as a process of its own: wall seconds and its peak RSS (MiB).

    The whole process, interpreter and imports included, as someone exporting sees it.
    """
    command = [sys.executable, "-c", _CLI_PEAK, "project", "export", str(project)]
    command += ["--format", "raw", "--file", "parquet", "--out", str(out)]
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "TANDEM_DATABASE_URL": url, "TANDEM_VAR_DIR": var}
        started = time.perf_counter()
        done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    return seconds, int(done.stderr.split()[-1]) / 1024


def _baseline(source: Path, out: Path) -> float:
    table = pq.read_table(source)
    started = time.perf_counter()
    pq.write_table(table, out, compression="zstd", row_group_size=10_000)
    return time.perf_counter() - started


def main() -> None:
    """Set up, export, compare with pyarrow alone, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the export")
    parser.add_argument("--jsonl", action="store_true", help="also export JSON lines")
    args = parser.parse_args()
    use_clock(FakeClock(datetime(2026, 2, 2, 9, tzinfo=UTC)))
    name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{args.pg}/{name}"
    try:
        upgrade(url)
        engine = make_engine(url)
        started = time.perf_counter()
        project, first_expert, owner, reviewer = _people(engine)
        _fill(engine, args.submissions, project, first_expert, reviewer)
        print(f"setup: {time.perf_counter() - started:.1f} s")
        setup_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # pyarrow imports pandas on its first conversion (~2 s and ~45 MiB once per process,
        # not per export): a running server has done it already
        pa.array([datetime(2026, 1, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC"))
        # the setup (ORM users, migrations) has its own peak; the export is measured alone
        _reset_peak()
        rss_before = _status_mib("VmRSS")
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "raw.parquet"
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            seconds, rows = _export(engine, project, owner, data)
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
            # again, as a running server would: the first export also loads ADBC and reads
            # the server's type catalogue, once per process
            rss = _status_mib("VmHWM")
            again = _export(engine, project, owner, data)[0]
            rss_again = _status_mib("VmHWM")
            size = data.stat().st_size / 2**20
            if args.jsonl:  # before the baseline and the driver-row path, which grow the process
                _jsonl(engine, project, owner, Path(tmp) / "raw.jsonl")
            base = _baseline(data, Path(tmp) / "baseline.parquet")
            reading = _read_only(engine, project)
            rows_path = _driver_rows(engine, project, owner, Path(tmp) / "rows.parquet")
            cli_seconds, cli_peak = _cli(url, project, Path(tmp) / "cli")
        engine.dispose()
        print(f"exported {rows:,} submissions to Parquet ({size:.0f} MiB) in {seconds:.2f} s")
        print(f"the same export again in the same process: {again:.2f} s, peak {rss_again:.0f} MiB")
        print(f"peak RSS during the export: {rss:.0f} MiB ({rss_before:.0f} MiB when it started,")
        print(f"  {setup_peak:.0f} MiB peak of the setup before it)")
        print(f"tandem project export in a process of its own: {cli_seconds:.2f} s wall")
        print(f"  (start-up included), peak RSS of that process {cli_peak:.0f} MiB")
        print(f"baseline pyarrow write_table of the same rows: {base:.2f} s")
        print(f"of the export, reading PostgreSQL into Arrow columns alone: {reading:.2f} s")
        print(f"the same export fetching rows through the driver: {rows_path:.2f} s")
        ratio = f"{base / seconds:.2f} (goal >= 0.3); again: {base / again:.2f}"
        print(f"ratio baseline / export: {ratio}")
    finally:
        admin.connect().execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
