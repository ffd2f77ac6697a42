"""Pay run over 10,000 experts x 4 weeks (2,000,000 sessions) on PostgreSQL.

Usage: uv run python benchmarks/bench_payrun.py [--experts N] [--pg URL]
Creates a scratch database on the server (default postgresql+psycopg://postgres@127.0.0.1:5432),
fills it with SQL (200 sessions and 20 submissions per expert, each expert in 2 of 20 projects),
then times the pay run for 2026-01-05..2026-02-01 and a re-run (which must add nothing).
Baseline, same run: one GROUP BY over the same sessions, the least any pay run must read.
Goal: under 60 s and 500 MB peak memory.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import time
import tracemalloc
import uuid
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from tests import factories as f

from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.kit.clock import FakeClock, use_clock
from tandem.models import Expert, User
from tandem.pay.payrun import run_pay
from tandem.pay.periods import parse_period
from tandem.pay.policy import load_policy

PROJECTS = 20
SESSIONS_PER_EXPERT = 200
SUBMISSIONS_PER_EXPERT = 20
PERIOD = parse_period("2026-01-05..2026-02-01")
TERMS = [
    {"model": "hourly", "currency": "USD", "hourly_rate_minor": 3500},
    {"model": "per_item", "currency": "USD", "per_item_minor": 150},
    {"model": "per_item_with_floor", "currency": "USD", "per_item_minor": 90,
     "floor_hourly_minor": 1500},
]  # fmt: skip


def _people(engine: Engine, experts: int) -> tuple[int, int]:
    """Projects and experts through the ORM (no password hashing); returns first ids."""
    with Session(engine) as db:
        org = f.org(db, "bench")
        owner = f.requester(db, org)
        projects = [
            f.project(db, owner, org, overlap=1, pay_terms=TERMS[n % 3]) for n in range(PROJECTS)
        ]
        users = [
            User(email=f"b{n}@bench.test", display_name=f"b{n}", password_hash="x")
            for n in range(experts)
        ]
        db.add_all(users)
        db.flush()
        countries = ["US", "GB", "IN", "BR"]
        db.add_all(Expert(user_id=u.id, country=countries[n % 4]) for n, u in enumerate(users))
        db.flush()
        first_expert = db.scalar(text("SELECT min(id) FROM expert")) or 0
        db.execute(
            text("INSERT INTO fx_rate (base, quote, valid_on, rate, source, created_at) "
                 "VALUES ('GBP', 'USD', '2025-12-01', 1.27, 'bench', now())")
        )  # fmt: skip
        db.commit()
        return projects[0].id, int(first_expert)


def _expert_sql(first_expert: int, per_expert: int) -> str:
    """Row g belongs to the expert numbered (g - 1) / per_expert."""
    return f"({first_expert} + (g - 1) / {per_expert})"


def _project_sql(first_project: int, per_expert: int) -> str:
    """Each expert works in two neighbouring projects."""
    return f"({first_project} + ((g - 1) / {per_expert} + g % 2) % {PROJECTS})"


def _fill(engine: Engine, experts: int, first_project: int, first_expert: int) -> None:
    """Items, assignments, submissions and sessions with INSERT ... SELECT generate_series."""
    subs = experts * SUBMISSIONS_PER_EXPERT
    sessions = experts * SESSIONS_PER_EXPERT
    expert_of = _expert_sql(first_expert, SUBMISSIONS_PER_EXPERT)
    project_of = _project_sql(first_project, SUBMISSIONS_PER_EXPERT)
    at = (
        "(TIMESTAMP '2026-01-05 08:00' + (g % 28) * INTERVAL '1 day'"
        " + (g % 40) * INTERVAL '10 min')"
    )
    statements = [
        f"INSERT INTO item (id, project_id, external_id, payload, is_gold, status, taken, done, "
        f"created_at) SELECT g, {project_of}, 'x' || g, '{{}}', false, 'COMPLETE', 1, 1, {at} "
        f"FROM generate_series(1, {subs}) g",
        f"INSERT INTO assignment (id, project_id, item_id, expert_id, status, source, created_at) "
        f"SELECT g, {project_of}, g, {expert_of}, 'SUBMITTED', 'pool', {at} "
        f"FROM generate_series(1, {subs}) g",
        f"INSERT INTO submission (project_id, assignment_id, item_id, expert_id, response, "
        f"active_seconds, telemetry, idempotency_key, status, counted, late, created_at) "
        f"SELECT {project_of}, g, g, {expert_of}, '{{}}', 300, '{{}}', 'k' || g, "
        f"CASE WHEN g % 10 = 0 THEN 'ACCEPTED' ELSE 'SUBMITTED' END, true, false, {at} "
        f"FROM generate_series(1, {subs}) g",
        f"INSERT INTO work_session (project_id, expert_id, kind, started_at, last_beat_at, "
        f"active_seconds, night_seconds, created_at) "
        f"SELECT {_project_sql(first_project, SESSIONS_PER_EXPERT)}, "
        f"{_expert_sql(first_expert, SESSIONS_PER_EXPERT)}, "
        f"CASE WHEN g % 25 = 0 THEN 'GUIDELINES' ELSE 'ITEM' END, {at}, {at}, "
        f"60 + g % 900, CASE WHEN g % 7 = 0 THEN 60 ELSE 0 END, {at} "
        f"FROM generate_series(1, {sessions}) g",
        "ANALYZE",
    ]
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))


def _baseline(engine: Engine) -> float:
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(
            text("SELECT expert_id, project_id, kind, sum(active_seconds) FROM work_session "
                 "WHERE started_at >= :a AND started_at < :b GROUP BY 1, 2, 3"),
            {"a": PERIOD.starts_at.replace(tzinfo=None), "b": PERIOD.ends_at.replace(tzinfo=None)},
        ).all()  # fmt: skip
    return time.perf_counter() - started


def _pay(engine: Engine) -> tuple[float, int, int]:
    policy = load_policy()
    tracemalloc.start()
    started = time.perf_counter()
    with Session(engine) as db:
        result = run_pay(db, PERIOD, policy)
        db.commit()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result.entries_written


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the run")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
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
        first_project, first_expert = _people(engine, args.experts)
        _fill(engine, args.experts, first_project, first_expert)
        print(f"setup: {time.perf_counter() - started:.1f} s")
        sessions = args.experts * SESSIONS_PER_EXPERT
        subs = args.experts * SUBMISSIONS_PER_EXPERT
        base = _baseline(engine)
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        first = _pay(engine)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        again = _pay(engine)
        engine.dispose()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{args.experts} experts, {sessions:,} sessions, {subs:,} submissions, 4 weeks")
        print(f"baseline GROUP BY over the sessions: {base:6.2f} s")
        for label, (secs, peak, written) in (("pay run:", first), ("re-run: ", again)):
            print(
                f"{label}   {secs:6.2f} s, {written:,} entries, peak traced {peak / 2**20:.0f} MiB"
            )
        print(f"ratio pay run / baseline: {first[0] / base:.1f}; process max RSS {rss:.0f} MiB")
    finally:
        admin.connect().execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
