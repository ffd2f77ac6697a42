"""`tandem pay …` against a real committed database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tandem.cli.main import app
from tandem.config import get_settings
from tandem.db.session import get_engine, get_sessionmaker
from tandem.kit.clock import FakeClock
from tandem.models import LedgerEntry
from tests import factories as f
from tests.pay.conftest import AFTER_WEEK, MONDAY_10, project_with

runner = CliRunner()


@pytest.fixture
def cli_db(
    committed_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Engine]:
    monkeypatch.setenv("TANDEM_DATABASE_URL", committed_engine.url.render_as_string(False))
    monkeypatch.setenv("TANDEM_VAR_DIR", str(tmp_path))
    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()
    yield committed_engine
    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _amounts(engine: Engine) -> list[tuple[str, int]]:
    with Session(engine) as db:
        rows = db.execute(
            select(LedgerEntry.kind, LedgerEntry.amount_minor).order_by(LedgerEntry.id)
        )
        return [(str(kind), amount) for kind, amount in rows]


def test_pay_run_fx_and_reverse(cli_db: Engine, clock: FakeClock) -> None:
    with Session(cli_db) as db:
        terms = {"model": "per_item", "currency": "USD", "per_item_minor": 100}
        worker = f.expert(db, country="DE", currency="EUR")
        f.work_session(db, worker, project_with(db, terms), MONDAY_10, 3600)
        db.commit()
    clock.set(AFTER_WEEK)
    missing = runner.invoke(app, ["pay", "run", "--period", "2026-W02"])
    assert missing.exit_code == 1 and _amounts(cli_db) == []
    fx = runner.invoke(app, ["pay", "fx", "EUR", "USD", "1.10", "--on", "2026-01-01"])
    assert fx.exit_code == 0, fx.output
    paid = runner.invoke(app, ["pay", "run", "--period", "2026-W02"])
    assert paid.exit_code == 0, paid.output
    assert "2 entries written" in _flat(paid.output)
    # no payable items: the work entry pays 0 but carries the hour for the payslip
    assert _amounts(cli_db) == [("work", 0), ("floor_topup", 1529)]
    again = runner.invoke(app, ["pay", "run", "--period", "2026-W02"])
    assert "0 entries written, 2 already paid" in _flat(again.output)
    with Session(cli_db) as db:
        entry_id = max(db.scalars(select(LedgerEntry.id)))
    undo = runner.invoke(app, ["pay", "reverse", str(entry_id), "--reason", "test"])
    assert undo.exit_code == 0, undo.output
    assert _amounts(cli_db)[1:] == [("floor_topup", 1529), ("reversal", -1529)]
    bad = runner.invoke(app, ["pay", "run", "--period", "next week"])
    assert bad.exit_code != 0
