"""`labels`: the aggregated answer per item and question, with confidence and method.

Answers come from `tandem.quality.answers.question_stats` with the chosen truth-inference
method (default `auto`); `answer` is JSON text so every question type fits one column.
Free text and spans have no aggregate and are left out (see `sft` and `raw`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from tandem.export.formats.common import ExportContext, kept_items, load_answers, payload_chunks
from tandem.projects.forms import Question
from tandem.quality.answers import question_stats

SCHEMA = pa.schema(
    [
        ("item_id", pa.int64()),
        ("external_id", pa.string()),
        ("question_id", pa.string()),
        ("question_type", pa.string()),
        ("answer", pa.string()),
        ("confidence", pa.float64()),
        ("method", pa.string()),
        ("n_labels", pa.int64()),
        ("agreement", pa.float64()),
    ]
)


def batches(ctx: ExportContext) -> Iterator[pa.RecordBatch]:
    """Record batches of SCHEMA: one row per item and aggregated question."""
    answers = load_answers(ctx)
    by_item: dict[int, list[tuple[Question, dict[str, Any]]]] = {}
    for q in ctx.form.questions:
        stats = question_stats(q, answers.by_question[q.id], ctx.options.method)
        for row in stats.rows if stats else []:
            by_item.setdefault(row["item_id"], []).append((q, row))
    kept = kept_items(ctx, answers, by_item)
    for chunk in payload_chunks(ctx, kept):
        records = [
            {
                "item_id": item_id,
                "external_id": external_id,
                "question_id": q.id,
                "question_type": q.type,
                "answer": json.dumps(row["answer"], ensure_ascii=False),
                "confidence": round(row["confidence"], 6),
                "method": row["method"],
                "n_labels": row["n_labels"],
                "agreement": answers.agreement.get(item_id),
            }
            for item_id, external_id, _ in chunk
            for q, row in by_item[item_id]
        ]
        ctx.stats.rows += len(records)
        if records:
            yield pa.RecordBatch.from_pylist(records, schema=SCHEMA)
