"""`tandem review …` against a real (committed) database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tandem.cli.main import app
from tandem.config import get_settings
from tandem.db.session import get_engine, get_sessionmaker
from tandem.kit.clock import FakeClock
from tests import factories as f

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


def test_queue_decide_verdicts_audit_and_close_windows(cli_db: Engine, clock: FakeClock) -> None:
    with Session(cli_db) as db:
        org = f.org(db)
        owner = f.requester(db, org)
        proj = f.project(db, owner, org, overlap=1, quality_policy={"review_sample_rate": 1.0})
        f.items(db, proj, 1)
        expert, reviewer = f.expert(db), f.reviewer(db, org)
        sub = f.submission(db, proj, expert)
        emails, sub_id = (expert.user.email, reviewer.user.email), sub.id
        db.commit()
    listed = runner.invoke(app, ["review", "queue", "--as", emails[1]])
    assert listed.exit_code == 0, listed.output
    assert "sampled" in listed.output and emails[0] not in listed.output
    task = next(
        line.split("│")[1].strip() for line in listed.output.splitlines() if "sampled" in line
    )
    no_reason = runner.invoke(
        app, ["review", "decide", task, "--verdict", "reject", "--as", emails[1]]
    )
    assert no_reason.exit_code == 1 and "reason" in no_reason.output
    decided = runner.invoke(
        app,
        [
            "review",
            "decide",
            task,
            "--verdict",
            "reject",
            "--reason",
            "incomplete",
            "--feedback",
            "half done",
            "--as",
            emails[1],
        ],
    )
    assert decided.exit_code == 0, decided.output
    verdicts = runner.invoke(app, ["review", "verdicts", "--as", emails[0]])
    assert str(sub_id) in verdicts.output and "incomplete" in verdicts.output
    clock.advance(days=15)
    closed = runner.invoke(app, ["review", "close-windows"])
    assert closed.exit_code == 0 and "1 rejections became final" in closed.output
    log = runner.invoke(app, ["review", "audit", "--as", emails[0]])
    assert "rejection.final" in log.output and "review.reject" in log.output
