"""ApiWork: a route's whole unit of work in one thread, committed or not at all."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.deps import ApiWorkDep
from tandem.kit.errors import Conflict
from tandem.models import Organization
from tests import factories as f


def _probe(app: FastAPI) -> None:
    @app.post("/probe/{slug}")
    async def probe(slug: str, work: ApiWorkDep, fail: bool = False) -> int:
        def unit(db: Session, actor: Actor) -> int:
            db.add(Organization(slug=slug, name=slug))
            db.flush()
            if fail:
                raise Conflict("asked to fail after writing")
            return actor.user.id

        return await work.run(unit)


def _slugs(db: Session) -> list[str]:
    return list(db.scalars(select(Organization.slug).where(Organization.slug.like("probe-%"))))


def test_work_sees_the_caller_and_commits(app: FastAPI, client: TestClient, db: Session) -> None:
    _probe(app)
    expert = f.expert(db)
    answer = client.post("/probe/probe-ok", headers=f.token_headers(db, expert))
    assert answer.status_code == 200
    assert answer.json() == expert.user.id
    assert _slugs(db) == ["probe-ok"]


def test_failed_work_leaves_nothing(app: FastAPI, client: TestClient, db: Session) -> None:
    _probe(app)
    headers = f.token_headers(db, f.expert(db))
    answer = client.post("/probe/probe-bad?fail=true", headers=headers)
    assert answer.status_code == 409
    assert _slugs(db) == []


def test_work_needs_a_caller(app: FastAPI, client: TestClient, db: Session) -> None:
    _probe(app)
    assert client.post("/probe/probe-anon").status_code == 401
    assert _slugs(db) == []


def test_work_runs_without_the_lifespan(app: FastAPI, db: Session) -> None:
    # served without lifespan events there are no work threads of the app's own
    _probe(app)
    headers = f.token_headers(db, f.expert(db))
    answer = TestClient(app).post("/probe/probe-bare", headers=headers)
    assert answer.status_code == 200
    assert _slugs(db) == ["probe-bare"]
