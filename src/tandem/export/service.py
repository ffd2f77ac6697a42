"""JSONL export: one line per item with every submission and the majority answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.security import pseudonym
from tandem.export import repository
from tandem.kit.errors import ValidationFailed, field_error
from tandem.models import Item, Submission
from tandem.projects.answers import majority_answer
from tandem.projects.forms import Form, parse_form
from tandem.projects.service import project_for_reader

FORMATS = ("jsonl",)


def export_project(
    db: Session,
    actor: Actor,
    project_id: int,
    fmt: str,
    out: IO[str],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the export to `out`; returns the number of items written."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"unknown export format {fmt!r}",
            errors=[field_error(["format"], f"use one of {', '.join(FORMATS)}")],
        )
    project = project_for_reader(db, actor, project_id)
    form = parse_form(project.form)
    written = 0
    for chunk in repository.items_with_submissions(db, project.id):
        for item, submissions in chunk:
            out.write(json.dumps(_item_record(form, project.org_id, item, submissions)) + "\n")
        written += len(chunk)
        if on_progress:
            on_progress(written)
    return written


def _item_record(form: Form, org_id: int, item: Item, subs: list[Submission]) -> dict[str, Any]:
    counted = [s for s in subs if s.counted]
    return {
        "item_id": item.id,
        "external_id": item.external_id,
        "payload": item.payload,
        "status": str(item.status),
        "submissions": [_submission_record(org_id, s) for s in subs],
        "majority": _majority(form, counted),
    }


def _submission_record(org_id: int, sub: Submission) -> dict[str, Any]:
    return {
        "submission_id": sub.id,
        "annotator": pseudonym(sub.expert_id, org_id),
        "response": sub.response,
        "status": str(sub.status),
        "counted": sub.counted,
        "late": sub.late,
        "active_seconds": sub.active_seconds,
        "submitted_at": sub.created_at.isoformat(),
    }


def _majority(form: Form, counted: list[Submission]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for question in form.questions:
        values = [
            s.response[question.id] for s in counted if s.response.get(question.id) is not None
        ]
        outcome = majority_answer(question, values) if values else None
        result[question.id] = (
            None
            if outcome is None
            else {
                "answer": outcome[0],
                "agreement": round(outcome[1], 4),
                "votes": len(values),
            }
        )
    return result
