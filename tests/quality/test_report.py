"""The stored quality report: confusion, accuracy, leaderboards, skills, staleness, trust."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.auth.security import pseudonym
from tandem.dispatch.eligibility import why_not_eligible
from tandem.dispatch.repository import trust_scores
from tandem.kit.clock import FakeClock
from tandem.models import Aggregate, Item, Organization
from tandem.quality import service
from tests import factories as f


def _response(choice: str) -> dict[str, Any]:
    return {
        "preference": {"choice": choice, "strength": 2, "justification": "clearer and right"},
        "quality": {"accuracy": 4, "clarity": 4},
    }


def _setup(db: Session, organization: Organization | None = None) -> tuple[Any, Any, list[Any]]:
    """4 items, 3 experts; the first two say A, the third always B; item 0 has gold A."""
    organization = organization or f.org(db)
    owner = f.requester(db, organization)
    proj = f.project(db, owner, organization, overlap=3)
    rows = f.items(db, proj, 4)
    rows[0].gold = {"preference": {"choice": "A"}}
    experts = [f.expert(db) for _ in range(3)]
    for _ in rows:
        for expert, choice in zip(experts, "AAB", strict=True):
            f.submission(db, proj, expert, _response(choice))
    return owner, proj, experts


def _name(proj: Any, actor: Any) -> str:
    return str(pseudonym(actor.require_expert().id, proj.org_id))


def test_report_has_consensus_and_gold_confusion_matrices(db: Session, clock: FakeClock) -> None:
    owner, proj, experts = _setup(db)
    service.recompute_project(db, proj, clock.now())
    report = service.report(db, owner, proj.id)
    matrices = [m for m in report.confusion if m.question_id == "preference"]
    overall = next(m for m in matrices if m.reference == "consensus")
    assert overall.labels == ["A", "B", "tie"]
    assert overall.counts == [[8, 4, 0], [0, 0, 0], [0, 0, 0]]
    gold = {m.expert: m.counts for m in matrices if m.reference == "gold"}
    assert gold[_name(proj, experts[0])][0] == [1, 0, 0]
    assert gold[_name(proj, experts[2])][0] == [0, 1, 0]
    assert all(m.question_id != "quality" for m in report.confusion)  # rubric: no matrix


def test_each_expert_has_accuracy_against_gold_and_consensus(db: Session, clock: FakeClock) -> None:
    owner, proj, experts = _setup(db)
    service.recompute_project(db, proj, clock.now())
    by_name = {e.expert: e for e in service.report(db, owner, proj.id).experts}
    good, bad = by_name[_name(proj, experts[0])], by_name[_name(proj, experts[2])]
    assert (good.gold_accuracy, good.consensus_accuracy, good.consensus_seen) == (1.0, 1.0, 4)
    assert (bad.gold_accuracy, bad.consensus_accuracy) == (0.0, 0.0)
    assert good.reliability is not None and good.reliability > bad.reliability  # type: ignore[operator]


def test_leaderboard_ranks_sides_without_model_names(db: Session, clock: FakeClock) -> None:
    owner, proj, _ = _setup(db)
    service.recompute_project(db, proj, clock.now())
    (board,) = service.report(db, owner, proj.id).leaderboards
    assert board.players_from == "sides"
    assert [e.player for e in board.entries] == ["a", "b"]  # side "a" won 8 of 12
    assert [e.comparisons for e in board.entries] == [12, 12]
    assert board.entries[0].elo > board.entries[1].elo


def test_leaderboard_ranks_models_named_in_the_payload(db: Session, clock: FakeClock) -> None:
    owner, proj, _ = _setup(db)
    pairs = [("gpt", "claude"), ("gpt", "claude"), ("claude", "llama"), ("claude", "llama")]
    items = sorted(proj_items(db, proj.id), key=lambda i: i.id)
    for item, (a, b) in zip(items, pairs, strict=True):
        item.payload = {**item.payload, "model_a": a, "model_b": b}
    db.flush()
    service.recompute_project(db, proj, clock.now())
    (board,) = service.report(db, owner, proj.id).leaderboards
    assert board.players_from == "models"
    assert [e.player for e in board.entries] == ["gpt", "claude", "llama"]
    assert all(e.lower is not None and e.lower <= e.elo <= e.upper for e in board.entries)  # type: ignore[operator]


def proj_items(db: Session, project_id: int) -> list[Any]:
    return list(db.scalars(select(Item).where(Item.project_id == project_id)))


def test_trust_per_skill_pools_gold_over_the_orgs_projects(db: Session, clock: FakeClock) -> None:
    organization = f.org(db)
    owner, first, experts = _setup(db, organization)
    _, second, others = _setup(db, organization)
    _, elsewhere, _ = _setup(db)
    for proj in (first, second, elsewhere):
        proj.required_skills = {"python": 2}
        service.recompute_project(db, proj, clock.now())
    skills = service.report(db, owner, first.id).skills
    mine = {s.expert: s for s in skills if s.skill == "python"}
    good = mine[_name(first, experts[0])]
    assert (good.projects, good.gold_seen, good.gold_correct) == (1, 1, 1)
    assert good.mean == round(2 / 3, 6) and good.lower < good.mean < good.upper
    assert _name(first, others[0]) not in mine  # only this project's experts are listed
    assert mine[_name(first, experts[2])].mean == round(1 / 3, 6)


def test_stale_projects_are_recomputed_once_per_change(db: Session, clock: FakeClock) -> None:
    owner, proj, experts = _setup(db)
    assert proj.id in service.stale_project_ids(db)
    first = clock.now()
    assert proj.id in service.recompute_stale_projects(db, first)
    assert proj.id not in service.recompute_stale_projects(db, clock.advance(hours=1))
    db.add(Item(project_id=proj.id, external_id="late", payload={"a": "A", "b": "B"}))
    f.submission(db, proj, experts[0], _response("A"))
    report = service.report(db, owner, proj.id)
    assert report.stale and report.computed_at == first  # unchanged: nothing was stale
    assert proj.id in service.recompute_stale_projects(db, clock.advance(hours=1))
    fresh = service.report(db, owner, proj.id)
    assert not fresh.stale and fresh.questions[0].labels == 13


def test_get_reads_stored_rows_and_never_recomputes(
    db: Session, client: TestClient, clock: FakeClock
) -> None:
    owner, proj, _ = _setup(db)
    url = f"/api/v1/projects/{proj.id}/quality"
    body = client.get(url, headers=f.token_headers(db, owner)).json()
    assert body["computed_at"] is None and body["stale"] is True and body["questions"] == []
    stored = db.scalar(select(func.count(Aggregate.id)).where(Aggregate.project_id == proj.id))
    assert stored == 0
    service.recompute_stale_projects(db, clock.now())
    body = client.get(url, headers=f.token_headers(db, owner)).json()
    assert body["stale"] is False and body["leaderboards"][0]["question_id"] == "preference"
    assert {m["reference"] for m in body["confusion"]} == {"consensus", "gold"}


def test_dispatch_reads_the_trust_rows_the_quality_job_writes(
    db: Session, clock: FakeClock
) -> None:
    owner, proj, experts = _setup(db)
    service.recompute_stale_projects(db, clock.now())
    report = service.report(db, owner, proj.id)
    scores = trust_scores(db, proj.id)
    for actor in experts:
        mine = next(e for e in report.experts if e.expert == _name(proj, actor))
        assert scores[actor.require_expert().id] == pytest.approx(mine.score, abs=1e-6)
    proj.quality_policy = {**proj.quality_policy, "min_trust": 0.5}
    good, bad = (experts[0].require_expert(), experts[2].require_expert())
    assert why_not_eligible(db, good, proj, clock.now(), set()) is None
    assert "trust score" in str(why_not_eligible(db, bad, proj, clock.now(), set()))
