"""The review API and pages end to end: queue, verdict, appeal, audit; problem+json errors."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.security import pseudonym
from tandem.kit.clock import FakeClock
from tandem.models import Item, Trust
from tests import factories as f
from tests.review.conftest import Team


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def _login(client: TestClient, who: Actor) -> None:
    token = _csrf(client.get("/login").text)
    out = client.post(
        "/login",
        data={"email": who.user.email, "password": f.PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert out.status_code == 303


def _submit(client: TestClient, db: Session, team: Team) -> int:
    headers = f.token_headers(db, team.expert)
    assignment = client.post(f"/api/v1/projects/{team.project.id}/next", headers=headers).json()
    body = {"response": f.good_response(), "active_seconds": 90}
    out = client.post(f"/api/v1/assignments/{assignment['id']}/submit", json=body, headers=headers)
    assert out.status_code == 201, out.text
    return int(out.json()["id"])


def test_reject_appeal_overturn_over_the_api(client: TestClient, db: Session, team: Team) -> None:
    submission_id = _submit(client, db, team)
    reviewer, expert = f.token_headers(db, team.reviewer), f.token_headers(db, team.expert)
    [entry] = client.get("/api/v1/review/queue", headers=reviewer).json()
    assert entry["submission_id"] == submission_id and entry["expert"].startswith("expert-")
    no_reason = {"verdict": "reject", "reasons": []}
    bad = client.post(
        f"/api/v1/review/tasks/{entry['task_id']}/decision", json=no_reason, headers=reviewer
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["reasons"]
    decision = {"verdict": "reject", "reasons": ["incomplete"], "feedback": "justify more"}
    review = client.post(
        f"/api/v1/review/tasks/{entry['task_id']}/decision", json=decision, headers=reviewer
    )
    assert review.status_code == 201
    [verdict] = client.get("/api/v1/me/verdicts", headers=expert).json()
    assert verdict["reasons"] == ["incomplete"] and verdict["can_appeal"] is True
    appeal = client.post(
        f"/api/v1/reviews/{verdict['review_id']}/appeal",
        json={"statement": "I justified it in full."},
        headers=expert,
    ).json()
    second = f.token_headers(db, team.second_reviewer)
    assert [a["id"] for a in client.get("/api/v1/appeals/queue", headers=second).json()] == [
        appeal["id"]
    ]
    resolved = client.post(
        f"/api/v1/appeals/{appeal['id']}/resolve",
        json={"overturn": True, "resolution": "the justification is enough"},
        headers=second,
    )
    assert resolved.json()["status"] == "overturned"
    audit = client.get("/api/v1/me/audit", headers=expert).json()
    assert [e["action"] for e in audit] == ["appeal.overturned", "appeal.open", "review.reject"]
    assert all(team.reviewer.user.email not in e["who"] for e in audit)


def test_reviewer_page_decides_with_csrf_and_expert_sees_verdicts(
    client: TestClient, db: Session, team: Team
) -> None:
    _submit(client, db, team)
    _login(client, team.reviewer)
    page = client.get("/review")
    assert page.status_code == 200 and "keydown" in page.text and "sampled" in page.text
    action = re.search(r'action="(/review/tasks/\d+)"', page.text)
    assert action is not None
    forged = client.post(action.group(1), data={"verdict": "reject", "csrf": "x"})
    assert forged.status_code == 403
    done = client.post(
        action.group(1),
        data={
            "verdict": "reject",
            "reasons": ["low_effort"],
            "feedback": "too short",
            "csrf": _csrf(page.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Nothing to review" in client.get("/review").text
    client.cookies.clear()
    _login(client, team.expert)
    verdicts = client.get("/verdicts")
    assert "low effort" in verdicts.text and "too short" in verdicts.text
    link = re.search(r'href="(/verdicts/\d+/appeal)"', verdicts.text)
    assert link is not None
    form = client.get(link.group(1))
    assert "different reviewer" in form.text
    short = client.post(link.group(1), data={"statement": "no", "csrf": _csrf(form.text)})
    assert short.status_code == 422
    filed = client.post(
        link.group(1),
        data={"statement": "I followed section 3.", "csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    assert "open" in client.get("/verdicts").text


def test_qualification_over_the_api(client: TestClient, db: Session, team: Team) -> None:
    for item in db.scalars(select(Item).where(Item.project_id == team.project.id)):
        item.gold = {"preference": {"choice": "A"}}
    db.flush()
    owner, expert = f.token_headers(db, team.owner), f.token_headers(db, team.expert)
    body = {"project_id": team.project.id, "name": "Prefs", "skill": "prefs", "level": 2}
    qual = client.post("/api/v1/qualifications", json=body, headers=owner)
    assert qual.status_code == 201, qual.text
    test = client.get(f"/api/v1/qualifications/{qual.json()['id']}/test", headers=expert).json()
    answers = {str(i["item_id"]): f.good_response() for i in test["items"]}
    out = client.post(
        f"/api/v1/qualifications/{qual.json()['id']}/attempts",
        json={"answers": answers, "active_seconds": 60},
        headers=expert,
    )
    assert out.status_code == 201 and out.json()["passed"] is True
    again = client.post(
        f"/api/v1/qualifications/{qual.json()['id']}/attempts",
        json={"answers": answers},
        headers=expert,
    )
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"


def test_removed_expert_sees_the_reason_and_appeals_on_the_page(
    client: TestClient, db: Session, team: Team, clock: FakeClock
) -> None:
    expert_id = team.expert.expert.id  # type: ignore[union-attr]
    db.add(Trust(project_id=team.project.id, expert_id=expert_id, score=0.1))
    db.flush()
    owner = f.token_headers(db, team.owner)
    body = {
        "expert": pseudonym(expert_id, team.org.id),
        "reason": "gold accuracy 20% over 30 checks",
    }
    warned = client.post(f"/api/v1/projects/{team.project.id}/removals", json=body, headers=owner)
    assert warned.status_code == 201, warned.text
    removal_id = warned.json()["id"]
    early = client.post(
        f"/api/v1/removals/{removal_id}/remove", json={"reason": "no change"}, headers=owner
    )
    assert early.status_code == 409
    clock.advance(days=7)
    removed = client.post(
        f"/api/v1/removals/{removal_id}/remove", json={"reason": "no change"}, headers=owner
    )
    assert removed.json()["status"] == "removed"
    _login(client, team.expert)
    page = client.get("/verdicts")
    assert "gold accuracy 20% over 30 checks" in page.text
    action = f"/verdicts/removals/{removal_id}/appeal"
    assert action in page.text
    filed = client.post(
        action,
        data={"statement": "three gold items were wrong", "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    mine = client.get("/api/v1/me/removals", headers=f.token_headers(db, team.expert)).json()
    assert (
        mine[0]["status"] == "appealed"
        and mine[0]["appeal_statement"] == "three gold items were wrong"
    )
