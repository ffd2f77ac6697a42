"""Per-question statistics of a project's counted answers: arrays in, rows out.

Each question type is encoded into integer arrays and handed to `tandem.quality.stats`;
what comes back is one aggregate row per item, agreement figures, and each expert's
consensus accuracy (label-like questions only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tandem.projects.forms import (
    LabelQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    RatingQuestion,
    RubricQuestion,
)
from tandem.quality.stats import aggregate, encode
from tandem.quality.stats.agreement import cohen_kappa_pairs, fleiss_kappa, krippendorff_alpha
from tandem.quality.stats.encoding import first_seen_codes
from tandem.quality.stats.preferences import collapse, fit_scores, rankings_to_pairs
from tandem.quality.stats.ratings import aggregate_ratings

Answer = tuple[int, int, Any]  # item id, expert id, value


@dataclass
class QuestionStats:
    """What one question yields: aggregate rows, agreement and consensus per expert."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    method: str | None = None
    alpha: float | None = None
    alpha_level: str | None = None
    fleiss: float | None = None
    cohen: float | None = None
    consensus: dict[int, tuple[float, int]] = field(default_factory=dict)


def _clean(x: float) -> float | None:
    return None if x is None or np.isnan(x) else round(float(x), 6)


def _categorical(question_id: str, answers: list[Answer], method: str) -> QuestionStats:
    coded, items, experts, names = encode(*zip(*answers, strict=True))
    result = aggregate(coded, method)
    n = np.bincount(coded.item, minlength=coded.n_items)
    rows = [
        {
            "item_id": int(items[i]),
            "question_id": question_id,
            "answer": names[c],
            "confidence": float(result.confidence[i]),
            "method": result.method,
            "n_labels": int(n[i]),
        }
        for i, c in enumerate(result.label.tolist())
    ]
    given = np.bincount(coded.worker, minlength=coded.n_workers)
    consensus = {
        int(experts[w]): (float(result.worker_accuracy[w]), int(given[w]))
        for w in range(coded.n_workers)
    }
    return QuestionStats(
        rows=rows,
        method=result.method,
        alpha=_clean(krippendorff_alpha(coded.item, coded.label.astype(float))),
        alpha_level="nominal",
        fleiss=_clean(fleiss_kappa(coded)),
        cohen=_clean(cohen_kappa_pairs(coded).mean()),
        consensus=consensus,
    )


def _ratings(question_id: str, answers: list[Answer], criteria: list[str] | None) -> QuestionStats:
    item, items = first_seen_codes([a[0] for a in answers])
    worker, _ = first_seen_codes([a[1] for a in answers])
    keys: list[str | None] = list(criteria) if criteria else [None]
    means: dict[str | None, np.ndarray] = {}
    alphas, confidences = [], []
    for key in keys:
        values = np.array([a[2] if key is None else a[2].get(key) for a in answers], dtype=float)
        ok = ~np.isnan(values)
        fit = aggregate_ratings(item[ok], worker[ok], values[ok], len(items), int(worker.max()) + 1)
        means[key] = fit.mean
        confidences.append(1.0 / (1.0 + np.nan_to_num(fit.stderr, nan=np.inf)))
        alphas.append(krippendorff_alpha(item, values, "interval"))
    n = np.bincount(item, minlength=len(items))
    confidence = np.mean(confidences, axis=0)
    rows = []
    for i, item_id in enumerate(items):
        answer: Any = (
            round(float(means[None][i]), 4)
            if criteria is None
            else {k: round(float(means[k][i]), 4) for k in criteria if not np.isnan(means[k][i])}
        )
        rows.append(
            {
                "item_id": int(item_id),
                "question_id": question_id,
                "answer": answer,
                "confidence": float(confidence[i]),
                "method": "ratings-bias",
                "n_labels": int(n[i]),
            }
        )
    alpha = float(np.nanmean(alphas)) if not np.all(np.isnan(alphas)) else float("nan")
    return QuestionStats(
        rows=rows, method="ratings-bias", alpha=_clean(alpha), alpha_level="interval"
    )


def _multi(q: MultiLabelQuestion, answers: list[Answer], method: str) -> QuestionStats:
    per_option = [
        _categorical(q.id, [(i, e, o in v) for i, e, v in answers], method) for o in q.options
    ]
    first = per_option[0]
    rows = []
    for n, row in enumerate(first.rows):
        chosen = [o for o, s in zip(q.options, per_option, strict=True) if s.rows[n]["answer"]]
        conf = float(np.mean([s.rows[n]["confidence"] for s in per_option]))
        rows.append({**row, "answer": chosen, "confidence": conf})
    alphas = [s.alpha for s in per_option if s.alpha is not None]
    return QuestionStats(
        rows=rows,
        method=first.method,
        alpha=float(np.mean(alphas)) if alphas else None,
        alpha_level="nominal",
    )


def _ranking(question_id: str, answers: list[Answer]) -> QuestionStats:
    # every (item, candidate) is one player; pairs never cross items, so one fit ranks all
    keys = [(i, c) for i, _, order in answers for c in order]
    codes, names = first_seen_codes([f"{i}\x1f{c}" for i, c in keys])
    offsets = np.cumsum([0] + [len(a[2]) for a in answers])
    orders = [codes[offsets[n] : offsets[n + 1]] for n in range(len(answers))]
    win, lose = rankings_to_pairs(orders)
    scores = fit_scores(collapse(win, lose, np.ones(len(win)), len(names)))
    by_item: dict[int, list[tuple[float, str]]] = {}
    for code, name in enumerate(names):
        item_id, cid = name.split("\x1f", 1)
        by_item.setdefault(int(item_id), []).append((-scores[code], cid))
    counts = np.bincount(first_seen_codes([a[0] for a in answers])[0])
    rows = []
    for n, (item_id, cands) in enumerate(by_item.items()):
        top = sorted(cands)
        gap = -top[0][0] + top[1][0] if len(top) > 1 else 0.0
        rows.append(
            {
                "item_id": item_id,
                "question_id": question_id,
                "answer": [c for _, c in top],
                "confidence": float(1 / (1 + np.exp(-gap))),
                "method": "bradley-terry",
                "n_labels": int(counts[n]),
            }
        )
    return QuestionStats(rows=rows, method="bradley-terry")


def question_stats(q: Question, answers: list[Answer], method: str) -> QuestionStats | None:
    """Aggregates and agreement of one question; None for free text and spans."""
    if not answers:
        return QuestionStats()
    if isinstance(q, LabelQuestion):
        return _categorical(q.id, answers, method)
    if isinstance(q, PairwiseQuestion):
        return _categorical(q.id, [(i, e, v["choice"]) for i, e, v in answers], method)
    if isinstance(q, MultiLabelQuestion):
        return _multi(q, answers, method)
    if isinstance(q, RatingQuestion):
        return _ratings(q.id, answers, None)
    if isinstance(q, RubricQuestion):
        return _ratings(q.id, answers, [c.id for c in q.criteria])
    if isinstance(q, RankingQuestion):
        return _ranking(q.id, answers)
    return None


def gold_key(q: Question, value: Any) -> Any:
    """A comparable form of an answer, for checking it against gold."""
    if isinstance(q, PairwiseQuestion):
        return value.get("choice") if isinstance(value, dict) else value
    if isinstance(q, MultiLabelQuestion):
        return tuple(sorted(value)) if isinstance(value, list) else value
    if isinstance(q, RubricQuestion | RankingQuestion) and value is not None:
        return repr(value if isinstance(value, list) else sorted(value.items()))
    return value
