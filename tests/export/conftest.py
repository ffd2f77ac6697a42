"""A project with every question type, answered by three experts on two items."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.kit.clock import FakeClock
from tandem.models import Item, Project, Submission
from tests import factories as f

# the tests load exports with the real `datasets` client; it must never reach the Hub
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

FORM: dict[str, Any] = {
    "questions": [
        {"type": "label", "id": "topic", "prompt": "Topic?", "options": ["math", "art"]},
        {"type": "pairwise", "id": "pref", "prompt": "Which is better?", "left": "a", "right": "b"},
        {"type": "ranking", "id": "rank", "prompt": "Rank them", "field": "candidates"},
        {"type": "rating", "id": "helpful", "prompt": "How helpful?", "min": 1, "max": 5},
        {
            "type": "rubric",
            "id": "quality",
            "prompt": "Rate it",
            "criteria": [
                {"id": "accuracy", "name": "Accuracy"},
                {"id": "clarity", "name": "Clarity"},
            ],
        },
        {
            "type": "text",
            "id": "fixed",
            "prompt": "Correct the answer",
            "prefill_field": "response",
        },
    ]
}
# per item, per expert: topic, (choice, strength), ranking, helpful, (accuracy, clarity)
VOTES: list[list[tuple[str, tuple[str, int | None], list[str], int, tuple[int, int]]]] = [
    [
        ("math", ("A", 2), ["x", "y", "z"], 2, (3, 3)),
        ("math", ("A", 3), ["x", "z", "y"], 4, (4, 4)),
        ("art", ("B", 1), ["y", "x", "z"], 4, (4, 5)),
    ],
    [
        ("art", ("A", 1), ["z", "y", "x"], 3, (5, 5)),
        ("art", ("B", 1), ["z", "y", "x"], 5, (5, 5)),
        ("art", ("tie", None), ["z", "y", "x"], 5, (5, 5)),
    ],
]


def payload(n: int) -> dict[str, Any]:
    """Item n's payload: a prompt, two sides, three candidates and a model output."""
    return {
        "prompt": f"P{n}",
        "a": f"A{n}",
        "b": f"B{n}",
        "candidates": [{"id": c, "text": f"{c.upper()}{n}"} for c in "xyz"],
        "response": f"model out {n}",
    }


def response(n: int, e: int) -> dict[str, Any]:
    """What expert e answered on item n (expert 2 leaves item 0's model output as it is)."""
    topic, (choice, strength), order, helpful, (accuracy, clarity) = VOTES[n][e]
    pref: dict[str, Any] = {"choice": choice}
    if strength is not None:
        pref["strength"] = strength
    text = f"model out {n}" if (n, e) == (0, 2) else f"better {n} by e{e}"
    return {
        "topic": topic,
        "pref": pref,
        "rank": order,
        "helpful": helpful,
        "quality": {"accuracy": accuracy, "clarity": clarity},
        "fixed": text,
    }


def _submit(db: Session, proj: Project, expert: Actor, items: list[Item]) -> Submission:
    """Claim the expert's next item and answer it with that item's scripted response."""
    from tandem.dispatch.service import next_assignment
    from tandem.work.schemas import SubmitIn
    from tandem.work.service import submit

    assignment = next_assignment(db, expert, proj.id)
    n = [i.id for i in items].index(assignment.item_id)
    e = _experts.index(expert.require_expert().id)
    body = SubmitIn(response=response(n, e), active_seconds=60 + 10 * e)
    sub: Submission = submit(db, expert, assignment.id, body, f"k-{n}-{e}")
    return sub


_experts: list[int] = []


@dataclass
class Answered:
    """The project, its owner, items, experts and submissions[item][expert]."""

    owner: Actor
    project: Project
    items: list[Item]
    experts: list[Actor]
    subs: list[list[Submission]]
    reviewer: Actor


@pytest.fixture
def answered(db: Session, clock: FakeClock) -> Answered:
    """Item 1 is answered an hour after item 0; one fix and one rejection by a reviewer."""
    organization = f.org(db)
    owner = f.requester(db, organization)
    proj = f.project(db, owner, organization, form=FORM, overlap=3, name="Export test")
    items = []
    for n in range(2):
        items.append(Item(project_id=proj.id, external_id=f"ext-{n}", payload=payload(n)))
    db.add_all(items)
    db.flush()
    experts = [f.expert(db) for _ in range(3)]
    _experts[:] = [x.require_expert().id for x in experts]
    subs: list[list[Submission]] = []
    by_item: dict[int, dict[int, Submission]] = {item.id: {} for item in items}
    for _ in range(2):
        for e in range(3):
            sub = _submit(db, proj, experts[e], items)
            by_item[sub.item_id][e] = sub
        clock.advance(hours=1)
    subs = [[by_item[item.id][e] for e in range(3)] for item in items]
    reviewer = f.reviewer(db, organization)
    fixed = {**response(1, 1), "fixed": "reviewer text 1"}
    f.review(db, subs[1][1], reviewer, "fix", fixed)
    f.review(db, subs[1][2], reviewer, "reject")
    return Answered(owner, proj, items, experts, subs, reviewer)


# external ids a CSV or a JSON path could mangle: quotes, commas, a newline, empty, none
ODD = ['odd "ext", with\nnewline, café', "", None]


@pytest.fixture
def odd(db: Session, answered: Answered) -> Answered:
    """Three more items with awkward external ids; a fix with non-ASCII text and reasons."""
    for n, external_id in enumerate(ODD, start=2):
        db.add(Item(project_id=answered.project.id, external_id=external_id, payload=payload(n)))
    db.flush()
    for _ in ODD:
        body = {**response(0, 0), "fixed": 'naïve "quoted",\nlines'}
        sub = f.submission(db, answered.project, answered.experts[0], body)
    fix = f.review(db, sub, answered.reviewer, "fix", {"fixed": "é", "x": 1e-05, "n": None})
    fix.reasons = ["naïve", 'says "no", twice']
    f.review(db, answered.subs[0][0], answered.reviewer, "accept")
    db.flush()
    return answered
