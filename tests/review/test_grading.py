"""Auto-grading per question type: exact, sets, tolerance, rank correlation, people for text."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.projects.forms import parse_form
from tandem.review.grading import Tolerance, answer_matches, grade_response, rank_correlation

FORM = parse_form(
    {
        "questions": [
            {"type": "label", "id": "topic", "prompt": "Topic", "options": ["a", "b", "c"]},
            {"type": "multi_label", "id": "tags", "prompt": "Tags", "options": ["x", "y", "z"]},
            {"type": "rating", "id": "score", "prompt": "Score", "min": 1, "max": 7},
            {"type": "ranking", "id": "order", "prompt": "Order", "field": "cands"},
            {"type": "text", "id": "why", "prompt": "Why"},
            {
                "type": "rubric",
                "id": "rub",
                "prompt": "Rubric",
                "criteria": [{"id": "acc", "name": "Accuracy"}, {"id": "cla", "name": "Clarity"}],
            },
        ]
    }
)


def _q(qid: str) -> Any:
    question = FORM.question(qid)
    assert question is not None
    return question


@pytest.mark.parametrize(
    ("qid", "answer", "gold", "tol", "expected"),
    [
        ("topic", "a", "a", 0, True),
        ("topic", "b", "a", 3, False),  # labels are exact whatever the tolerance
        ("tags", ["y", "x"], ["x", "y"], 0, True),
        ("tags", ["x"], ["x", "y"], 0, False),
        ("score", 5, 6, 1, True),
        ("score", 4, 6, 1, False),
        ("score", 5, 6, 0, False),
        ("rub", {"acc": 3, "cla": 5}, {"acc": 4}, 1, True),
        ("rub", {"acc": 1, "cla": 5}, {"acc": 4}, 1, False),
        ("why", "anything", "whatever", 0, None),
        ("topic", None, "a", 0, False),
    ],
)
def test_answer_matches_per_type(
    qid: str, answer: Any, gold: Any, tol: int, expected: bool | None
) -> None:
    assert answer_matches(_q(qid), answer, gold, Tolerance(rating_points=tol)) is expected


def test_rankings_pass_on_rank_correlation() -> None:
    gold = ["a", "b", "c", "d", "e"]
    assert rank_correlation(gold, gold) == pytest.approx(1.0)
    assert rank_correlation(list(reversed(gold)), gold) == pytest.approx(-1.0)
    one_swap = ["a", "b", "c", "e", "d"]  # rho = 1 - 6*2/(5*24) = 0.9
    assert rank_correlation(one_swap, gold) == pytest.approx(0.9)
    assert answer_matches(_q("order"), one_swap, gold, Tolerance(min_correlation=0.85)) is True
    assert answer_matches(_q("order"), one_swap, gold, Tolerance(min_correlation=0.95)) is False
    assert rank_correlation(["a", "b"], ["a", "z"]) == -1.0  # different candidates never pass


def test_grade_response_covers_only_gold_questions() -> None:
    response = {"topic": "a", "score": 2, "why": "because"}
    results = grade_response(FORM, response, {"topic": "a", "score": 5, "why": "x"}, Tolerance())
    assert results == {"topic": True, "score": False, "why": None}
