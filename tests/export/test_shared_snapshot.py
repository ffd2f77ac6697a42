"""PostgreSQL: an export in a transaction that has written nothing reads through a second
connection sharing its snapshot (ADBC), and writes exactly what the driver rows write."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tandem.export import pgarrow, raw_repository
from tandem.models import Item
from tests.conftest import TEST_DB
from tests.export.conftest import Answered
from tests.export.test_raw_columns import parquet

pytestmark = pytest.mark.skipif(TEST_DB != "postgresql", reason="snapshots are PostgreSQL's")


@pytest.fixture
def db(committed_engine: Engine) -> Iterator[Session]:
    """A session whose commits are real, so that a second connection can see its rows."""
    with Session(committed_engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def adbc_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The snapshots the second connection read under, one per query."""
    snapshots: list[str] = []
    read = pgarrow._adbc_batches

    def counted(uri: str, snapshot: str, *rest: Any) -> Iterator[Any]:
        snapshots.append(snapshot)
        return read(uri, snapshot, *rest)

    monkeypatch.setattr(pgarrow, "_adbc_batches", counted)
    return snapshots


def _driver_rows(db: Session, odd: Answered, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> bytes:
    fetched = raw_repository.raw_columns
    with monkeypatch.context() as patch:
        patch.setattr(raw_repository, "raw_columns", lambda *a, **k: fetched(*a, **k, copy=False))
        return parquet(db, odd, **kw)


@pytest.mark.parametrize(
    "options",
    [{}, {"accepted_only": True}, {"min_agreement": 0.7}, {"since": "first"}, {"until": "first"}],
)
def test_a_clean_transaction_exports_through_a_shared_snapshot(
    db: Session,
    odd: Answered,
    adbc_reads: list[str],
    monkeypatch: pytest.MonkeyPatch,
    options: dict[str, Any],
) -> None:
    first = odd.subs[0][0].created_at
    options = {k: first if v == "first" else v for k, v in options.items()}
    db.commit()
    shared = parquet(db, odd, **options)
    # items, reviews and submissions (reviews joined in the query when judged by item),
    # all under this transaction's snapshot
    assert len(adbc_reads) == (2 if "min_agreement" in options else 3)
    assert len(set(adbc_reads)) == 1
    assert shared == _driver_rows(db, odd, monkeypatch, **options)
    assert pq.read_table(io.BytesIO(shared)).num_rows > 0 or "until" in options
    # the planner setting is the second connection's own; this one's is untouched
    assert db.execute(text("SHOW enable_sort")).scalar_one() == "on"


def test_a_transaction_that_has_written_reads_its_own_rows(
    db: Session, odd: Answered, adbc_reads: list[str]
) -> None:
    db.commit()
    item = db.get_one(Item, odd.items[0].id)
    item.external_id = "renamed, not yet committed"
    db.flush()
    table = pq.read_table(io.BytesIO(parquet(db, odd)))
    assert adbc_reads == []
    assert "renamed, not yet committed" in table.column("external_id").to_pylist()
    db.rollback()
