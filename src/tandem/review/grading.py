"""Grading one answer against a gold answer, per question type. Pure: no database.

`answer_matches` returns True / False, or None when the type needs a person (free text).
Labels and pairwise choices match exactly, multi-labels and spans as sets, ratings and
rubric scores within a tolerance, rankings by Spearman rank correlation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tandem.projects.forms import Form, Question

Matcher = Callable[[Any, Any, "Tolerance"], bool | None]


class Tolerance:
    """How close an answer must be: rating points, and the least rank correlation."""

    def __init__(self, rating_points: int = 0, min_correlation: float = 0.8) -> None:
        self.rating_points = rating_points
        self.min_correlation = min_correlation


def _exact(answer: Any, gold: Any, tol: Tolerance) -> bool:
    return bool(answer == gold)


def _as_set(answer: Any, gold: Any, tol: Tolerance) -> bool:
    def key(values: Any) -> set[str]:
        return {repr(sorted(v.items())) if isinstance(v, dict) else repr(v) for v in values or []}

    return key(answer) == key(gold)


def _rating(answer: Any, gold: Any, tol: Tolerance) -> bool:
    return abs(int(answer) - int(gold)) <= tol.rating_points


def _rubric(answer: Any, gold: Any, tol: Tolerance) -> bool:
    return all(
        c in answer and abs(int(answer[c]) - int(score)) <= tol.rating_points
        for c, score in gold.items()
    )


def _pairwise(answer: Any, gold: Any, tol: Tolerance) -> bool:
    expected = gold.get("choice") if isinstance(gold, dict) else gold
    return bool(answer.get("choice") == expected)


def rank_correlation(answer: list[str], gold: list[str]) -> float:
    """Spearman's rho between two orderings of the same candidates (1 = identical)."""
    if sorted(answer) != sorted(gold):
        return -1.0
    if len(gold) < 2:
        return 1.0
    position = {cid: n for n, cid in enumerate(answer)}
    # scipy.stats costs ~1 s and ~40 MB to import: only load it when a ranking is graded
    from scipy.stats import spearmanr

    rho = spearmanr(np.arange(len(gold)), [position[cid] for cid in gold]).statistic
    return float(rho)


def _ranking(answer: Any, gold: Any, tol: Tolerance) -> bool:
    return rank_correlation(list(answer), list(gold)) >= tol.min_correlation


def _needs_person(answer: Any, gold: Any, tol: Tolerance) -> None:
    return None


MATCHERS: dict[str, Matcher] = {
    "label": _exact,
    "multi_label": _as_set,
    "rating": _rating,
    "rubric": _rubric,
    "pairwise": _pairwise,
    "ranking": _ranking,
    "span": _as_set,
    "text": _needs_person,
}


def answer_matches(question: Question, answer: Any, gold: Any, tol: Tolerance) -> bool | None:
    """Whether an answer agrees with gold; None when a reviewer must judge it."""
    if answer is None:
        return False
    try:
        return MATCHERS[question.type](answer, gold, tol)
    except (TypeError, ValueError, AttributeError, KeyError):
        return False  # a malformed answer never passes


def grade_response(
    form: Form, response: dict[str, Any], gold: dict[str, Any], tol: Tolerance
) -> dict[str, bool | None]:
    """{question id: matched or None} for every question the gold answer covers."""
    results: dict[str, bool | None] = {}
    for question_id, expected in gold.items():
        question = form.question(question_id)
        if question is not None:
            results[question_id] = answer_matches(
                question, response.get(question_id), expected, tol
            )
    return results
