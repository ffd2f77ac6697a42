"""The workbench in a real browser: keyboard answers, drafts that survive a reload, every
question type rendered and submitted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tandem.demo import GUIDELINES
from tandem.models import Assignment, Item, Submission
from tests import factories as f
from tests.web.conftest import LiveServer

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
ALL_TYPES_FORM: dict[str, Any] = {
    "questions": [
        {"type": "label", "id": "topic", "prompt": "Topic", "options": ["math", "history"]},
        {
            "type": "multi_label",
            "id": "flags",
            "prompt": "Flags",
            "options": ["unsafe", "vague"],
            "min_choices": 0,
            "required": False,
        },
        {"type": "rating", "id": "overall", "prompt": "Overall", "min": 1, "max": 5},
        {"type": "ranking", "id": "order", "prompt": "Rank the answers", "field": "cands"},
        {"type": "text", "id": "fix", "prompt": "Correct the draft", "prefill_field": "draft"},
        {
            "type": "span",
            "id": "ents",
            "prompt": "Mark names",
            "field": "text",
            "labels": ["person"],
        },
    ]
}


RANKING_FORM: dict[str, Any] = {
    "questions": [
        {"type": "ranking", "id": "order", "prompt": "Rank the answers", "field": "cands"}
    ]
}
RANKED = {"cands": [{"id": c, "text": f"answer {c}"} for c in ("x", "y", "z")]}


def _seed(
    server: LiveServer, form: dict[str, Any] | None = None, payload: dict[str, Any] | None = None
) -> tuple[str, int]:
    with server.sessions() as db:
        org = f.org(db)
        owner = f.requester(db, org)
        extra = {"form": form, "name": "All question types"} if form else {}
        proj = f.project(db, owner, org, overlap=1, quality_policy={"gold_rate": 0}, **extra)
        if payload:
            db.add(Item(project_id=proj.id, payload=payload))
            db.flush()
        else:
            f.items(db, proj, 2)
        expert = f.expert(db)
        db.commit()
        return expert.user.email, proj.id


def _seed_pair_and_ranking(server: LiveServer) -> tuple[str, str, int, int]:
    """One expert, a pairwise + rubric project and a ranking project, both live."""
    with server.sessions() as db:
        org = f.org(db)
        owner = f.requester(db, org)
        policy = {"gold_rate": 0}
        pair = f.project(db, owner, org, overlap=1, quality_policy=policy, name="Pairwise",
                         guidelines=GUIDELINES)  # fmt: skip
        f.items(db, pair, 2)
        rank = f.project(db, owner, org, overlap=1, quality_policy=policy, name="Ranking",
                         form=RANKING_FORM)  # fmt: skip
        db.add(Item(project_id=rank.id, payload=RANKED))
        expert = f.expert(db)
        db.commit()
        return expert.user.email, owner.user.email, pair.id, rank.id


def _login(page: Page, server: LiveServer, email: str, then: str = "/work") -> None:
    page.goto(server.url + "/login?next=" + then)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server.url + then)


def _tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _focused(page: Page) -> str:
    return str(page.evaluate("(e => e.id || e.dataset.cid || e.value)(document.activeElement)"))


def test_pairwise_and_ranking_by_keyboard_only_with_a_draft_that_survives_reload(
    live_server: LiveServer, page: Page, browser: Browser
) -> None:
    email, owner, pair_id, rank_id = _seed_pair_and_ranking(live_server)
    _login(page, live_server, email)
    _tab_to(page, f'form[action="/work/{pair_id}/start"] button')
    page.keyboard.press("Enter")
    expect(page.get_by_text("This item pays")).to_be_visible()
    page.keyboard.press("2")  # pairwise: B, and the focus is on it
    assert _focused(page) == "B"
    expect(page.get_by_label("B is better")).to_be_checked()
    page.keyboard.press("Tab")  # on to "how much better"
    assert _focused(page) == "q-preference-strength"
    page.keyboard.press("2")
    expect(page.get_by_label("How much better")).to_have_value("2")
    page.keyboard.press("Tab")  # on to the justification
    assert _focused(page) == "q-preference-justification"
    page.keyboard.type("B is correct and names ")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved")
    page.reload()  # in the middle of typing
    expect(page.locator("#draft-status")).to_contain_text("Draft restored")
    justification = page.get_by_label("Justification")
    expect(justification).to_have_value("B is correct and names ")
    expect(page.get_by_label("B is better")).to_be_checked()
    page.keyboard.press("t")  # back into the text field, the cursor at the end
    page.keyboard.type("its source clearly.")
    expect(justification).to_have_value("B is correct and names its source clearly.")
    page.keyboard.press("Escape")  # leave the text field; shortcuts work again
    page.keyboard.press("j")  # the rubric
    page.keyboard.press("4")  # accuracy
    page.keyboard.press("5")  # clarity
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    expect(page.locator("#help")).to_contain_text("Alt+↑ / Alt+↓")
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    page.keyboard.press("g")  # the guidelines panel opens and closes by key
    expect(page.locator("#guidelines .guidelines")).to_contain_text("How to judge")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "workbench.png"), full_page=True)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Submitted. Thank you!")).to_be_visible()
    with live_server.sessions() as db:
        sub = db.scalars(select(Submission).where(Submission.project_id == pair_id)).one()
    assert sub.response["preference"] == {
        "choice": "B", "strength": 2, "justification": "B is correct and names its source clearly."
    }  # fmt: skip
    assert sub.response["quality"] == {"accuracy": 4, "clarity": 5}
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('tandem-draft'))") == []
    )

    # the ranking item, keyboard only: 3 goes to the third answer, Alt+↑ carries it up
    _tab_to(page, f'form[action="/work/{rank_id}/start"] button')
    page.keyboard.press("Enter")
    expect(page.get_by_text("Rank the answers")).to_be_visible()
    page.keyboard.press("3")
    assert _focused(page) == "z"
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("ArrowDown")  # plain arrows walk the list
    assert _focused(page) == "x"
    page.keyboard.press("Alt+ArrowDown")  # x below y
    order = page.locator('[data-ranking="order"] li').evaluate_all(
        "els => els.map(e => e.dataset.cid)"
    )
    assert order == ["z", "y", "x"]
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("Submitted. Thank you!")).to_be_visible()
    with live_server.sessions() as db:
        sub = db.scalars(select(Submission).where(Submission.project_id == rank_id)).one()
    assert sub.response["order"] == ["z", "y", "x"]

    # the requester's dashboard shows the progress
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requester = context.new_page()
    _login(requester, live_server, owner, f"/console/projects/{pair_id}/dashboard")
    expect(requester.locator("#dash-summary")).to_contain_text("Items complete: 1 of 2 (50.0%)")
    expect(requester.locator("#dist-table-preference")).to_contain_text("B")
    context.close()


def test_every_other_question_type_renders_and_submits(live_server: LiveServer, page: Page) -> None:
    payload = {
        "cands": [
            {"id": "x", "text": "first"},
            {"id": "y", "text": "second"},
            {"id": "z", "text": "third"},
        ],
        "draft": "The capital of France is Lyon.",
        "text": "Ada Lovelace met Charles Babbage.",
    }
    email, project_id = _seed(live_server, ALL_TYPES_FORM, payload)
    _login(page, live_server, email)
    card = page.locator("section.card", has_text="All question types")
    card.get_by_role("button", name="Start working").click()
    page.get_by_label("history").check()
    page.locator("#q-overall").get_by_label("4").check()
    third = page.locator('[data-ranking="order"] li[data-cid="z"]')
    third.focus()
    page.keyboard.press("Alt+ArrowUp")
    page.keyboard.press("Alt+ArrowUp")  # z is now first
    fix = page.get_by_label("Your answer (Markdown)")
    fix.fill("The capital of France is **Paris**.")
    expect(page.locator("#q-fix-preview del")).to_contain_text("Lyon")
    expect(page.locator("#q-fix-preview strong")).to_have_text("Paris")
    page.evaluate(
        """() => { const box = document.querySelector('[data-span="ents"]');
        const r = document.createRange();
        r.setStart(box.firstChild, 0); r.setEnd(box.firstChild, 12);
        const s = getSelection(); s.removeAllRanges(); s.addRange(r); }"""
    )
    page.get_by_role("button", name="1 · person").click()
    expect(page.locator('[data-span-list="ents"]')).to_contain_text("Ada Lovelace")
    page.set_viewport_size({"width": 390, "height": 844})  # phone width still works
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Submitted. Thank you!")).to_be_visible()
    with live_server.sessions() as db:
        sub = db.scalars(select(Submission).where(Submission.project_id == project_id)).one()
    assert sub.response["order"] == ["z", "x", "y"]
    assert sub.response["fix"] == "The capital of France is **Paris**."
    assert sub.response["ents"] == [{"start": 0, "end": 12, "label": "person"}]
    assert sub.response["topic"] == "history" and sub.response["overall"] == 4


def test_skip_with_a_reason_by_keyboard(live_server: LiveServer, page: Page) -> None:
    email, project_id = _seed(live_server)
    _login(page, live_server, email)
    page.locator(f'form[action="/work/{project_id}/start"] button').click()
    expect(page.get_by_text("This item pays")).to_be_visible()
    page.keyboard.press("s")  # the skip panel opens with the reason focused
    assert _focused(page) == "skip-reason"
    page.keyboard.press("End")  # "Other", the last reason
    expect(page.get_by_label("Why?")).to_have_value("Other")
    page.keyboard.press("Tab")
    page.keyboard.type("the prompt is cut off")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Skipped. The item went back to the pool.")).to_be_visible()
    with live_server.sessions() as db:
        skipped = db.scalars(select(Assignment).where(Assignment.project_id == project_id)).one()
    assert skipped.skip_reason == "Other: the prompt is cut off"
