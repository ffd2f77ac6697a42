"""`label-studio`: tasks Label Studio imports (`data` + `annotations` in its result schema).

Controls are named after question ids (`from_name`); parts of a question get a dotted
suffix, which question ids cannot contain: a rubric criterion is `<question>.<criterion>`,
a pairwise answer's strength, justification and tie are `<question>.strength`,
`.justification` and `.choice`. `to_name` is the payload field a question shows (the first
payload field for questions that show none). The same mapping reads results back in
`tandem.export.label_studio_import`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tandem.export import repository
from tandem.export.formats.common import ExportContext, ItemGroup, group_by_item, item_agreement
from tandem.models.enums import ReviewVerdict
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
)

Result = dict[str, Any]


def tasks(ctx: ExportContext) -> Iterator[list[dict[str, Any]]]:
    """Lists of Label Studio tasks, one per item with submissions, items in id order."""
    stream = repository.submission_batches(ctx.db, ctx.project.id, ctx.options, training=True)
    for groups in group_by_item(stream):
        found = repository.payloads(ctx.db, ctx.project.id, [g[0] for g in groups])
        out = [_task(ctx, g, *found[g[0]]) for g in groups]
        kept = [t for t in out if t is not None]
        ctx.stats.rows += len(kept)
        if kept:
            yield kept


def _task(
    ctx: ExportContext, group: ItemGroup, external_id: str | None, payload: dict[str, Any]
) -> dict[str, Any] | None:
    item_id, rows = group
    agreement = item_agreement(ctx.form, (r.response for r in rows))
    if not ctx.keeps(agreement):
        return None
    ctx.stats.add_agreement(agreement)
    ctx.stats.items += 1
    ctx.stats.submissions += len(rows)
    ctx.stats.annotators.update(r.expert_id for r in rows)
    annotations = []
    for row in rows:
        # a reviewer's fix replaces the values it covers, as in the training formats
        fix = row.edited_values if row.verdict == ReviewVerdict.FIX and row.edited_values else {}
        results = to_results(ctx.form, {**row.response, **fix}, payload)
        for n, result in enumerate(results):
            result["id"] = f"s{row.id}-{n}"
        annotations.append(
            {
                "result": results,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": row.created_at.isoformat(),
                "updated_at": (row.reviewed_at or row.created_at).isoformat(),
                "lead_time": float(row.active_seconds),
            }
        )
    meta = {
        "tandem_item_id": item_id,
        "external_id": external_id,
        "annotators": [ctx.annotator(r.expert_id) for r in rows],
        "submission_ids": [r.id for r in rows],
    }
    return {"data": payload, "annotations": annotations, "predictions": [], "meta": meta}


def _target(q: Question, payload: dict[str, Any]) -> str:
    fields = q.payload_fields()
    return fields[0] if fields else next(iter(payload), "text")


def _result(from_name: str, to_name: str, kind: str, value: dict[str, Any]) -> Result:
    return {"from_name": from_name, "to_name": to_name, "type": kind, "value": value}


def to_results(form: Form, response: dict[str, Any], payload: dict[str, Any]) -> list[Result]:
    """A Tandem response as Label Studio result items."""
    results: list[Result] = []
    for q in form.questions:
        value = response.get(q.id)
        if value is not None:
            results.extend(_question_results(q, value, _target(q, payload), payload))
    return results


def _question_results(q: Question, value: Any, to: str, payload: dict[str, Any]) -> list[Result]:
    if isinstance(q, LabelQuestion):
        return [_result(q.id, to, "choices", {"choices": [value]})]
    if isinstance(q, MultiLabelQuestion):
        return [_result(q.id, to, "choices", {"choices": list(value)})]
    if isinstance(q, RatingQuestion):
        return [_result(q.id, to, "rating", {"rating": value})]
    if isinstance(q, RubricQuestion):
        return [
            _result(f"{q.id}.{cid}", to, "rating", {"rating": score})
            for cid, score in value.items()
        ]
    if isinstance(q, RankingQuestion):
        # List + Ranker without buckets: the control's name maps to the ids in order
        return [_result(q.id, to, "ranker", {"ranker": {q.id: list(value)}})]
    if isinstance(q, PairwiseQuestion):
        return _pairwise_results(q, value)
    if isinstance(q, TextQuestion):
        return [_result(q.id, to, "textarea", {"text": [value]})]
    if isinstance(q, SpanQuestion):
        text = payload.get(q.field, "")
        return [
            _result(
                q.id,
                to,
                "labels",
                {
                    "start": s["start"],
                    "end": s["end"],
                    "text": text[s["start"] : s["end"]],
                    "labels": [s["label"]],
                },
            )
            for s in value
        ]
    return []


def _pairwise_results(q: PairwiseQuestion, value: dict[str, Any]) -> list[Result]:
    both = f"{q.left},{q.right}"
    choice = value.get("choice")
    if choice == "tie":
        results = [_result(f"{q.id}.choice", q.left, "choices", {"choices": ["tie"]})]
    else:
        side = "left" if choice == "A" else "right"
        results = [_result(q.id, both, "pairwise", {"selected": side})]
    if value.get("strength") is not None:
        results.append(_result(f"{q.id}.strength", q.left, "rating", {"rating": value["strength"]}))
    if value.get("justification"):
        text = {"text": [value["justification"]]}
        results.append(_result(f"{q.id}.justification", q.left, "textarea", text))
    return results
