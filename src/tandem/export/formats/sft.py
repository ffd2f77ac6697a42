"""`sft`: chat `messages` from text questions, one example per accepted piece of writing.

A text question with `prefill_field` asks the expert to correct a model output: the
example's assistant turn is the corrected text, and `model_output` keeps the original.
When a reviewer fixed the submission (verdict `fix`), their edited value wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlalchemy.engine import Row

from tandem.export import repository
from tandem.export.formats.common import (
    ExportContext,
    ItemGroup,
    as_text,
    group_by_item,
    item_agreement,
    prompt_of,
)
from tandem.models.enums import ReviewVerdict
from tandem.projects.forms import TextQuestion

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
SCHEMA = pa.schema(
    [
        ("messages", pa.list_(MESSAGE)),
        ("item_id", pa.int64()),
        ("external_id", pa.string()),
        ("question_id", pa.string()),
        ("submission_id", pa.int64()),
        ("annotator", pa.string()),
        ("source", pa.string()),
        ("model_output", pa.string()),
        ("corrected", pa.bool_()),
    ]
)


def batches(ctx: ExportContext) -> Iterator[pa.RecordBatch]:
    """Record batches of SCHEMA: one row per text answer, items in id order."""
    questions = [q for q in ctx.form.questions if isinstance(q, TextQuestion)]
    stream = repository.submission_batches(ctx.db, ctx.project.id, ctx.options, training=True)
    for groups in group_by_item(stream):
        found = repository.payloads(ctx.db, ctx.project.id, [g[0] for g in groups])
        records: list[dict[str, Any]] = []
        for group in groups:
            external_id, payload = found[group[0]]
            records.extend(_item_records(ctx, questions, group, external_id, payload))
        if records:
            yield pa.RecordBatch.from_pylist(records, schema=SCHEMA)


def _item_records(
    ctx: ExportContext,
    questions: list[TextQuestion],
    group: ItemGroup,
    external_id: str | None,
    payload: dict[str, Any],
) -> list[dict[str, Any]]:
    item_id, rows = group
    agreement = item_agreement(ctx.form, (r.response for r in rows))
    if not ctx.keeps(agreement):
        return []
    ctx.stats.add_agreement(agreement)
    ctx.stats.items += 1
    ctx.stats.submissions += len(rows)
    records = []
    for q in questions:
        for row in rows:
            text, source = _final_text(row, q.id)
            if not isinstance(text, str) or not text.strip():
                continue
            ctx.stats.annotators.add(row.expert_id)
            original = _model_output(q, payload)
            records.append(
                {
                    "messages": [
                        {"role": "user", "content": prompt_of(payload, ctx.options, q)},
                        {"role": "assistant", "content": text},
                    ],
                    "item_id": item_id,
                    "external_id": external_id,
                    "question_id": q.id,
                    "submission_id": row.id,
                    "annotator": ctx.annotator(row.expert_id),
                    "source": source,
                    "model_output": original,
                    "corrected": original is not None and text.strip() != original.strip(),
                }
            )
    ctx.stats.rows += len(records)
    return records


def _final_text(row: Row[Any], question_id: str) -> tuple[Any, str]:
    """The reviewer's fix when there is one for this question, else the expert's text."""
    fixed = row.edited_values if row.verdict == ReviewVerdict.FIX else None
    if fixed and fixed.get(question_id) is not None:
        return fixed[question_id], "reviewer_fix"
    return row.response.get(question_id), "expert"


def _model_output(q: TextQuestion, payload: dict[str, Any]) -> str | None:
    if q.prefill_field is None or q.prefill_field not in payload:
        return None
    return as_text(payload[q.prefill_field])
