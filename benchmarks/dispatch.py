"""Dispatch under load on PostgreSQL: claim -> submit cycles, three ways, in one run.

    uv run python -m benchmarks.dispatch [--items 1000000] [--experts 10000]
        [--clients 64 --clients 8] [--seconds 15] [--rounds 3] [--warm-up 3]
        [--modes raw,service,http] [--processes 1]

Seeds a fresh database (items and experts with generate_series), warms it up (5 s of
service cycles by 8 other experts, then ANALYZE, as a live project has statistics), then
for each client count runs closed-loop clients for --seconds in all, the modes taking turns
in --rounds rounds (the machine's speed drifts within a run), each round after --warm-up
seconds of unrecorded cycles at the same concurrency (connections open, statements
prepared):
  raw      the same claim and submit as bare SQL statements (psycopg), the baseline;
  service  tandem.dispatch.service.next_assignment + tandem.work.service.submit;
  http     POST /next and /submit against `tandem serve` in a subprocess, from clients on
           one event loop in this process (benchmarks.http_load).
With --processes N the raw and service clients are dealt out among N processes, as a
server runs the service layer in one process per core (benchmarks.spread).
It prints cycles/s, claim p50/p99, the ratio to the raw baseline (in all, and its range
over the rounds), the CPU per cycle (the whole machine; this process: the clients, and in
service mode the service; the PostgreSQL backends serving the benchmark's database; what
is left is the server, in HTTP mode), the write-ahead log PostgreSQL wrote per cycle
(autovacuum and checkpoints included), and claim p50 on a 10,000-item project beside the
big one, the two taking turns in the same rounds (claim cost must not grow with project
size), then issue 3's targets against what this run measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from operator import ge, le, lt
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from tests import factories as f

from benchmarks import http_load, spread
from tandem.auth import service as auth
from tandem.auth.actor import Actor
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.dispatch.service import next_assignment
from tandem.models import User
from tandem.work.schemas import SubmitIn
from tandem.work.service import submit

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432"
SERVE_PORT = 8765
MODES = ("raw", "service", "http")
console = Console(width=150)
# no hourly limit on open-pool claims, like the raw baseline: a closed-loop client claims
# thousands of items an hour, and the limit's count would read every one of them
# (BENCH_POOL_LIMIT=N measures with a limit of N per hour instead)
# The service mode's connection pool has one connection per client, as the raw baseline
# has (BENCH_CONNECTIONS=N shares N among them)
POOL_LIMIT = int(os.environ["BENCH_POOL_LIMIT"]) if os.environ.get("BENCH_POOL_LIMIT") else None
POLICY = {"gold_rate": 0.0, "pool_claims_per_hour": POOL_LIMIT}


Cycle = Callable[[int, "Run"], None]
Mode = tuple[Cycle, Callable[[], None]]  # one client's cycle, and how to let go of connections


@dataclass
class Run:
    cycles: int = 0
    errors: int = 0
    claim_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    machine_cpu: float = 0.0  # seconds the whole machine was busy during the run
    own_cpu: float = 0.0  # of which this process (the clients; in service mode the service)
    database_cpu: float = 0.0  # of which the PostgreSQL backends of the benchmark's database
    wal_bytes: int = 0  # write-ahead log PostgreSQL wrote during the run (all databases)

    def add(self, other: Run) -> None:
        """Count `other` (a later round of the same mode) into this run."""
        self.cycles += other.cycles
        self.errors += other.errors
        self.claim_ms.extend(other.claim_ms)
        self.machine_cpu += other.machine_cpu
        self.own_cpu += other.own_cpu
        self.database_cpu += other.database_cpu
        self.wal_bytes += other.wal_bytes

    def record(self, claim_seconds: float) -> None:
        with self.lock:
            self.cycles += 1
            self.claim_ms.append(claim_seconds * 1000)

    def failed(self) -> None:
        with self.lock:
            self.errors += 1

    def cpu_per_cycle(self) -> str:
        """Milliseconds of CPU per cycle: the whole machine / this process / PostgreSQL."""
        used = (self.machine_cpu, self.own_cpu, self.database_cpu)
        return "/".join(f"{1000 * seconds / max(self.cycles, 1):.2f}" for seconds in used)

    def wal_per_cycle(self) -> str:
        return f"{self.wal_bytes / max(self.cycles, 1):,.0f}"

    def pct(self, q: float) -> float:
        ordered = sorted(self.claim_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def create_db() -> tuple[str, str]:
    name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{ADMIN}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, f"{ADMIN}/{name}"


def drop_db(name: str) -> None:
    admin = create_engine(f"{ADMIN}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _seed(
    url: str, items: int, experts: int, with_tokens: int = 64
) -> tuple[int, int, list[int], list[str]]:
    """A big and a small project, `experts` admitted experts; returns ids, and API tokens of
    the first `with_tokens` experts (in the same order)."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        org = f.org(db)
        owner = f.requester(db, org)
        big = f.project(db, owner, org, overlap=3, quality_policy=POLICY)
        small = f.project(db, owner, org, overlap=3, quality_policy=POLICY)
        db.commit()
        with console.status(f"seeding {items:,} items and {experts:,} experts"):
            for project_id, count in ((big.id, items), (small.id, 10_000)):
                f.many_items(db, project_id, count)
            db.execute(
                text(
                    "INSERT INTO user_account (email, display_name, password_hash, is_operator, "
                    "is_active, created_at) SELECT 'bench' || g || '@example.com', 'b', 'x', "
                    "false, true, now() FROM generate_series(1, :n) g"
                ),
                {"n": experts},
            )
            db.execute(
                text(
                    "INSERT INTO expert (user_id, status, time_zone, country, currency, skills, "
                    "languages, availability, caps, created_at) SELECT id, 'ADMITTED', 'UTC', "
                    "'US', 'USD', '{}', '[]', '[]', '{}', now() FROM user_account "
                    "WHERE email LIKE 'bench%'"
                )
            )
            db.execute(text("ANALYZE"))
            user_ids = list(
                db.scalars(
                    text("SELECT id FROM user_account WHERE email LIKE 'bench%' ORDER BY id")
                )
            )
            tokens = [
                auth.create_token(db, db.get_one(User, uid), "bench")[1]
                for uid in user_ids[:with_tokens]
            ]
            db.commit()
            # write the seed out now: a checkpoint during the first mode would slow it alone
            db.execute(text("CHECKPOINT"))
    engine.dispose()
    return big.id, small.id, user_ids, tokens


def _warm_up(url: str, project_id: int, users: list[int]) -> None:
    """Some claim → submit cycles, then statistics of the tables as a live project has them.

    Without it the first modes would plan their statements while the assignment and
    submission tables look empty, and the later ones after autovacuum has analyzed them.
    """
    with console.status("warming up: 5 s of claim → submit, then ANALYZE"):
        _loop(5, 8, _service(url, project_id, users))
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.execute(text("CHECKPOINT"))
            conn.commit()
        engine.dispose()


def _wal_position(url: str) -> int:
    """Bytes of write-ahead log PostgreSQL has written so far, as an LSN."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        position = int(conn.scalar(text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")))
    engine.dispose()
    return position


def _busy_seconds() -> float:
    """CPU time the whole machine spent busy (not idle, not waiting on I/O) since boot."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    ticks = [int(v) for v in first[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _backend_ticks(database: str) -> dict[int, int]:
    """CPU ticks used so far by each PostgreSQL backend serving `database`, by pid."""
    ticks = {}
    for proc in Path("/proc").iterdir():
        try:
            # a client backend's title: "postgres: <user> <database> <client> <state>"
            if not database or f" {database} ".encode() not in (proc / "cmdline").read_bytes():
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # not a process, or gone meanwhile
            continue
        ticks[int(proc.name)] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


@contextmanager
def _accounted(run: Run, url: str) -> Iterator[None]:
    """CPU of the machine, of this process and of the client backends of the database at
    `url`, and the write-ahead log written, around a run (a warm-up is not in it). Taken
    before the clients let go of their connections: a backend that has exited no longer
    shows what it used. An empty `url`: CPU of the machine and of this process only.
    """
    database = url.rsplit("/", 1)[1] if url else ""
    wal = _wal_position(url) if url else 0
    busy, own, before = _busy_seconds(), time.process_time(), _backend_ticks(database)
    yield
    run.machine_cpu = _busy_seconds() - busy
    run.own_cpu = time.process_time() - own
    # by pid: a backend of the previous run still exiting at the start counts for nothing
    used = sum(t - before.get(pid, 0) for pid, t in _backend_ticks(database).items())
    run.database_cpu = used / os.sysconf("SC_CLK_TCK")
    run.wal_bytes = _wal_position(url) - wal if url else 0


def _loop(seconds: float, clients: int, mode: Mode, url: str = "") -> Run:
    cycle, close = mode
    run = Run()
    stop = time.perf_counter() + seconds
    barrier = threading.Barrier(clients)

    def worker(n: int) -> None:
        barrier.wait()
        while time.perf_counter() < stop:
            try:
                cycle(n, run)
            except Exception:  # counted and shown: a failed cycle must not end the client
                run.failed()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    with _accounted(run, url):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    close()
    return run


def _warmed(mode: Mode, clients: int, seconds: float) -> Mode:
    """The mode after `seconds` of unrecorded cycles: its connections open, its statements
    prepared (psycopg prepares one at its sixth run on a connection, and planning the claim
    costs more than running it), as a server's pooled connections are."""
    if seconds > 0:
        _loop(seconds, clients, (mode[0], lambda: None))
    return mode


def _http_loop(seconds: float, project_id: int, tokens: list[str], url: str, warm_up: float) -> Run:
    """Claim → submit over HTTP against `tandem serve`, one client per token."""
    body = json.dumps({"response": f.good_response(), "active_seconds": 60}).encode()
    target = http_load.Target("127.0.0.1", SERVE_PORT, project_id, body)
    if warm_up > 0:  # the server's pooled connections opened, its statements prepared
        http_load.run(target, tokens, warm_up, lambda seconds: None, lambda: None)
    run = Run()
    with _accounted(run, url):
        http_load.run(target, tokens, seconds, run.record, run.failed)
    return run


RAW_CLAIM = """
UPDATE item SET taken = taken + 1 WHERE id = (
  SELECT i.id FROM item i WHERE i.project_id = %(p)s AND i.status = 'OPEN' AND NOT i.is_gold
    AND i.taken < 3 AND NOT EXISTS (
      SELECT 1 FROM assignment a WHERE a.item_id = i.id AND a.expert_id = %(e)s)
  ORDER BY i.taken DESC, i.id DESC LIMIT 1 FOR UPDATE SKIP LOCKED) AND taken < 3
RETURNING id"""
RAW_OPEN = """INSERT INTO assignment (project_id, item_id, expert_id, status, source,
  opened_at, lease_expires_at, created_at)
VALUES (%(p)s, %(i)s, %(e)s, 'ACTIVE', 'pool', now(), now() + interval '10 minutes', now())
RETURNING id"""
RAW_SUBMIT = """INSERT INTO submission (project_id, assignment_id, item_id, expert_id, response,
  active_seconds, telemetry, idempotency_key, status, counted, late, created_at)
VALUES (%(p)s, %(a)s, %(i)s, %(e)s, %(r)s, 60, '{}', %(k)s, 'SUBMITTED', true, false, now())"""


def _raw(url: str, project_id: int, expert_ids: list[int]) -> Mode:
    dsn = url.replace("postgresql+psycopg", "postgresql")
    response = psycopg.types.json.Jsonb(f.good_response())
    opened: dict[int, psycopg.Connection[Any]] = {}  # by client: kept from warm-up to run

    def cycle(n: int, run: Run) -> None:
        conn = opened.get(n)
        if conn is None:
            conn = opened[n] = psycopg.connect(dsn)
        expert = expert_ids[n]
        with conn.transaction():
            started = time.perf_counter()
            row = conn.execute(RAW_CLAIM, {"p": project_id, "e": expert}).fetchone()
            if row is None:
                return
            a = conn.execute(RAW_OPEN, {"p": project_id, "i": row[0], "e": expert}).fetchone()
            assert a is not None  # an insert that returns its id
            claim = time.perf_counter() - started
        with conn.transaction():
            conn.execute(
                RAW_SUBMIT,
                {
                    "p": project_id,
                    "a": a[0],
                    "i": row[0],
                    "e": expert,
                    "r": response,
                    "k": str(a[0]),
                },
            )
            conn.execute(
                "UPDATE assignment SET status = 'SUBMITTED', closed_at = now() WHERE id = %s",
                (a[0],),
            )
            conn.execute("UPDATE item SET done = done + 1 WHERE id = %s", (row[0],))
        run.record(claim)

    def close() -> None:
        for conn in opened.values():
            conn.close()

    return cycle, close


def _service(url: str, project_id: int, user_ids: list[int]) -> Mode:
    connections = int(os.environ.get("BENCH_CONNECTIONS") or len(user_ids))
    engine = make_engine(url, pool_size=connections, max_overflow=0)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    body = SubmitIn(response=f.good_response(), active_seconds=60)
    actors: dict[int, Actor] = {}  # by client

    def cycle(n: int, run: Run) -> None:
        with factory() as db:
            if n not in actors:
                # resolved once per client, like a logged-in caller; HTTP mode pays for auth
                actors[n] = auth.actor_for(db, db.get_one(User, user_ids[n]))
            actor = actors[n]
            started = time.perf_counter()
            a = next_assignment(db, actor, project_id)
            db.commit()
            claim = time.perf_counter() - started
            submit(db, actor, a.id, body, f"k{a.id}")
            db.commit()
        run.record(claim)

    return cycle, engine.dispose


def _serve(url: str) -> subprocess.Popen[bytes]:
    # the periodic jobs would run an allocation over every expert during the measurement
    env = {**os.environ, "TANDEM_DATABASE_URL": url, "TANDEM_SCHEDULER": "false"}
    workers = os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1))
    command = ["serve", "--port", str(SERVE_PORT), "--workers", workers, "--no-access-log"]
    proc = subprocess.Popen([sys.executable, "-m", "tandem.cli.main", *command], env=env)
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{SERVE_PORT}/health").status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("tandem serve did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--clients", type=int, action="append")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--modes", default="raw,service,http")
    # raw and service clients in this many processes (HTTP: BENCH_WORKERS server processes)
    parser.add_argument("--processes", type=int, default=1)
    # unrecorded cycles before each measured run, at the same concurrency
    parser.add_argument("--warm-up", type=float, default=3.0)
    # the modes take turns this many times, each for --seconds / --rounds
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    unknown = set(args.modes.split(",")) - set(MODES)
    if unknown:
        parser.error(f"unknown modes {sorted(unknown)}: choose from {', '.join(MODES)}")
    client_counts = args.clients or [8, 64]
    name, url = create_db()
    try:
        upgrade(url)
        # every run has experts of its own, HTTP runs too: one token for each
        with_tokens = sum(client_counts) * len(args.modes.split(",")) * args.rounds
        big, small, user_ids, tokens = _seed(url, args.items, args.experts, with_tokens)
        _warm_up(url, big, user_ids[-8:])
        _report(url, big, small, user_ids, tokens, client_counts, args)
    finally:
        drop_db(name)


def _report(
    url: str,
    big: int,
    small: int,
    user_ids: list[int],
    tokens: list[str],
    client_counts: list[int],
    args: argparse.Namespace,
) -> None:
    table = Table("mode", "clients", "cycles/s", "claim p50 ms", "claim p99 ms", "÷ raw")
    for column in ("÷ raw by round", "errors", "CPU ms all/here/PG", "WAL B/cycle"):
        table.add_column(column)
    offset = 0
    measured: dict[tuple[str, int], Measured] = {}
    for clients in client_counts:
        turns = _take_turns(url, big, user_ids[offset:], tokens[offset:], clients, args)
        offset += clients * len(turns) * args.rounds
        _add_rows(table, measured, clients, turns, args.seconds)
    users = user_ids[offset : offset + 16]
    size_ratio = _size_effect(url, big, small, users, args.seconds, args.rounds)
    console.print(table)
    console.print(
        f"claim p50 at {args.items:,} items ÷ claim p50 at 10,000 items: {size_ratio:.2f}"
    )
    console.print(_targets(measured, size_ratio))


def _take_turns(
    url: str,
    big: int,
    user_ids: list[int],
    tokens: list[str],
    clients: int,
    args: argparse.Namespace,
) -> dict[str, list[Run]]:
    """Each mode's runs at one client count, by round: the modes take turns, --rounds times.

    The machine's speed drifts within a run by more than the differences measured; taking
    turns, every mode meets the drift alike.
    """
    turns: dict[str, list[Run]] = {mode: [] for mode in args.modes.split(",")}
    offset = 0
    for _ in range(args.rounds):
        for mode, runs in turns.items():
            # each run gets fresh experts so nobody runs out of items they never had
            experts, offset = user_ids[offset : offset + clients], offset + clients
            runs.append(_run_mode(mode, url, big, experts, tokens[offset - clients : offset], args))
    return turns


def _add_rows(
    table: Table,
    measured: dict[tuple[str, int], Measured],
    clients: int,
    turns: dict[str, list[Run]],
    seconds: float,
) -> None:
    """A row per mode: its rounds added up, and its ratio to raw's in each round."""
    baseline = turns.get("raw")
    for mode, runs in turns.items():
        run = Run()
        for found in runs:
            run.add(found)
        rate = run.cycles / seconds
        ratio, by_round = None, "—"
        if baseline and mode != "raw":
            ratio = rate / (sum(r.cycles for r in baseline) / seconds)
            each = [r.cycles / max(b.cycles, 1) for r, b in zip(runs, baseline, strict=True)]
            by_round = f"{min(each):.2f}–{max(each):.2f}"
        measured[mode, clients] = Measured(rate, ratio, run.pct(0.99))
        latency = [f"{run.pct(0.5):.1f}", f"{run.pct(0.99):.1f}"]
        usage = [str(run.errors), run.cpu_per_cycle(), run.wal_per_cycle()]
        shown = "—" if ratio is None else f"{ratio:.2f}"
        table.add_row(mode, str(clients), f"{rate:.0f}", *latency, shown, by_round, *usage)


@dataclass(frozen=True)
class Measured:
    rate: float  # cycles per second
    ratio: float | None  # ÷ the raw baseline of the same client count
    claim_p99_ms: float


def _targets(measured: dict[tuple[str, int], Measured], size_ratio: float) -> Table:
    """Issue 3's targets (on a 2-core machine) against this run, where it measured them."""
    service, http_64, http_8 = (
        measured.get(k) for k in (("service", 64), ("http", 64), ("http", 8))
    )
    rows: list[tuple[str, float | None, Callable[[float, float], bool], float]] = [
        ("service ÷ raw at 64 clients ≥ 0.5", service.ratio if service else None, ge, 0.5),
        ("HTTP cycles/s at 64 clients ≥ 400", http_64.rate if http_64 else None, ge, 400),
        ("HTTP claim p99 ms at 8 clients < 50", http_8.claim_p99_ms if http_8 else None, lt, 50),
        ("claim p50 big ÷ 10,000 items ≤ 1.5", size_ratio, le, 1.5),
    ]
    table = Table("target (issue 3)", "this run", "met", title="Targets")
    for name, value, holds, bound in rows:
        if value is not None:
            table.add_row(name, f"{value:.2f}", "yes" if holds(value, bound) else "NO")
    return table


def _run_mode(
    mode: str,
    url: str,
    project: int,
    experts: list[int],
    tokens: list[str],
    args: argparse.Namespace,
) -> Run:
    """One mode at one client count, for one round."""
    seconds = args.seconds / args.rounds
    # the server runs only during its own mode: connections are few (max 100)
    server = _serve(url) if mode == "http" else None
    try:
        if mode == "http":
            run = _http_loop(seconds, project, tokens, url, args.warm_up)
        elif args.processes > 1:
            run = _spread_loop(args.processes, mode, url, project, experts, args)
        else:
            made = _warmed(_make(mode, url, project, experts), len(experts), args.warm_up)
            run = _loop(seconds, len(experts), made, url)
    finally:
        if server:
            server.terminate()
            server.wait()
    return run


def _spread_loop(
    processes: int,
    mode: str,
    url: str,
    project: int,
    experts: list[int],
    args: argparse.Namespace,
) -> Run:
    """The mode's clients dealt out among `processes` processes (benchmarks.spread)."""
    run = Run()
    measured = partial(_accounted, run, url)
    timing = (args.warm_up, args.seconds / args.rounds)
    found = spread.run_spread(processes, mode, url, project, experts, timing, measured)
    run.cycles, run.errors, run.claim_ms, run.own_cpu = found  # "here": the client processes
    return run


def _make(mode: str, url: str, project: int, experts: list[int]) -> Mode:
    if mode == "service":
        return _service(url, project, experts)
    engine = create_engine(url)
    with engine.connect() as conn:
        expert_ids = [
            conn.scalar(text("SELECT id FROM expert WHERE user_id = :u"), {"u": u}) for u in experts
        ]
    engine.dispose()
    return _raw(url, project, expert_ids)


def _size_effect(
    url: str, big: int, small: int, users: list[int], seconds: float, rounds: int
) -> float:
    """Service claim p50 on the big project ÷ on the 10,000-item one, 8 clients each; the
    two take turns in `rounds` rounds, as the modes do (the machine drifts meanwhile)."""
    half = len(users) // 2
    made = [_service(url, big, users[:half]), _service(url, small, users[half:])]
    at_big, at_small = Run(), Run()
    for _ in range(rounds):
        for (cycle, _close), run in zip(made, (at_big, at_small), strict=True):
            run.add(_loop(seconds / 2 / rounds, 8, (cycle, lambda: None)))
    for _cycle, close in made:
        close()
    console.print(
        f"service claim p50, 8 clients: {at_big.pct(0.5):.1f} ms on the big project, "
        f"{at_small.pct(0.5):.1f} ms on 10,000 items"
    )
    return at_big.pct(0.5) / at_small.pct(0.5)


if __name__ == "__main__":
    main()
