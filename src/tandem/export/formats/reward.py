"""`reward`: prompt, response and a score from rating and rubric questions.

The score is the bias-corrected mean of `tandem.quality.stats.ratings` (each annotator's
habitual leniency or severity removed); a rubric's score is the mean of its criteria's
corrected means, with the per-criterion means kept in `criteria` (JSON). `score_normalized`
maps the scale onto [0, 1] (clipped: a corrected mean can fall just outside the scale).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from tandem.export.formats.common import (
    ExportContext,
    as_text,
    kept_items,
    load_answers,
    payload_chunks,
    prompt_of,
)
from tandem.projects.forms import RatingQuestion, RubricQuestion
from tandem.quality.answers import question_stats

SCHEMA = pa.schema(
    [
        ("prompt", pa.string()),
        ("response", pa.string()),
        ("score", pa.float64()),
        ("score_normalized", pa.float64()),
        ("criteria", pa.string()),
        ("confidence", pa.float64()),
        ("n_ratings", pa.int64()),
        ("item_id", pa.int64()),
        ("external_id", pa.string()),
        ("question_id", pa.string()),
    ]
)
Scored = RatingQuestion | RubricQuestion


def batches(ctx: ExportContext) -> Iterator[pa.RecordBatch]:
    """Record batches of SCHEMA: one row per item and rating/rubric question."""
    answers = load_answers(ctx)
    by_item: dict[int, list[tuple[Scored, dict[str, Any]]]] = {}
    for q in ctx.form.questions:
        if isinstance(q, RatingQuestion | RubricQuestion) and answers.by_question[q.id]:
            stats = question_stats(q, answers.by_question[q.id], "mv")
            for row in stats.rows if stats else []:
                by_item.setdefault(row["item_id"], []).append((q, row))
    kept = kept_items(ctx, answers, by_item)
    for chunk in payload_chunks(ctx, kept):
        records = [
            _record(ctx, q, row, external_id, payload)
            for item_id, external_id, payload in chunk
            for q, row in by_item[item_id]
        ]
        ctx.stats.rows += len(records)
        if records:
            yield pa.RecordBatch.from_pylist(records, schema=SCHEMA)


def response_of(payload: dict[str, Any], field: str, prompt_field: str) -> str:
    """payload[field], else every payload field but the prompt, as JSON."""
    if field in payload:
        return as_text(payload[field])
    return as_text({k: v for k, v in payload.items() if k != prompt_field})


def _scale(q: Scored) -> tuple[float, float]:
    if isinstance(q, RatingQuestion):
        return q.min, q.max
    # criteria may differ in scale: normalise against their mean bounds
    lows, highs = [c.min for c in q.criteria], [c.max for c in q.criteria]
    return sum(lows) / len(lows), sum(highs) / len(highs)


def _record(
    ctx: ExportContext,
    q: Scored,
    row: dict[str, Any],
    external_id: str | None,
    payload: dict[str, Any],
) -> dict[str, Any]:
    answer = row["answer"]
    per_criterion = answer if isinstance(answer, dict) else None
    score = sum(answer.values()) / len(answer) if per_criterion else float(answer)
    low, high = _scale(q)
    opts = ctx.options
    return {
        "prompt": prompt_of(payload, opts, q),
        "response": response_of(payload, opts.response_field, opts.prompt_field),
        "score": round(score, 6),
        # the bias-corrected mean may step just outside the scale; the share may not
        "score_normalized": round(min(max((score - low) / (high - low), 0.0), 1.0), 6),
        "criteria": json.dumps(per_criterion) if per_criterion is not None else None,
        "confidence": round(row["confidence"], 6),
        "n_ratings": row["n_labels"],
        "item_id": row["item_id"],
        "external_id": external_id,
        "question_id": q.id,
    }
