"""Test fixtures: a migrated database (SQLite or PostgreSQL), rolled back per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tandem.app import create_app
from tandem.db.deps import get_db
from tandem.db.migrate import upgrade
from tandem.db.session import make_engine
from tandem.kit.clock import FakeClock, SystemClock, use_clock

TEST_DB = os.environ.get("TANDEM_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("TANDEM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
DB_FIXTURES = {"db", "engine", "client", "committed_engine"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


def _create_pg_database(name: str) -> str:
    admin = make_engine(f"{PG_ADMIN_URL}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is unreachable at {PG_ADMIN_URL} and CI is set: {exc}")
        pytest.skip(f"PostgreSQL unreachable ({exc}); set CI=1 to make this fail")
    finally:
        admin.dispose()
    return f"{PG_ADMIN_URL}/{name}"


def _drop_pg_database(name: str) -> None:
    admin = make_engine(f"{PG_ADMIN_URL}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A freshly migrated database for this test session."""
    if TEST_DB == "postgresql":
        name = f"tandem_test_{uuid.uuid4().hex[:10]}"
        url = _create_pg_database(name)
        upgrade(url)
        yield url
        _drop_pg_database(name)
    else:
        path: Path = tmp_path_factory.mktemp("db") / "tandem.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url


@pytest.fixture(scope="module")
def committed_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of its own whose commits are real: for tests with real threads."""
    if TEST_DB == "postgresql":
        name = f"tandem_threads_{uuid.uuid4().hex[:10]}"
        url = _create_pg_database(name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('threads') / 'tandem.db'}"
    upgrade(url)
    eng = make_engine(url, pool_size=40, max_overflow=10)
    yield eng
    eng.dispose()
    if TEST_DB == "postgresql":
        _drop_pg_database(name)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside one transaction, rolled back after."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def clock() -> Iterator[FakeClock]:
    """Every test runs on a fake clock it can move."""
    fake = FakeClock()
    use_clock(fake)
    yield fake
    use_clock(SystemClock())


@pytest.fixture
def app(db: Session) -> FastAPI:
    """The app with every request sharing the test's rolled-back session."""
    from tandem.config import Settings

    application = create_app(Settings(secret_key="test-secret", var_dir=Path("var-test")))

    def _test_db() -> Iterator[Session]:
        # keep what the test set up: a failing request rolls back only its own savepoint
        db.commit()
        try:
            yield db
            db.commit()  # a savepoint: the test's outer transaction still rolls back
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[get_db] = _test_db
    # routes that run their whole unit of work in one thread open it the same way
    application.state.session_unit = contextmanager(_test_db)
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client
