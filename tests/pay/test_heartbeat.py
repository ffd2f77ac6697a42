"""Heartbeats: active time, the idle cutoff, retries, night time and ownership."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.dispatch.service import next_assignment
from tandem.kit.clock import FakeClock
from tandem.models import WorkSession
from tandem.models.enums import LedgerKind
from tests import factories as f

ACTIVE = {"focused": True, "input_events": 7}


def _setup(db: Session, **expert: Any) -> tuple[Any, int, dict[str, str]]:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org)
    f.items(db, proj, 3)
    worker = f.expert(db, **expert)
    assignment = next_assignment(db, worker, proj.id)
    return worker, assignment.id, f.token_headers(db, worker)


def _beat(client: TestClient, aid: int, headers: dict[str, str], **body: Any) -> Any:
    response = client.post(
        f"/api/v1/assignments/{aid}/heartbeat", json={**ACTIVE, **body}, headers=headers
    )
    return response


def test_beats_every_30s_count_active_time(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    _, aid, headers = _setup(db)
    assert _beat(client, aid, headers).json()["counted_seconds"] == 0  # the session starts
    for _ in range(4):
        clock.advance(seconds=30)
        body = _beat(client, aid, headers).json()
    assert body["counted_seconds"] == 30
    assert body["session_active_seconds"] == 120
    assert body["assignment_active_seconds"] == 120


def test_a_retried_beat_does_not_double_count(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    _, aid, headers = _setup(db)
    _beat(client, aid, headers)
    clock.advance(seconds=30)
    assert _beat(client, aid, headers).json()["session_active_seconds"] == 30
    retry = _beat(client, aid, headers).json()  # same instant: the network retried
    assert retry["counted_seconds"] == 0
    assert retry["session_active_seconds"] == 30


def test_idle_gap_and_unfocused_time_do_not_count(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    _, aid, headers = _setup(db)
    _beat(client, aid, headers)
    clock.advance(seconds=30)
    _beat(client, aid, headers, focused=False)  # the tab was in the background
    clock.advance(seconds=30)
    _beat(client, aid, headers, input_events=0)  # focused but no input
    clock.advance(seconds=30)
    assert _beat(client, aid, headers).json()["session_active_seconds"] == 30
    clock.advance(minutes=3)  # away longer than the 2-minute cutoff: a new session
    after_idle = _beat(client, aid, headers).json()
    assert after_idle["counted_seconds"] == 0
    assert after_idle["assignment_active_seconds"] == 30
    sessions = db.scalars(select(WorkSession).where(WorkSession.assignment_id == aid)).all()
    assert len(sessions) == 2


def test_night_time_is_split_in_the_experts_zone(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    from datetime import UTC, datetime

    _, aid, headers = _setup(db, time_zone="Asia/Tokyo")
    clock.set(datetime(2026, 1, 5, 12, 59, tzinfo=UTC))  # 21:59 in Tokyo
    _beat(client, aid, headers)
    for _ in range(4):
        clock.advance(seconds=30)
        _beat(client, aid, headers)
    session = db.scalars(select(WorkSession).where(WorkSession.assignment_id == aid)).one()
    db.refresh(session)
    assert (session.active_seconds, session.night_seconds) == (120, 60)


def test_guidelines_time_is_its_own_session_kind(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    _, aid, headers = _setup(db)
    _beat(client, aid, headers, kind="guidelines")
    clock.advance(seconds=30)
    assert _beat(client, aid, headers, kind="guidelines").json()["session_active_seconds"] == 30
    assert _beat(client, aid, headers).json()["session_active_seconds"] == 0


def test_only_the_experts_own_open_assignment(client: TestClient, db: Session) -> None:
    _, aid, headers = _setup(db)
    stranger = f.token_headers(db, f.expert(db))
    assert _beat(client, aid, stranger).status_code == 404
    client.post(f"/api/v1/assignments/{aid}/skip", json={"reason": "not my field"}, headers=headers)
    closed = _beat(client, aid, headers)
    assert closed.status_code == 409
    assert closed.headers["content-type"] == "application/problem+json"


def test_heartbeat_time_is_what_the_pay_run_pays(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    from tandem.pay.payrun import run_pay
    from tandem.pay.periods import week_of
    from tandem.pay.policy import load_policy
    from tests.pay.conftest import entries

    worker, aid, headers = _setup(db)
    for _ in range(11):  # 10 credited intervals of 30 s
        _beat(client, aid, headers)
        clock.advance(seconds=30)
    period = week_of(clock.now().date())
    clock.advance(days=7)
    run_pay(db, period, load_policy())
    work = [e for e in entries(db, worker.require_expert().id) if e.kind == LedgerKind.WORK]
    # nothing submitted yet: the work entry pays 0 items but carries the 5 minutes
    assert [(e.details["seconds"], e.details["items"]) for e in work] == [(300, 0)]
