"""Claim and submit served ahead of FastAPI: which requests, and the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.app import create_app
from tandem.config import Settings
from tandem.dispatch import service as dispatch
from tandem.work.hot_routes import HotRoutes, hot_route
from tests import factories as f

# an unrelated cookie sends a request the long way, through FastAPI's middleware and router
THE_LONG_WAY = {"Cookie": "unrelated=1"}


def _scope(method: str, path: str, *headers: bytes, root_path: str = "") -> dict[str, Any]:
    values = {b"authorization": b"Bearer t", b"cookie": b"a=1", b"host": b"x"}
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": root_path,
        "headers": [(name, values[name]) for name in headers],
    }


@pytest.mark.parametrize(
    ("method", "path", "headers", "served"),
    [
        ("POST", "/api/v1/projects/12/next", (b"host", b"authorization"), "next_item:12"),
        ("POST", "/api/v1/assignments/7/submit", (b"authorization",), "submit:7"),
        ("POST", "/api/v1/projects/12/next", (b"host",), None),  # no token: a web session?
        ("POST", "/api/v1/projects/12/next", (b"authorization", b"cookie"), None),
        ("GET", "/api/v1/projects/12/next", (b"authorization",), None),
        ("POST", "/api/v1/projects/12/next/", (b"authorization",), None),
        ("POST", "/api/v1/projects/x12/next", (b"authorization",), None),
        ("POST", "/api/v1/projects/\u0661\u0662/next", (b"authorization",), None),
        ("POST", f"/api/v1/projects/{'9' * 19}/next", (b"authorization",), None),
        ("POST", "/api/v1/assignments/7/skip", (b"authorization",), None),
    ],
)
def test_only_token_calls_to_the_two_paths_skip_fastapi(
    method: str, path: str, headers: tuple[bytes, ...], served: str | None
) -> None:
    found = hot_route(_scope(method, path, *headers))
    assert (None if found is None else f"{found[0].__name__}:{found[1]}") == served


def test_an_app_served_under_a_prefix_is_left_to_fastapi() -> None:
    scope = _scope("POST", "/t/api/v1/projects/1/next", b"authorization", root_path="/t")
    assert hot_route(scope) is None


def _both_ways(client: TestClient, url: str, headers: dict[str, str], **kw: Any) -> Any:
    """The answer through the hot route, after checking FastAPI's reads the same."""
    hot = client.post(url, headers=headers, **kw)
    slow = client.post(url, headers={**headers, **THE_LONG_WAY}, **kw)
    assert (hot.status_code, hot.headers["content-type"]) == (
        slow.status_code,
        slow.headers["content-type"],
    )
    assert hot.json() == slow.json()
    assert hot.headers.get("idempotency-key") == slow.headers.get("idempotency-key")
    return hot


def test_claim_and_submit_answer_the_same_either_way(client: TestClient, db: Session) -> None:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org, overlap=1)
    f.items(db, proj, 3)
    headers = f.token_headers(db, f.expert(db))
    # the second call finds the lease the first opened, and returns it as it is
    claimed = _both_ways(client, f"/api/v1/projects/{proj.id}/next", headers).json()
    url = f"/api/v1/assignments/{claimed['id']}/submit"
    bad = _both_ways(client, url, headers, json={"response": f.good_response(), "extra": 1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "extra"]
    keyed = {**headers, "Idempotency-Key": "same"}
    stored = _both_ways(client, url, keyed, json={"response": f.good_response()})
    assert stored.status_code == 201 and stored.json()["counted"] is True
    missing = _both_ways(client, "/api/v1/projects/999999/next", headers)
    assert missing.status_code == 404
    wrong = _both_ways(client, url, {"Authorization": "Bearer nope"}, json={"response": {}})
    assert wrong.status_code == 401


def test_an_error_without_a_handler_is_a_500_either_way(
    app: FastAPI, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(dispatch, "next_assignment", broken)
    headers = f.token_headers(db, f.expert(db))
    with TestClient(app, raise_server_exceptions=False) as client:
        for extra in ({}, THE_LONG_WAY):
            answer = client.post("/api/v1/projects/1/next", headers={**headers, **extra})
            assert answer.status_code == 500


@pytest.mark.parametrize("telemetry", [False, True])
def test_with_telemetry_on_every_request_goes_through_fastapi(
    tmp_path: Path, telemetry: bool
) -> None:
    # FastAPI's router names a request's span after its route
    app = create_app(Settings(secret_key="k", var_dir=tmp_path, telemetry=telemetry))
    assert any(m.cls is HotRoutes for m in app.user_middleware) is not telemetry
