"""The project wizard: create and edit through the form, errors that name the question."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.models import Project
from tandem.models.enums import ProjectStatus
from tests import factories as f
from tests.console.conftest import login

FORM = {"questions": [{"type": "label", "id": "topic", "prompt": "Topic?", "options": ["a", "b"]}]}


def _fields(org_id: int, csrf: str, **over: Any) -> dict[str, Any]:
    fields = {
        "csrf": csrf, "org_id": org_id, "name": "Summaries", "description": "", "guidelines": "",
        "form_json": json.dumps(FORM), "overlap": "3", "time_estimate_seconds": "300",
        "pay_model": "per_item_with_floor", "currency": "USD", "per_item": "0.50",
        "floor_hourly": "15.00", "hourly_rate": "", "completion_bonus": "2.00",
        "gold_rate": "0.1", "review_sample_rate": "0.2", "min_trust": "0.3",
    }  # fmt: skip
    return fields | over


def test_wizard_creates_a_draft_project_in_minor_units(client: TestClient, db: Session) -> None:
    org = f.org(db)
    owner = f.requester(db, org)
    csrf = login(client, owner)
    assert "Create draft project" in client.get("/console/projects/new").text
    done = client.post("/console/projects/new", data=_fields(org.id, csrf), follow_redirects=False)
    assert done.status_code == 303
    project = db.scalars(select(Project).where(Project.name == "Summaries")).one()
    assert done.headers["location"] == f"/console/projects/{project.id}/edit?saved=1"
    assert project.status == ProjectStatus.DRAFT and project.overlap == 3
    assert project.pay_terms["per_item_minor"] == 50
    assert project.pay_terms["floor_hourly_minor"] == 1500
    assert project.pay_terms["completion_bonus_minor"] == 200
    assert project.quality_policy["gold_rate"] == 0.1
    assert project.quality_policy["min_trust"] == 0.3
    assert project.form["questions"][0]["id"] == "topic"


def test_wizard_errors_name_the_question_and_keep_what_was_typed(
    client: TestClient, db: Session
) -> None:
    org = f.org(db)
    csrf = login(client, f.requester(db, org))
    tone = {"type": "label", "id": "tone", "prompt": "Tone?", "options": ["x"]}
    bad = {"questions": [FORM["questions"][0], tone]}
    data = _fields(org.id, csrf, name="Kept name", form_json=json.dumps(bad))
    page = client.post("/console/projects/new", data=data)
    assert page.status_code == 422
    assert "question 2 (tone): options:" in page.text
    assert 'value="Kept name"' in page.text
    assert db.scalars(select(Project).where(Project.name == "Kept name")).first() is None


def test_wizard_reports_bad_json_amounts_and_pay_terms_by_field(
    client: TestClient, db: Session
) -> None:
    org = f.org(db)
    csrf = login(client, f.requester(db, org))
    page = client.post("/console/projects/new", data=_fields(org.id, csrf, form_json="{oops"))
    assert page.status_code == 422 and "not valid JSON (line 1, column 2)" in page.text
    page = client.post("/console/projects/new", data=_fields(org.id, csrf, per_item="1.234"))
    assert page.status_code == 422 and "USD has 2 decimal places" in page.text
    hourly = _fields(org.id, csrf, pay_model="hourly", hourly_rate="")
    page = client.post("/console/projects/new", data=hourly)
    assert page.status_code == 422 and "needs hourly_rate_minor" in page.text


def test_wizard_edits_and_moves_a_project_along_its_lifecycle(
    client: TestClient, db: Session
) -> None:
    org = f.org(db)
    owner = f.requester(db, org)
    project = f.project(db, owner, org, status=ProjectStatus.DRAFT)
    csrf = login(client, owner)
    page = client.get(f"/console/projects/{project.id}/edit")
    assert page.status_code == 200 and "Go live" in page.text and 'value="1.00"' in page.text
    data = _fields(org.id, csrf, name="Renamed", pay_model="per_item", per_item="2.25")
    saved = client.post(f"/console/projects/{project.id}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303
    db.refresh(project)
    assert project.name == "Renamed" and project.pay_terms["per_item_minor"] == 225
    url = f"/console/projects/{project.id}/status"
    assert client.post(url, data={"csrf": csrf, "status": "live"}).status_code == 200
    db.refresh(project)
    assert project.status == ProjectStatus.LIVE


def test_previews_render_the_form_the_guidelines_and_the_hourly_rate(
    client: TestClient, db: Session
) -> None:
    csrf = login(client, f.requester(db, f.org(db)))
    pair = {"type": "pairwise", "id": "pref", "prompt": "Better?", "left": "a", "right": "b"}
    form = {"questions": [pair]}
    shown = client.post("/console/preview/form", data={"csrf": csrf, "form_json": json.dumps(form)})
    assert (
        "Better?" in shown.text
        and "Sample text from the item&#39;s &#39;a&#39; field" in shown.text
    )
    broken = {"questions": [{"type": "rating", "id": "r", "prompt": "R", "min": 5, "max": 1}]}
    shown = client.post(
        "/console/preview/form", data={"csrf": csrf, "form_json": json.dumps(broken)}
    )
    assert "question 1 (r)" in shown.text and "min must be below max" in shown.text
    text = "<script>alert(1)</script> **bold**"
    shown = client.post("/console/preview/guidelines", data={"csrf": csrf, "guidelines": text})
    assert "&lt;script&gt;" in shown.text and "<strong>bold</strong>" in shown.text
    pay = {"csrf": csrf, "pay_model": "per_item_with_floor", "currency": "USD", "per_item": "0.50",
           "floor_hourly": "15.00", "time_estimate_seconds": "300"}  # fmt: skip
    shown = client.post("/console/preview/pay", data=pay)
    # 0.50 per item is below the floor: 15.00/h for 5 minutes is 1.25 per item
    assert "1.25 USD" in shown.text and "15.00 USD" in shown.text
    shown = client.post("/console/preview/pay", data=pay | {"pay_model": "per_item"})
    assert "0.50 USD" in shown.text and "6.00 USD" in shown.text


def test_previews_need_the_csrf_token(client: TestClient, db: Session) -> None:
    login(client, f.requester(db, f.org(db)))
    shown = client.post("/console/preview/guidelines", data={"guidelines": "x"})
    assert shown.status_code == 403
