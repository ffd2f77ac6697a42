"""The dashboard's numbers on seeded work, its pages, and other organizations kept out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tandem.console.service import throughput, time_buckets
from tandem.kit.clock import FakeClock
from tandem.models import Item, Project
from tests import factories as f
from tests.console.conftest import login


def _seeded(db: Session, clock: FakeClock) -> tuple[object, int]:
    """Two items, overlap 2, four submissions an hour apart: A, B, A, A."""
    org = f.org(db)
    owner = f.requester(db, org)
    project = f.project(db, owner, org, quality_policy={"gold_rate": 0})
    f.items(db, project, 2)
    first, second = f.expert(db), f.expert(db)
    for worker, choice, seconds in [
        (first, "A", 100), (first, "B", 200), (second, "A", 60), (second, "A", 300),
    ]:  # fmt: skip
        f.submission(db, project, worker, f.good_response(choice), active_seconds=seconds)
        clock.advance(hours=1)
    return owner, project.id


def test_dashboard_json_counts_progress_throughput_answers_and_time(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    start = clock.now()
    owner, project_id = _seeded(db, clock)
    csrf = login(client, owner)
    recompute = client.post(
        f"/console/projects/{project_id}/quality/recompute",
        data={"csrf": csrf},
        headers={"HX-Request": "true"},
    )
    assert recompute.status_code == 200 and 'id="agreement" hx-swap-oob="true"' in recompute.text
    board = client.get(f"/console/projects/{project_id}/dashboard.json").json()
    assert (board["items"], board["complete"], board["submissions"]) == (2, 2, 4)
    assert board["percent_complete"] == 100.0
    assert len(board["throughput"]) == 48
    by_hour = {h["hour"]: h["submissions"] for h in board["throughput"] if h["submissions"]}
    assert by_hour == {(start + timedelta(hours=n)).isoformat(): 1 for n in range(4)}
    [pref] = board["distributions"]  # the rubric has no single answer to count
    assert pref["question_id"] == "preference"
    assert pref["counts"] == {"A": 3, "B": 1, "tie": 0}
    assert board["time_per_item"]["median_seconds"] == 150.0
    assert board["time_per_item"]["mean_seconds"] == 165.0
    assert sum(board["time_per_item"]["buckets"].values()) == 4
    agreement = {q["question_id"]: q for q in board["agreement"]}
    assert agreement["preference"]["labels"] == 4
    assert board["agreement_computed_at"] is not None and board["agreement_stale"] is False


def test_agreement_is_the_stored_report_and_says_when_it_is_out_of_date(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    owner, project_id = _seeded(db, clock)
    csrf = login(client, owner)
    url = f"/console/projects/{project_id}/dashboard"
    board = client.get(url + ".json").json()
    # nothing computed yet: the page reads the stored report and never computes on GET
    assert board["agreement"] == [] and board["agreement_computed_at"] is None
    assert board["agreement_stale"] is True
    page = client.get(url).text
    assert "Not computed yet" in page and "out of date" in page and "Recompute now" in page
    assert f'name="csrf" value="{csrf}"' in page  # the button's form carries the session's token
    assert client.get(url + ".json").json()["agreement_computed_at"] is None
    # a plain form post (no htmx) recomputes and comes back to the dashboard
    done = client.post(
        f"/console/projects/{project_id}/quality/recompute",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == url
    board = client.get(url + ".json").json()
    assert board["agreement_stale"] is False
    assert board["agreement_computed_at"] == clock.now().isoformat()
    assert "up to date" in client.get(url).text
    # a new counted submission makes the stored report stale; GET still does not recompute
    project = db.get(Project, project_id)
    assert project is not None
    db.add(Item(project_id=project_id, external_id="late", payload={"a": "A", "b": "B"}))
    db.flush()
    f.submission(db, project, f.expert(db), f.good_response("B"))
    board = client.get(url + ".json").json()
    assert board["agreement_stale"] is True and board["submissions"] == 5
    assert {q["question_id"]: q["labels"] for q in board["agreement"]}["preference"] == 4
    live = client.get(url + "/live").text
    assert "out of date" in live and "new submissions since" in live


def test_only_the_projects_managers_may_recompute(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    owner, project_id = _seeded(db, clock)
    for stranger in (f.requester(db, f.org(db)), f.expert(db)):
        csrf = login(client, stranger)
        answer = client.post(
            f"/console/projects/{project_id}/quality/recompute", data={"csrf": csrf}
        )
        assert answer.status_code == 404
    csrf = login(client, owner)
    refused = client.post(f"/console/projects/{project_id}/quality/recompute", data={"csrf": "x"})
    assert refused.status_code == 403
    board = client.get(f"/console/projects/{project_id}/dashboard.json").json()
    assert board["agreement_computed_at"] is None


def test_dashboard_page_and_live_fragment_render_tables_for_the_charts(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    owner, project_id = _seeded(db, clock)
    login(client, owner)
    page = client.get(f"/console/projects/{project_id}/dashboard")
    assert page.status_code == 200
    assert 'id="chart-throughput"' in page.text and "/static/vendor/chart.umd.min.js" in page.text
    assert "Items complete: 2 of 2 (100.0%)" in page.text
    live = client.get(f"/console/projects/{project_id}/dashboard/live")
    assert live.text.count('hx-swap-oob="true"') == 5  # summary, throughput, agreement, dist, time


def test_throughput_drops_submissions_outside_the_window() -> None:
    now = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    times = [now, now - timedelta(minutes=31), now - timedelta(hours=47, minutes=30),
             now - timedelta(hours=48), now + timedelta(hours=1)]  # fmt: skip
    hours = throughput(times, now)
    assert [h.submissions for h in hours if h.submissions] == [1, 1, 1]
    assert hours[-1].hour == "2026-01-05T09:00:00+00:00" and hours[-1].submissions == 1
    assert hours[0].hour == "2026-01-03T10:00:00+00:00"


def test_time_buckets_count_each_band_of_the_estimate() -> None:
    bands = time_buckets([60, 100, 150, 151, 300, 450, 601, 5000], 300)
    assert bands == {
        "0–2.5 min": 3, "2.5–5 min": 2, "5–7.5 min": 1, "7.5–10 min": 0, "over 10 min": 2,
    }  # fmt: skip


def test_console_pages_render_for_the_owner(client: TestClient, db: Session) -> None:
    org = f.org(db)
    owner = f.requester(db, org)
    project = f.project(db, owner, org)
    login(client, owner)
    home = client.get("/console")
    assert home.status_code == 200 and f"/console/projects/{project.id}/dashboard" in home.text
    page = client.get(f"/console/projects/{project.id}/import")
    assert (
        page.status_code == 200 and f'data-url="/api/v1/projects/{project.id}/items"' in page.text
    )
    page = client.get(f"/console/projects/{project.id}/export")
    assert page.status_code == 200
    for fmt in ("sft", "dpo", "reward", "labels", "raw"):
        assert f"export?format={fmt}&amp;file=parquet" in page.text


def test_other_organizations_get_404_on_every_console_page(client: TestClient, db: Session) -> None:
    org = f.org(db)
    owner = f.requester(db, org)
    project = f.project(db, owner, org)
    outsider = f.requester(db, f.org(db))
    csrf = login(client, outsider)
    for page in ("edit", "import", "dashboard", "dashboard.json", "dashboard/live", "export"):
        assert client.get(f"/console/projects/{project.id}/{page}").status_code == 404, page
    data = {"csrf": csrf, "status": "live"}
    assert client.post(f"/console/projects/{project.id}/status", data=data).status_code == 404
    assert f"/console/projects/{project.id}/" not in client.get("/console").text


def test_console_needs_a_login(client: TestClient) -> None:
    page = client.get("/console", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_agreement_waits_until_two_experts_share_an_item(
    client: TestClient, db: Session, clock: FakeClock
) -> None:
    org = f.org(db)
    owner = f.requester(db, org)
    project = f.project(db, owner, org, overlap=1, quality_policy={"gold_rate": 0})
    f.items(db, project, 3)
    for choice in ("A", "B"):
        f.submission(db, project, f.expert(db), f.good_response(choice))
    login(client, owner)
    board = client.get(f"/console/projects/{project.id}/dashboard.json").json()
    assert board["agreement"] == [] and board["submissions"] == 2
    assert board["distributions"][0]["counts"] == {"A": 1, "B": 1, "tie": 0}
    page = client.get(f"/console/projects/{project.id}/dashboard")
    assert "Agreement appears once two experts have answered the same item." in page.text
