"""The app factory: what a server process is set up with."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient
from opentelemetry import _logs, metrics, trace

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
    for module, getter in (
        (trace, "get_tracer_provider"),
        (metrics, "get_meter_provider"),
        (_logs, "get_logger_provider"),
    ):
        real = getattr(module, getter)
        monkeypatch.setattr(module, getter, partial(_noted, looked, getter, real))
    settings = Settings(secret_key="k", var_dir=tmp_path, telemetry=enabled)
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
    # on, FastAPI asks for every provider (none is set up here); off, for none
    everything = {"get_tracer_provider", "get_meter_provider", "get_logger_provider"}
    assert set(looked) == (everything if enabled else set())


def _noted(looked: list[str], name: str, real: Callable[[], object]) -> object:
    looked.append(name)
    return real()
