"""The thin path through the core loop, over HTTP: create, import, work, export."""

from __future__ import annotations

import io
import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests import factories as f


def test_requester_to_export_over_http(client: TestClient, db: Session) -> None:
    org = f.org(db)
    requester = f.requester(db, org)
    req_h = f.token_headers(db, requester)
    experts = [f.expert(db) for _ in range(3)]
    exp_h = [f.token_headers(db, e) for e in experts]

    body = {
        "org_id": org.id,
        "name": "Prefs",
        "form": f.PAIRWISE_RUBRIC_FORM,
        "overlap": 2,
        "pay_terms": {"model": "hourly", "currency": "USD", "hourly_rate_minor": 3000},
    }
    created = client.post("/api/v1/projects", json=body, headers=req_h)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    lines = "\n".join(
        json.dumps({"external_id": f"i{n}", "a": f"A{n}", "b": f"B{n}"}) for n in range(2)
    )
    upload = client.post(
        f"/api/v1/projects/{pid}/items",
        headers=req_h,
        files={"file": ("items.jsonl", io.BytesIO(lines.encode()))},
    )
    assert upload.json() == {"project_id": pid, "imported": 2}
    assert client.post(f"/api/v1/projects/{pid}/live", headers=req_h).json()["status"] == "live"

    # two experts each do both items (overlap 2 -> 4 slots)
    seen: dict[int, set[int]] = {0: set(), 1: set()}
    for round_ in range(2):
        for who in (0, 1):
            got = client.post(f"/api/v1/projects/{pid}/next", headers=exp_h[who])
            assert got.status_code == 200, got.text
            assignment = got.json()
            assert "gold" not in assignment
            assert assignment["item_id"] not in seen[who]
            seen[who].add(assignment["item_id"])
            choice = "A" if who == 0 or round_ == 0 else "B"
            sent = client.post(
                f"/api/v1/assignments/{assignment['id']}/submit",
                headers={**exp_h[who], "Idempotency-Key": f"k-{who}-{round_}"},
                json={"response": f.good_response(choice), "active_seconds": 90},
            )
            assert sent.status_code == 201, sent.text
            assert sent.json()["counted"] is True

    # overlap holds: the third expert gets nothing
    third = client.post(f"/api/v1/projects/{pid}/next", headers=exp_h[2])
    assert third.status_code == 404
    assert third.json()["code"] == "no_work"

    exported = client.get(f"/api/v1/projects/{pid}/export?format=jsonl", headers=req_h)
    assert exported.status_code == 200
    records = [json.loads(line) for line in exported.text.splitlines()]
    assert len(records) == 2
    assert all(len(r["submissions"]) == 2 for r in records)
    assert all(r["status"] == "complete" for r in records)
    pseudonyms = {s["annotator"] for r in records for s in r["submissions"]}
    assert len(pseudonyms) == 2 and all(p.startswith("expert-") for p in pseudonyms)
    assert not any(e.user.email in exported.text for e in experts)
    # each item got one A vote from expert 0; expert 1 voted A then B: a 1:1 split is a tie
    majorities = sorted(r["majority"]["preference"]["answer"] for r in records)
    assert majorities == ["A", "tie"]
    agreements = sorted(r["majority"]["preference"]["agreement"] for r in records)
    assert agreements == [0.5, 1.0]
