"""Projects over HTTP: create, read, update, lifecycle, and org isolation."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.projects.pay_terms import PayModel, PayTerms
from tests import factories as f


def _body(org_id: int, **extra: Any) -> dict[str, Any]:
    body = {
        "org_id": org_id,
        "name": "P",
        "form": f.PAIRWISE_RUBRIC_FORM,
        "pay_terms": {"model": "per_item", "currency": "EUR", "per_item_minor": 120},
    }
    body.update(extra)
    return body


def test_create_read_update_and_lifecycle(client: TestClient, db: Session) -> None:
    org = f.org(db)
    h = f.token_headers(db, f.requester(db, org))
    created = client.post("/api/v1/projects", json=_body(org.id), headers=h)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert created.json()["status"] == "draft"
    patched = client.patch(
        f"/api/v1/projects/{pid}", headers=h, json={"guidelines": "# Be kind", "overlap": 3}
    )
    assert patched.json()["guidelines"] == "# Be kind" and patched.json()["overlap"] == 3
    assert client.post(f"/api/v1/projects/{pid}/pause", headers=h).status_code == 409
    assert client.post(f"/api/v1/projects/{pid}/live", headers=h).json()["status"] == "live"
    assert client.post(f"/api/v1/projects/{pid}/pause", headers=h).json()["status"] == "paused"
    assert [p["id"] for p in client.get("/api/v1/projects", headers=h).json()] == [pid]


def test_other_orgs_projects_are_404_not_403(client: TestClient, db: Session) -> None:
    org_a, org_b = f.org(db), f.org(db)
    ha = f.token_headers(db, f.requester(db, org_a))
    hb = f.token_headers(db, f.requester(db, org_b))
    pid = client.post("/api/v1/projects", json=_body(org_a.id), headers=ha).json()["id"]
    for method, path in [("get", ""), ("patch", ""), ("post", "/live"), ("get", "/export")]:
        kwargs: dict[str, Any] = {"json": {"name": "x"}} if method == "patch" else {}
        res = getattr(client, method)(f"/api/v1/projects/{pid}{path}", headers=hb, **kwargs)
        assert res.status_code == 404, (method, path)
    assert client.post("/api/v1/projects", json=_body(org_a.id), headers=hb).status_code == 404
    # an expert (no requester role) cannot read it either
    assert (
        client.get(f"/api/v1/projects/{pid}", headers=f.token_headers(db, f.expert(db))).status_code
        == 404
    )


def test_validation_errors_carry_field_paths(client: TestClient, db: Session) -> None:
    org = f.org(db)
    h = f.token_headers(db, f.requester(db, org))
    bad_terms = client.post(
        "/api/v1/projects",
        headers=h,
        json=_body(
            org.id,
            pay_terms={"model": "per_item_with_floor", "currency": "usd", "per_item_minor": 1},
        ),
    )
    assert bad_terms.status_code == 422
    assert bad_terms.headers["content-type"].startswith("application/problem+json")
    locs = [e["loc"] for e in bad_terms.json()["errors"]]
    assert ["body", "pay_terms", "currency"] in locs
    bad_form = client.post(
        "/api/v1/projects",
        headers=h,
        json=_body(
            org.id,
            form={"questions": [{"type": "label", "id": "x", "prompt": "?", "options": ["a"]}]},
        ),
    )
    assert bad_form.status_code == 422
    assert bad_form.json()["errors"][0]["loc"][:3] == ["form", "questions", 0]


def test_effective_hourly_rate_of_pay_models() -> None:
    hourly = PayTerms(model=PayModel.HOURLY, hourly_rate_minor=3600)
    assert hourly.estimated_item_pay_minor(300) == 300
    assert hourly.effective_hourly_minor(300) == 3600
    floor = PayTerms(
        model=PayModel.PER_ITEM_WITH_FLOOR, per_item_minor=100, floor_hourly_minor=2400
    )
    assert floor.estimated_item_pay_minor(600) == 400  # the floor beats the piece rate
    assert floor.effective_hourly_minor(600) == 2400
    assert PayTerms(model=PayModel.PER_ITEM, per_item_minor=500).effective_hourly_minor(900) == 2000
