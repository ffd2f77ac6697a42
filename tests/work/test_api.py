"""The work API over HTTP: claim and submit read and write their JSON by hand."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.models import Submission
from tests import factories as f


def _claimed(client: TestClient, db: Session) -> tuple[dict, dict[str, str]]:
    org = f.org(db)
    proj = f.project(db, f.requester(db, org), org, overlap=1)
    f.items(db, proj, 2)
    headers = f.token_headers(db, f.expert(db))
    answer = client.post(f"/api/v1/projects/{proj.id}/next", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    return answer.json(), headers


def _submissions(db: Session) -> int:
    return int(db.scalar(select(func.count(Submission.id))) or 0)


def test_a_submit_answers_201_with_its_key_and_a_retry_gives_the_same(
    client: TestClient, db: Session
) -> None:
    claimed, headers = _claimed(client, db)
    assert claimed["status"] == "active" and claimed["payload"] and claimed["form"]
    body = {"response": f.good_response(), "active_seconds": 60}
    url = f"/api/v1/assignments/{claimed['id']}/submit"
    first = client.post(url, json=body, headers={**headers, "Idempotency-Key": "k-1"})
    again = client.post(url, json=body, headers={**headers, "Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.headers["idempotency-key"] == "k-1"
    assert first.json() == again.json()
    assert first.json()["assignment_id"] == claimed["id"] and first.json()["counted"] is True
    assert _submissions(db) == 1


def test_a_submit_without_a_key_gets_one_made_up(client: TestClient, db: Session) -> None:
    claimed, headers = _claimed(client, db)
    body = {"response": f.good_response()}
    answer = client.post(f"/api/v1/assignments/{claimed['id']}/submit", json=body, headers=headers)
    assert answer.status_code == 201 and answer.headers["idempotency-key"].startswith("auto-")


def test_a_bad_submit_names_the_field_and_stores_nothing(client: TestClient, db: Session) -> None:
    claimed, headers = _claimed(client, db)
    url = f"/api/v1/assignments/{claimed['id']}/submit"
    body = {"response": f.good_response(), "active_seconds": -1, "extra": 1}
    answer = client.post(url, json=body, headers=headers)
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["errors"]] == [
        ["body", "active_seconds"],
        ["body", "extra"],
    ]
    too_long = {**headers, "Idempotency-Key": "k" * 201}
    answer = client.post(url, json={"response": f.good_response()}, headers=too_long)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["header", "idempotency-key"]
    assert _submissions(db) == 0


def test_claim_and_submit_need_a_caller(client: TestClient, db: Session) -> None:
    claimed, _ = _claimed(client, db)
    body = {"response": f.good_response()}
    answer = client.post(f"/api/v1/assignments/{claimed['id']}/submit", json=body)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.post(f"/api/v1/projects/{claimed['project_id']}/next").status_code == 401
    assert _submissions(db) == 0


def test_an_answer_that_breaks_the_form_names_the_question(client: TestClient, db: Session) -> None:
    claimed, headers = _claimed(client, db)
    bad = f.good_response()
    bad["quality"]["accuracy"] = 11
    url = f"/api/v1/assignments/{claimed['id']}/submit"
    answer = client.post(url, json={"response": bad}, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"][:3] == ["response", "quality", "accuracy"]
    assert _submissions(db) == 0
