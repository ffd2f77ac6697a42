"""The expert's home in a real browser: reserved work with its windows, the week against
the cap, earnings this pay period, and the latest verdicts with their reasons."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tandem.auth.service import actor_for
from tandem.demo import load_demo
from tandem.kit.clock import utcnow
from tandem.models import LedgerEntry, Review, User
from tandem.models.enums import LedgerKind
from tandem.pay.periods import week_of
from tests import factories as f
from tests.web.conftest import LiveServer

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
LENA = "lena@demo.tandem.dev"


def _seed(server: LiveServer) -> None:
    """The demo (Lena has work reserved in her Berlin hours), plus a verdict and pay."""
    with server.sessions() as db:
        load_demo(db)
        user = db.scalars(select(User).where(User.email == LENA)).one()
        lena = actor_for(db, user)
        org = f.org(db)
        proj = f.project(db, f.requester(db, org), org, overlap=1, name="Fact-checking")
        f.items(db, proj, 3)
        kept = f.submission(db, proj, lena, f.good_response("A"), active_seconds=240)
        turned = f.submission(db, proj, lena, f.good_response("B"), active_seconds=200)
        reviewer = f.reviewer(db, org)
        f.review(db, kept, reviewer, "accept")
        no = f.review(db, turned, reviewer, "reject")
        db.get_one(Review, no.id).reasons = ["factual_error"]
        db.get_one(Review, no.id).feedback = "Response B gets the boiling point of water wrong."
        period = week_of(utcnow().date())
        db.add(
            LedgerEntry(
                expert_id=lena.require_expert().id,
                project_id=proj.id,
                kind=LedgerKind.WORK,
                amount_minor=1830,
                currency="EUR",
                reason="work 2026: 2 items",
                period_start=period.start,
                period_end=period.end,
                details={"seconds": 440, "items": 2},
            )
        )
        db.commit()


def test_expert_home_shows_reservations_week_earnings_and_verdicts(
    live_server: LiveServer, page: Page
) -> None:
    _seed(live_server)
    page.goto(live_server.url + "/login")
    page.get_by_label("Email").fill(LENA)
    page.get_by_label("Password").fill("tandem-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(live_server.url + "/work")
    held = page.locator("section", has=page.get_by_role("heading", name="Reserved for you"))
    expect(held).to_contain_text("CET")  # windows in her own time zone
    week = page.locator("section", has=page.get_by_role("heading", name="Your week"))
    expect(week).to_contain_text("h this week")
    expect(page.get_by_label("Hours this week against your cap")).to_be_visible()
    pay = page.locator("section", has=page.get_by_role("heading", name="Earnings"))
    expect(pay).to_contain_text("This pay period")
    expect(pay).to_contain_text("18.30")
    inbox = page.locator("section", has=page.get_by_role("heading", name="Feedback on your work"))
    expect(inbox).to_contain_text("1 rejection you can still appeal")
    expect(inbox).to_contain_text("factual error")
    expect(inbox).to_contain_text("boiling point")
    expect(inbox.get_by_role("link", name="Appeal", exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Start working").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "expert-home.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # phone width: nothing overflows
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390 + 1
