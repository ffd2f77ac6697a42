"""Engines and sessions. SQLite runs every transaction as BEGIN IMMEDIATE."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from tandem.config import get_settings


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling is off so that we can issue BEGIN IMMEDIATE:
    # a writer takes the write lock up front, so two claims can never read the same free
    # slot and a deferred read->write upgrade can never fail with "database is locked".
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# PostgreSQL plans a prepared statement anew at every execution while its custom plans
# look cheaper than the generic one, and the claim's time ranges make them look so: the
# claim statement cost more to plan than to run. A statement run often (psycopg prepares
# it after 5 runs on a connection) keeps one plan; one-off statements are planned with
# their values as before. Measured: PostgreSQL CPU per claim → submit cycle 1.50 → 0.85 ms.
PG_OPTIONS = "-c plan_cache_mode=force_generic_plan"
# a connection back in the pool for longer than this is pinged before it is handed out
PING_AFTER_IDLE_SECONDS = 1.0
_CHECKED_IN_AT = "tandem_checked_in_at"


def _ping_idle_connections(engine: Engine, after_seconds: float) -> None:
    # SQLAlchemy's pre-ping costs a round trip at every checkout, twice per claim/submit
    # cycle; a connection that was in use a moment ago is alive, and one that dies in use
    # is invalidated on its error either way, so only connections idle a while are pinged
    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN_AT)
        if since is None or time.monotonic() - since < after_seconds:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError() from error  # the pool reconnects and retries
            raise


_DECODE_JSON = json.JSONDecoder().decode


def json_from_driver(data: bytes | str) -> Any:
    """A JSON column's value as psycopg hands it over (bytes)."""
    # json.loads would first check the argument's type and sniff its encoding (UTF-8, as
    # PostgreSQL sends it to a UTF-8 client): 3 % of an API claim → submit cycle's
    # instructions, which decodes some 18 documents over HTTP (docs/dispatch.md)
    return _DECODE_JSON(data.decode() if isinstance(data, bytes) else data)


def make_engine(
    url: str, ping_after_idle: float = PING_AFTER_IDLE_SECONDS, **kwargs: Any
) -> Engine:
    """An engine for `url`, with Tandem's per-dialect settings."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # each server process runs sync routes on TANDEM_WORKER_THREADS threads (default 4) beside
    # the scheduler's jobs: room for them, and for a raised setting
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 30)
    kwargs["connect_args"] = {"options": PG_OPTIONS, **kwargs.get("connect_args", {})}
    kwargs.setdefault("json_deserializer", json_from_driver)
    engine = create_engine(url, **kwargs)
    _ping_idle_connections(engine, ping_after_idle)
    return engine


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().resolved_database_url())


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def session_scope() -> Iterator[Session]:
    """One session per unit of work; the caller commits."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def keep(session: Session, role: str, loaded: object) -> None:
    """Hold a loaded object for the rest of the session, the latest one per `role`.

    The identity map holds objects weakly: one that nobody holds is gone before the unit of
    work reads it again (a claim's project and item, shown by `describe` right after).
    One per role, so a long session that claims many times holds only the last.
    """
    session.info[f"kept:{role}"] = loaded
