"""Import a Label Studio JSON export into a project: tasks become items.

Tasks follow Label Studio's import rules: a JSON list (or one object) of tasks with
`data`; a flat object is itself the data. Annotations are read back with the control
naming of `tandem.export.formats.label_studio` and validated against the form. Tandem
submissions only come from Tandem experts, so an annotation becomes the item's gold
answer: the one marked `ground_truth`, or with `gold_from="first"` the first completed
annotation of a task that has none. Other annotations are counted, not stored.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.items import service as item_service
from tandem.kit.errors import ValidationFailed, field_error
from tandem.projects.forms import Form, MultiLabelQuestion, Question, RubricQuestion, parse_form
from tandem.projects.service import project_for_manager

TASK_KEYS = {"id", "data", "annotations", "predictions", "meta", "created_at", "updated_at",
             "inner_id", "total_annotations", "cancelled_annotations", "total_predictions",
             "project", "drafts", "file_upload", "updated_by", "comment_authors"}  # fmt: skip
GOLD_FROM = ("ground_truth", "first")


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: items, how many got gold, annotations not stored."""

    items: int
    gold: int
    annotations_skipped: int


def import_label_studio(
    db: Session, actor: Actor, project_id: int, stream: IO[str], gold_from: str = "ground_truth"
) -> ImportResult:
    """Import every task or none; errors name the task number and field."""
    if gold_from not in GOLD_FROM:
        raise ValidationFailed(
            "unknown gold_from", errors=[field_error(["gold_from"], f"use one of {GOLD_FROM}")]
        )
    project = project_for_manager(db, actor, project_id)
    form = parse_form(project.form)
    tasks = _load_tasks(stream)
    gold = skipped = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as lines:
        for task in tasks:
            record, used, total = _record(form, task, gold_from)
            gold += used
            skipped += total - used
            lines.write(json.dumps(record, ensure_ascii=False) + "\n")
        lines.seek(0)
        count = item_service.import_items(db, actor, project.id, lines, "jsonl")
    return ImportResult(items=count, gold=gold, annotations_skipped=skipped)


def _load_tasks(stream: IO[str]) -> list[dict[str, Any]]:
    try:
        value = json.load(stream)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            "not valid JSON", errors=[field_error(["file"], f"{exc.msg} at line {exc.lineno}")]
        ) from None
    tasks = value if isinstance(value, list) else [value]
    bad = [n for n, t in enumerate(tasks, start=1) if not isinstance(t, dict)]
    if bad:
        raise ValidationFailed(
            "each task must be an object",
            errors=[field_error([f"row {n}"], "must be a JSON object") for n in bad[:20]],
        )
    return tasks


def _record(form: Form, task: dict[str, Any], gold_from: str) -> tuple[dict[str, Any], int, int]:
    """The item record of a task, whether it used an annotation, and how many it had."""
    data = task["data"] if isinstance(task.get("data"), dict) else None
    payload = data if data is not None else {k: v for k, v in task.items() if k not in TASK_KEYS}
    meta = task.get("meta")
    meta = meta if isinstance(meta, dict) else {}
    external_id = meta.get("external_id") or task.get("id")
    done = [
        a
        for a in task.get("annotations") or []
        if isinstance(a, dict) and not a.get("was_cancelled")
    ]
    chosen = next((a for a in done if a.get("ground_truth")), None)
    if chosen is None and gold_from == "first" and done:
        chosen = done[0]
    gold = from_results(form, chosen.get("result") or []) if chosen else None
    record = {"payload": payload, "external_id": external_id, "gold": gold or None}
    return record, int(bool(gold)), len(task.get("annotations") or [])


def from_results(form: Form, results: list[Any]) -> dict[str, Any]:
    """A Tandem response from Label Studio result items (controls named by question id)."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        if isinstance(r, dict) and isinstance(r.get("value"), dict):
            by_name.setdefault(str(r.get("from_name")), []).append(r["value"])
    response = {}
    for q in form.questions:
        value = _READERS.get(q.type, _none)(q, by_name)
        if value is not None:
            response[q.id] = value
    return response


Named = dict[str, list[dict[str, Any]]]


def _first(by_name: Named, name: str, key: str) -> Any:
    values = by_name.get(name) or [{}]
    return values[0].get(key)


def _none(q: Question, by_name: Named) -> Any:
    return None


def _choices(q: Question, by_name: Named) -> Any:
    chosen = _first(by_name, q.id, "choices")
    if not isinstance(chosen, list):
        return None
    return list(chosen) if isinstance(q, MultiLabelQuestion) else (chosen[0] if chosen else None)


def _rating(q: Question, by_name: Named) -> Any:
    return _first(by_name, q.id, "rating")


def _rubric(q: Question, by_name: Named) -> Any:
    if not isinstance(q, RubricQuestion):
        return None
    scores = {c.id: _first(by_name, f"{q.id}.{c.id}", "rating") for c in q.criteria}
    scores = {k: v for k, v in scores.items() if v is not None}
    return scores or None


def _ranker(q: Question, by_name: Named) -> Any:
    ranker = _first(by_name, q.id, "ranker")
    if not isinstance(ranker, dict) or not ranker:
        return None
    order = ranker.get(q.id, next(iter(ranker.values())))
    return [str(c) for c in order] if isinstance(order, list) else None


def _pairwise(q: Question, by_name: Named) -> Any:
    selected = _first(by_name, q.id, "selected")
    tie = "tie" in (_first(by_name, f"{q.id}.choice", "choices") or [])
    choice = {"left": "A", "right": "B"}.get(selected or "", "tie" if tie else None)
    if choice is None:
        return None
    answer: dict[str, Any] = {"choice": choice}
    strength = _first(by_name, f"{q.id}.strength", "rating")
    if strength is not None:
        answer["strength"] = strength
    text = _first(by_name, f"{q.id}.justification", "text")
    if text:
        answer["justification"] = "\n".join(text) if isinstance(text, list) else str(text)
    return answer


def _textarea(q: Question, by_name: Named) -> Any:
    text = _first(by_name, q.id, "text")
    return "\n".join(text) if isinstance(text, list) else text


def _spans(q: Question, by_name: Named) -> Any:
    spans = [
        {"start": v["start"], "end": v["end"], "label": (v.get("labels") or [None])[0]}
        for v in by_name.get(q.id, [])
        if "start" in v and "end" in v
    ]
    return spans or None


_READERS: dict[str, Callable[[Question, Named], Any]] = {
    "label": _choices,
    "multi_label": _choices,
    "rating": _rating,
    "rubric": _rubric,
    "ranking": _ranker,
    "pairwise": _pairwise,
    "text": _textarea,
    "span": _spans,
}
