"""Ids beyond the database's BIGINT range are bad input (422), not a server error."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.kit.ids import BIGINT_MAX, BIGINT_MIN
from tests import factories as f


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("post", "/api/v1/projects/{}/next", "project_id"),  # goes through FastAPI
        ("post", "/api/v1/assignments/{}/submit", "assignment_id"),
        ("get", "/api/v1/projects/{}", "project_id"),
        ("get", "/api/v1/review/queue?project_id={}", "project_id"),
    ],
)
@pytest.mark.parametrize("value", [BIGINT_MAX + 1, BIGINT_MIN - 1])
def test_an_id_out_of_range_is_a_422_naming_it(
    client: TestClient, db: Session, method: str, path: str, name: str, value: int
) -> None:
    headers = f.token_headers(db, f.expert(db))
    answer = client.request(method, path.format(value), headers=headers, json={"response": {}})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"][-1] == name


def test_the_largest_id_is_still_looked_up(client: TestClient, db: Session) -> None:
    headers = f.token_headers(db, f.expert(db))
    answer = client.post(f"/api/v1/projects/{BIGINT_MAX}/next", headers=headers)
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("path", "field"), [("/api/v1/projects", "org_id"), ("/api/v1/qualifications", "project_id")]
)
def test_an_id_out_of_range_in_a_body_is_a_422_naming_it(
    client: TestClient, db: Session, path: str, field: str
) -> None:
    headers = f.token_headers(db, f.expert(db))
    answer = client.post(path, headers=headers, json={field: BIGINT_MAX + 1})
    assert answer.status_code == 422
    assert ["body", field] in [e["loc"] for e in answer.json()["errors"]]
