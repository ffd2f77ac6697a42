"""Answers to a form: validating a response, and the majority answer of several.

Majority ties are broken deterministically: by option order for labels, ratings and
rubric criteria (lowest point first), and as "tie" for a pairwise split between A and B.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from tandem.kit.errors import ValidationFailed, field_error
from tandem.projects.forms import (
    Form,
    LabelQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    RatingQuestion,
    RubricQuestion,
    SpanQuestion,
    TextQuestion,
    candidate_ids,
)

Problem = tuple[list[str | int], str]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _point(value: Any, low: int, high: int, loc: list[str | int]) -> list[Problem]:
    if not _is_int(value):
        return [(loc, f"must be a whole number from {low} to {high}")]
    if not low <= value <= high:
        return [(loc, f"{value} is outside the scale {low}..{high}")]
    return []


def _check_label(q: LabelQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    if value not in q.options:
        return [([], f"must be one of {q.options}, not {value!r}")]
    return []


def _check_multi(q: MultiLabelQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    if not isinstance(value, list):
        return [([], "must be a list of options")]
    problems: list[Problem] = [
        ([n], f"{v!r} is not one of {q.options}") for n, v in enumerate(value) if v not in q.options
    ]
    if len(set(map(str, value))) != len(value):
        problems.append(([], "lists an option twice"))
    top = len(q.options) if q.max_choices is None else q.max_choices
    if not q.min_choices <= len(value) <= top:
        problems.append(([], f"choose between {q.min_choices} and {top} options"))
    return problems


def _check_rating(q: RatingQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    return _point(value, q.min, q.max, [])


def _check_rubric(q: RubricQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    if not isinstance(value, dict):
        return [([], "must be an object of criterion id -> score")]
    known = {c.id for c in q.criteria}
    problems: list[Problem] = [
        ([k], "is not a criterion of this rubric") for k in value if k not in known
    ]
    for c in q.criteria:
        if value.get(c.id) is None:
            problems.append(([c.id], "a score is required"))
        else:
            problems.extend(_point(value[c.id], c.min, c.max, [c.id]))
    return problems


def _check_ranking(q: RankingQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    candidates = payload.get(q.field)
    if not isinstance(candidates, list):
        return [([], f"the item has no candidate list in '{q.field}'")]
    expected = candidate_ids(candidates)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [([], "must be a list of candidate ids, best first")]
    if sorted(value) != sorted(expected):
        return [([], f"must order each of the candidates {expected} exactly once")]
    return []


def _check_pairwise(q: PairwiseQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    if not isinstance(value, dict):
        return [([], "must be an object with choice, strength and justification")]
    choices = ["A", "B", "tie"] if q.allow_tie else ["A", "B"]
    problems: list[Problem] = [
        ([k], "is not a field of a pairwise answer")
        for k in value
        if k not in ("choice", "strength", "justification")
    ]
    choice = value.get("choice")
    if choice not in choices:
        problems.append((["choice"], f"must be one of {choices}"))
    problems.extend(_check_strength(q, choice, value.get("strength")))
    problems.extend(_check_justification(q, value.get("justification")))
    return problems


def _check_strength(q: PairwiseQuestion, choice: Any, strength: Any) -> list[Problem]:
    if strength is None:
        needed = q.strength_levels > 1 and choice in ("A", "B")
        return [(["strength"], "say how much better it is")] if needed else []
    return _point(strength, 1, q.strength_levels, ["strength"])


def _check_justification(q: PairwiseQuestion, text: Any) -> list[Problem]:
    if text is None or text == "":
        if q.justification == "required":
            return [(["justification"], "a justification is required")]
        return []
    if q.justification == "none":
        return [(["justification"], "this question takes no justification")]
    if not isinstance(text, str):
        return [(["justification"], "must be text")]
    if len(text.strip()) < q.justification_min_chars:
        return [(["justification"], f"write at least {q.justification_min_chars} characters")]
    return []


def _check_text(q: TextQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    if not isinstance(value, str):
        return [([], "must be text")]
    if len(value.strip()) < q.min_chars:
        return [([], f"write at least {q.min_chars} characters")]
    if len(value) > q.max_chars:
        return [([], f"must be at most {q.max_chars} characters")]
    return []


def _check_span(q: SpanQuestion, value: Any, payload: dict[str, Any]) -> list[Problem]:
    text = payload.get(q.field)
    if not isinstance(value, list):
        return [([], "must be a list of {start, end, label} spans")]
    size = len(text) if isinstance(text, str) else 0
    problems: list[Problem] = []
    for n, span in enumerate(value):
        problems.extend(_check_one_span(q, span, size, n))
    if not problems and not q.allow_overlap:
        ordered = sorted(value, key=lambda s: (s["start"], s["end"]))
        for before, after in itertools.pairwise(ordered):
            if after["start"] < before["end"]:
                problems.append(
                    (
                        [],
                        f"spans {before['start']}-{before['end']} and "
                        f"{after['start']}-{after['end']} overlap",
                    )
                )
    return problems


def _check_one_span(q: SpanQuestion, span: Any, size: int, n: int) -> list[Problem]:
    if not isinstance(span, dict) or set(span) != {"start", "end", "label"}:
        return [([n], "must be an object with exactly start, end and label")]
    start, end = span["start"], span["end"]
    if not (_is_int(start) and _is_int(end) and 0 <= start < end <= size):
        return [([n], f"needs whole numbers 0 <= start < end <= {size}")]
    if span["label"] not in q.labels:
        return [([n, "label"], f"must be one of {q.labels}")]
    return []


CHECKS: dict[str, Callable[[Any, Any, dict[str, Any]], list[Problem]]] = {
    "label": _check_label,
    "multi_label": _check_multi,
    "rating": _check_rating,
    "rubric": _check_rubric,
    "ranking": _check_ranking,
    "pairwise": _check_pairwise,
    "text": _check_text,
    "span": _check_span,
}


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def validate_response(form: Form, response: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """The response, checked against the form; ValidationFailed names each bad answer."""
    if not isinstance(response, dict):
        raise ValidationFailed(
            "The response must be an object of question id -> answer",
            errors=[field_error(["response"], "must be an object")],
        )
    errors = [
        field_error(["response", str(key)], "is not a question of this form")
        for key in response
        if form.question(str(key)) is None
    ]
    clean: dict[str, Any] = {}
    for q in form.questions:
        value = response.get(q.id)
        if _is_blank(value):
            if q.required:
                errors.append(field_error(["response", q.id], "an answer is required"))
            continue
        problems = CHECKS[q.type](q, value, payload)
        errors.extend(field_error(["response", q.id, *loc], msg) for loc, msg in problems)
        clean[q.id] = value
    if errors:
        raise ValidationFailed("The response does not match the form", errors=errors)
    return clean


# --- majority answers -------------------------------------------------------------------


def _mode(keys: list[Hashable], rank: Callable[[Any], Any] | None = None) -> tuple[Any, float]:
    counts = Counter(keys)
    best = max(counts.values())
    tied = [k for k in counts if counts[k] == best]  # Counter keeps first-seen order
    winner = min(tied, key=rank) if rank is not None else tied[0]
    return winner, best / len(keys)


def _majority_pairwise(values: list[Any]) -> tuple[Any, float]:
    choices = [v.get("choice") for v in values]
    counts = Counter(choices)
    if counts["A"] == counts["B"] and counts["A"] >= counts["tie"]:
        return "tie", max(counts["A"], counts["tie"]) / len(values)
    return _mode(list(choices), rank=["A", "B", "tie"].index)


def _majority_rubric(q: RubricQuestion, values: list[Any]) -> tuple[Any, float]:
    answer: dict[str, Any] = {}
    shares: list[float] = []
    for c in q.criteria:
        scores = [v[c.id] for v in values if v.get(c.id) is not None]
        if scores:
            answer[c.id], share = _mode(scores, rank=lambda s: s)
            shares.append(share)
    return answer, (sum(shares) / len(shares) if shares else 0.0)


def _majority_multi(q: MultiLabelQuestion, values: list[Any]) -> tuple[Any, float]:
    # each option is its own yes/no vote; agreement is the mean share of the winning side
    shares = [sum(o in v for v in values) / len(values) for o in q.options]
    chosen = [o for o, share in zip(q.options, shares, strict=True) if share > 0.5]
    return chosen, sum(max(s, 1 - s) for s in shares) / len(shares)


def _majority_ranking(values: list[Any]) -> tuple[Any, float]:
    # Borda count; agreement is the share of voters whose top pick is the overall top
    points: Counter[str] = Counter()
    for ranking in values:
        for place, cid in enumerate(ranking):
            points[cid] += len(ranking) - place
    order = sorted(points, key=lambda cid: (-points[cid], cid))
    return order, sum(r[0] == order[0] for r in values) / len(values)


def _canonical(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    return value.strip() if isinstance(value, str) else value


def majority_answer(question: Question, values: list[Any]) -> tuple[Any, float] | None:
    """The most common answer and its share of the votes; None without votes."""
    if not values:
        return None
    if isinstance(question, PairwiseQuestion):
        return _majority_pairwise(values)
    if isinstance(question, RubricQuestion):
        return _majority_rubric(question, values)
    if isinstance(question, MultiLabelQuestion):
        return _majority_multi(question, values)
    if isinstance(question, RankingQuestion):
        return _majority_ranking(values)
    if isinstance(question, LabelQuestion):
        return _mode(values, rank=question.options.index)
    if isinstance(question, RatingQuestion):
        return _mode(values, rank=lambda point: point)
    keys = [_canonical(v) for v in values]
    key, share = _mode(keys)
    return values[keys.index(key)], share
