"""Quality integration: aggregates and trust stored per project, and the report API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.auth.security import pseudonym
from tandem.models import Aggregate, Trust
from tandem.quality import service
from tandem.quality.service import trust_score
from tests import factories as f


def _response(choice: str, accuracy: int) -> dict[str, Any]:
    return {
        "preference": {"choice": choice, "strength": 2, "justification": "clearer and right"},
        "quality": {"accuracy": accuracy, "clarity": 4},
    }


def _project_with_answers(db: Session) -> tuple[Any, Any, list[Any], list[Any]]:
    """4 items, 3 experts; the third always says B; item 0 has gold answer A."""
    organization = f.org(db)
    owner = f.requester(db, organization)
    proj = f.project(db, owner, organization, overlap=3)
    rows = f.items(db, proj, 4)
    rows[0].gold = {"preference": {"choice": "A"}}
    db.flush()
    experts = [f.expert(db) for _ in range(3)]
    for _ in rows:
        f.submission(db, proj, experts[0], _response("A", 4))
        f.submission(db, proj, experts[1], _response("A", 5))
        f.submission(db, proj, experts[2], _response("B", 2))
    return owner, proj, rows, experts


def test_recompute_stores_one_aggregate_per_item_and_question(db: Session) -> None:
    owner, proj, rows, _ = _project_with_answers(db)
    service.recompute(db, owner, proj.id)
    report = service.recompute(db, owner, proj.id)  # twice: updated, never duplicated
    stored = db.scalars(select(Aggregate).where(Aggregate.project_id == proj.id)).all()
    assert len(stored) == 2 * len(rows)
    prefs = [a for a in stored if a.question_id == "preference"]
    assert {a.answer for a in prefs} == {"A"}
    assert all(a.n_labels == 3 and a.method.startswith("auto") for a in prefs)
    quality = [a for a in stored if a.question_id == "quality"]
    assert all(set(a.answer) == {"accuracy", "clarity"} for a in quality)
    by_question = {q.question_id: q for q in report.questions}
    assert by_question["preference"].labels == 12
    assert by_question["quality"].alpha_level == "interval"


def test_trust_blends_gold_checks_with_consensus(db: Session) -> None:
    owner, proj, _, experts = _project_with_answers(db)
    service.recompute(db, owner, proj.id)
    trust = {t.expert_id: t for t in db.scalars(select(Trust).where(Trust.project_id == proj.id))}
    good, bad = trust[experts[0].require_expert().id], trust[experts[2].require_expert().id]
    assert (good.gold_seen, good.gold_correct) == (1, 1)
    assert (bad.gold_seen, bad.gold_correct) == (1, 0)
    assert good.score > 0.5 > bad.score
    assert good.score == pytest.approx(trust_score(1, 1, good.agreement))


def test_trust_score_is_a_beta_posterior_mean() -> None:
    assert trust_score(0, 0, None) == pytest.approx(0.5)
    assert trust_score(10, 10, 0.9) == pytest.approx((10 + 1 + 3.6) / (10 + 2 + 4))
    assert trust_score(100, 0, 0.9) < 0.05


def test_quality_api_reports_to_the_owner_org_only(db: Session, client: TestClient) -> None:
    owner, proj, _, experts = _project_with_answers(db)
    headers = f.token_headers(db, owner)
    recomputed = client.post(f"/api/v1/projects/{proj.id}/quality/recompute", headers=headers)
    assert recomputed.status_code == 200
    body = client.get(f"/api/v1/projects/{proj.id}/quality", headers=headers).json()
    preference = next(q for q in body["questions"] if q["question_id"] == "preference")
    assert preference["items"] == 4 and preference["alpha"] is not None
    names = {e["expert"] for e in body["experts"]}
    assert pseudonym(experts[0].require_expert().id, proj.org_id) in names
    stranger = f.requester(db, f.org(db))
    url = f"/api/v1/projects/{proj.id}/quality"
    assert client.get(url, headers=f.token_headers(db, stranger)).status_code == 404
    assert client.get(url, headers=f.token_headers(db, experts[0])).status_code in (403, 404)
