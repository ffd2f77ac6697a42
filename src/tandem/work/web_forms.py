"""Turn the workbench's HTML form fields into a response dict (then validated as usual)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData

from tandem.projects.forms import Form, Question


def _int_or_raw(text: str | None) -> Any:
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return text


def _label(q: Question, form: FormData) -> Any:
    return form.get(f"q.{q.id}") or None


def _multi(q: Question, form: FormData) -> Any:
    return list(form.getlist(f"q.{q.id}"))


def _rating(q: Question, form: FormData) -> Any:
    return _int_or_raw(_text(form, f"q.{q.id}"))


def _rubric(q: Question, form: FormData) -> Any:
    return {c.id: _int_or_raw(_text(form, f"q.{q.id}.{c.id}")) for c in q.criteria}  # type: ignore[union-attr]


def _pairwise(q: Question, form: FormData) -> Any:
    value: dict[str, Any] = {"choice": _text(form, f"q.{q.id}.choice") or None}
    strength = _int_or_raw(_text(form, f"q.{q.id}.strength"))
    if strength is not None:
        value["strength"] = strength
    justification = _text(form, f"q.{q.id}.justification")
    if justification is not None:
        value["justification"] = justification
    return value


def _ranking(q: Question, form: FormData) -> Any:
    prefix = f"q.{q.id}.rank."
    ranks = [
        (_int_or_raw(str(v)), k[len(prefix) :])
        for k, v in form.multi_items()
        if k.startswith(prefix)
    ]
    return [cid for _, cid in sorted(ranks, key=lambda p: (str(type(p[0])), p[0]))]


def _text_answer(q: Question, form: FormData) -> Any:
    return _text(form, f"q.{q.id}")


def _span(q: Question, form: FormData) -> Any:
    raw = _text(form, f"q.{q.id}") or "[]"
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def _text(form: FormData, key: str) -> str | None:
    value = form.get(key)
    return value if isinstance(value, str) else None


READERS: dict[str, Callable[[Question, FormData], Any]] = {
    "label": _label,
    "multi_label": _multi,
    "rating": _rating,
    "rubric": _rubric,
    "pairwise": _pairwise,
    "ranking": _ranking,
    "text": _text_answer,
    "span": _span,
}


def response_from_form(form: Form, data: FormData) -> dict[str, Any]:
    """The response dict for every question, read from `q.<id>…` fields."""
    return {q.id: READERS[q.type](q, data) for q in form.questions}
