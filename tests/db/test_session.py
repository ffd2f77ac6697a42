"""Pooled PostgreSQL connections: pinged only after sitting idle, replaced when dead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from tandem.db.session import make_engine
from tests.conftest import TEST_DB

pytestmark = pytest.mark.skipif(TEST_DB != "postgresql", reason="pings PostgreSQL's backends")


def _engine(engine: Engine, ping_after_idle: float) -> Iterator[Engine]:
    own = make_engine(
        engine.url.render_as_string(hide_password=False),
        ping_after_idle=ping_after_idle,
        pool_size=1,
        max_overflow=0,
    )
    yield own
    own.dispose()


def _pings(engine: Engine) -> list[object]:
    seen: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        seen.append(dbapi_connection)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return seen


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")) or 0)


def _kill(engine: Engine, pid: int) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()


@pytest.fixture
def eager(engine: Engine) -> Iterator[Engine]:
    """Pings every connection that was checked in at all."""
    yield from _engine(engine, 0.0)


@pytest.fixture
def lazy(engine: Engine) -> Iterator[Engine]:
    """Pings only connections idle for an hour: never, within a test."""
    yield from _engine(engine, 3600.0)


def test_a_connection_killed_while_idle_is_replaced_before_use(
    eager: Engine, engine: Engine
) -> None:
    pings = _pings(eager)
    first = _backend(eager)
    _kill(engine, first)
    second = _backend(eager)  # the ping found it dead: a new connection, no error
    assert second != first
    assert len(pings) == 1


def test_a_connection_in_use_a_moment_ago_is_not_pinged(lazy: Engine) -> None:
    pings = _pings(lazy)
    pids = {_backend(lazy) for _ in range(5)}
    assert len(pids) == 1  # the same pooled connection, five times
    assert pings == []


def test_a_statement_run_often_is_planned_once_per_connection(engine: Engine) -> None:
    with engine.connect() as conn:
        mode = conn.scalar(text("SHOW plan_cache_mode"))
        statement = text("SELECT count(*) FROM item WHERE project_id = :p AND taken < :k")
        for p in range(10):  # psycopg prepares it after 5 runs, then it is executed by name
            conn.execute(statement, {"p": p, "k": 3})
        plans = conn.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE 'SELECT count(*) FROM item%'"
            )
        ).one()
    assert mode == "force_generic_plan"
    assert plans.generic_plans >= 5 and plans.custom_plans == 0
