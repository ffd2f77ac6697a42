"""`tandem serve`: what it hands to uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from tandem.cli.main import app
from tandem.config import get_settings


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Any]]:
    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: calls.update(kwargs, app=target))
    monkeypatch.setenv("TANDEM_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


def test_workers_get_time_to_answer_the_health_check(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--no-access-log"])
    assert result.exit_code == 0, result.output
    assert served["workers"] == 2
    assert served["access_log"] is False
    assert served["timeout_worker_healthcheck"] == 30  # not uvicorn's 5 s


def test_health_check_timeout_is_a_setting(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_WORKER_HEALTHCHECK_SECONDS", "45")
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert served["timeout_worker_healthcheck"] == 45
    assert served["app"] == "tandem.app:serve_app"
