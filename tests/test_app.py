"""The app factory: what a server process is set up with."""

from __future__ import annotations

from pathlib import Path

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient
from opentelemetry import trace

from tandem.app import create_app
from tandem.config import Settings


def test_worker_threads_setting_bounds_the_thread_pool(tmp_path: Path) -> None:
    app = create_app(Settings(secret_key="k", var_dir=tmp_path, worker_threads=3))

    @app.get("/threads")
    async def threads() -> float:
        return to_thread.current_default_thread_limiter().total_tokens

    with TestClient(app) as client:
        assert client.get("/threads").json() == 3


def test_health_answers_without_the_database_and_stays_out_of_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'never-created' / 'tandem.db'}"  # opening it would fail
    app = create_app(Settings(secret_key="k", var_dir=tmp_path, database_url=url))
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert "/health" not in client.get("/api/openapi.json").json()["paths"]


@pytest.mark.parametrize("enabled", [False, True])
def test_opentelemetry_is_looked_for_only_when_turned_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    looked: list[str] = []
    real = trace.get_tracer_provider
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: looked.append("trace") or real())
    settings = Settings(secret_key="k", var_dir=tmp_path, telemetry=enabled)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
    assert bool(looked) is enabled
