"""The CLI end to end against a real database: demo, import, export, user create."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from tandem.cli.main import app
from tandem.config import get_settings
from tandem.db.session import get_engine, get_sessionmaker
from tandem.models import ApiToken, Expert, Item, Project

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


def _count(engine: Engine, stmt: object) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(stmt) or 0)  # type: ignore[call-overload]


def test_demo_is_idempotent_and_prints_logins(cli_db: Engine) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "requester@demo.tandem.dev" in first.output and "tdm_" in first.output
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0, second.output
    assert _count(cli_db, select(func.count(Project.id))) == 1
    assert _count(cli_db, select(func.count(Item.id))) == 200
    assert _count(cli_db, select(func.count(Expert.id))) == 3
    with cli_db.connect() as conn:
        zones = set(conn.scalars(select(Expert.time_zone)))
    assert zones == {"Asia/Jakarta", "Europe/Berlin", "America/New_York"}
    live = select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))
    assert _count(cli_db, live) == 2  # the old demo tokens were revoked


def test_import_and_export_with_progress(cli_db: Engine, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    with cli_db.connect() as conn:
        project_id = conn.scalar(select(Project.id))
    source = tmp_path / "more.jsonl"
    source.write_text(
        "".join(
            json.dumps({"prompt": f"p{n}", "response_a": "a", "response_b": "b"}) + "\n"
            for n in range(50)
        )
    )
    imported = runner.invoke(app, ["project", "import", str(project_id), str(source)])
    assert imported.exit_code == 0, imported.output
    assert "imported 50 items" in imported.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "x"}\n')
    rejected = runner.invoke(app, ["project", "import", str(project_id), str(bad)])
    assert rejected.exit_code == 1
    assert "row 1" in rejected.output
    out = tmp_path / "export.jsonl"
    exported = runner.invoke(
        app, ["project", "export", str(project_id), "--format", "jsonl", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert out.exists()


def test_user_create_with_role(cli_db: Engine) -> None:
    made = runner.invoke(
        app,
        [
            "user",
            "create",
            "lead@lab.example",
            "--password",
            "long-enough",
            "--org",
            "lab",
            "--role",
            "requester",
        ],
    )
    assert made.exit_code == 0, made.output
    again = runner.invoke(app, ["user", "create", "lead@lab.example", "--password", "long-enough"])
    assert again.exit_code == 1 and "already exists" in again.output
