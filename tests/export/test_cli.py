"""`tandem project export` for datasets and `tandem project import-label-studio`."""

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
from tandem.models import Item, Project

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


def test_export_datasets_and_import_label_studio(cli_db: Engine, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    with cli_db.connect() as conn:
        project_id = int(conn.scalar(select(Project.id)) or 0)
    out = tmp_path / "raw"
    done = runner.invoke(
        app, ["project", "export", str(project_id), "--format", "raw", "--file", "parquet",
              "--out", str(out), "--license", "cc-by-4.0"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert (out / "raw.parquet").exists() and "license: cc-by-4.0" in (
        out / "README.md"
    ).read_text()
    tasks = tmp_path / "ls"
    exported = runner.invoke(
        app, ["project", "export", str(project_id), "--format", "label-studio", "--out", str(tasks)]
    )
    assert exported.exit_code == 0, exported.output
    listed = json.loads((tasks / "label_studio.json").read_text())
    assert isinstance(listed, list)
    source = tmp_path / "ls.json"
    rows = [{"data": dict(item)} for item in _demo_payloads(cli_db, project_id, 3)]
    source.write_text(json.dumps(rows))
    before = _items(cli_db, project_id)
    imported = runner.invoke(app, ["project", "import-label-studio", str(project_id), str(source)])
    assert imported.exit_code == 0, imported.output
    assert "imported 3 tasks" in imported.output
    assert _items(cli_db, project_id) == before + 3
    bad = runner.invoke(
        app, ["project", "export", str(project_id), "--format", "dpo", "--file", "csv",
              "--out", str(tmp_path / "x")],
    )  # fmt: skip
    assert bad.exit_code == 1 and "file" in bad.output


def _demo_payloads(engine: Engine, project_id: int, n: int) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return list(
            conn.scalars(select(Item.payload).where(Item.project_id == project_id).limit(n))
        )


def _items(engine: Engine, project_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(select(func.count(Item.id)).where(Item.project_id == project_id)) or 0
        )
