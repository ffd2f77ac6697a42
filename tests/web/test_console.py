"""The requester console in a real browser: build a project in the wizard with a live
preview, import a file, go live, and watch the dashboard's charts draw and refresh."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tandem.kit.clock import utcnow
from tandem.models import Project, Submission
from tests import factories as f
from tests.web.conftest import LiveServer

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
GOOD_ROWS = "\n".join(f'{{"external_id": "e{n}", "text": "item {n}"}}' for n in range(6)) + "\n"
DRAWN = """canvas => {
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) inked++; } return inked; }"""


def _requester(server: LiveServer) -> str:
    with server.sessions() as db:
        owner = f.requester(db, f.org(db))
        db.commit()
        return owner.user.email


def _login(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/login?next=/console")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.url + "/console")


def _work(server: LiveServer, project_id: int, answers: list[tuple[str, int]]) -> None:
    """Experts submit through the real services; submissions are spread over past hours."""
    with server.sessions() as db:
        project = db.get(Project, project_id)
        assert project is not None
        for n, (topic, rating) in enumerate(answers):
            f.submission(db, project, f.expert(db), {"topic": topic, "rating": rating},
                         active_seconds=90 + 30 * n)  # fmt: skip
        db.commit()
        rows = db.scalars(select(Submission).where(Submission.project_id == project_id))
        for n, row in enumerate(rows):
            row.created_at = utcnow() - timedelta(hours=n % 5, minutes=5)
        db.commit()


def _build_project(page: Page) -> None:
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Project name").fill("Browser-built project")
    expect(page.locator("#form-preview")).to_contain_text("What is the topic?")
    page.get_by_role("button", name="+ rating").click()
    expect(page.locator("#form-preview")).to_contain_text("How good is the answer?")
    for kind in ("label", "multi-label", "rubric", "ranking", "pairwise", "text", "span"):
        page.get_by_role("button", name=f"+ {kind}").click()
    # the starter question and one template of every type, all valid and all rendered
    expect(page.locator("#form-preview")).to_contain_text("9 questions")
    expect(page.locator("#form-preview fieldset fieldset")).to_have_count(9)
    expect(page.locator('#form-preview [tabindex="0"]')).to_have_count(0)  # not in tab order
    page.get_by_label("Form (JSON)").fill(
        '{"questions": [{"type": "label", "id": "x", "options": ["a"]}]}'
    )
    expect(page.locator("#form-preview")).to_contain_text("question 1 (x)")
    page.get_by_role("button", name="+ label").click()  # JSON still parses: appended as label
    page.get_by_label("Form (JSON)").fill(
        '{"questions": [{"type": "label", "id": "topic", "prompt": "What is the topic?",'
        ' "options": ["math", "history"]}, {"type": "rating", "id": "rating",'
        ' "prompt": "How good is the answer?", "min": 1, "max": 5}]}'
    )
    expect(page.locator("#form-preview")).to_contain_text("How good is the answer?")
    page.get_by_label("Guidelines (Markdown)").fill("# Read carefully\n\nBe **precise**.")
    expect(page.locator("#guidelines-preview strong")).to_have_text("precise")
    page.get_by_label("Per item", exact=True).fill("0.50")
    expect(page.locator("#pay-preview")).to_contain_text("15.00 USD")  # the floor wins
    page.get_by_label("Overlap (experts per item)").fill("1")
    page.get_by_label("Gold rate (share of items, 0–0.5)").fill("0")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-wizard.png"), full_page=True)
    page.get_by_role("button", name="Create draft project").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")


def _import(page: Page) -> None:
    page.get_by_role("link", name="Import").click()
    page.get_by_label("File").set_input_files(
        files=[
            {"name": "bad.jsonl", "mimeType": "application/json", "buffer": b'{"a": 1}\nnot json\n'}
        ]
    )
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#import-errors")).to_contain_text("row 2")
    page.get_by_label("File").set_input_files(
        files=[
            {"name": "items.jsonl", "mimeType": "application/json", "buffer": GOOD_ROWS.encode()}
        ]
    )
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#import-message")).to_have_text("Imported 6 items.")
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    expect(page.locator("#import-errors")).to_be_hidden()


def test_requester_builds_imports_and_watches_the_dashboard(
    live_server: LiveServer, page: Page
) -> None:
    _login(page, live_server, _requester(live_server))
    _build_project(page)
    project_id = int(page.url.split("/projects/")[1].split("/")[0])
    _import(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Go live").click()
    expect(page.locator(".status-form .status")).to_have_text("live")
    _work(live_server, project_id, [("math", 4), ("math", 5), ("history", 2), ("math", 4)])
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("body")).to_have_attribute("data-charts-drawn", "1")
    assert page.locator("#chart-throughput").evaluate(DRAWN) > 500
    assert page.locator('canvas[data-dist="topic"]').evaluate(DRAWN) > 100
    assert page.locator("#chart-time").evaluate(DRAWN) > 100
    expect(page.locator("#time-table")).to_contain_text("Median")
    expect(page.locator("#dash-summary")).to_contain_text("Items complete: 4 of 6")
    expect(page.locator("#dist-table-topic")).to_contain_text("math")
    expect(page.locator("#agreement-when")).to_contain_text("Not computed yet")
    page.get_by_role("button", name="Recompute now").click()  # htmx, through the quality service
    expect(page.locator("#agreement-when")).to_contain_text("up to date")
    label = page.locator("#chart-throughput").get_attribute("aria-label") or ""
    assert label.startswith("Bar chart: 4 submissions")
    page.screenshot(path=str(SCREENSHOTS / "console-dashboard.png"), full_page=True)
    _work(live_server, project_id, [("history", 3)])  # the next poll (every 10 s) shows it
    expect(page.locator("[data-stat=submissions]")).to_have_text("5", timeout=15_000)
    expect(page.locator("#agreement-when")).to_contain_text("out of date")
