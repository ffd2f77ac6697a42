"""`dpo`: `prompt`, `chosen`, `rejected` from pairwise and ranking questions.

The side that wins is the Bradley-Terry winner of the item's votes (one fit per
question, ties as half a win, as in `tandem.quality.stats.preferences`): a pair whose
two scores are equal is a tie, dropped unless `keep_ties`. `margin` in [-1, 1]:
for pairwise, the mean vote strength towards `chosen` (strength / levels, a vote for
`rejected` counting negative, a tie 0); for rankings, the share of voters ordering the
pair as `chosen` > `rejected` minus the share ordering it the other way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pyarrow as pa

from tandem.export.formats.common import (
    Answers,
    ExportContext,
    as_text,
    kept_items,
    load_answers,
    payload_chunks,
    prompt_of,
)
from tandem.projects.forms import PairwiseQuestion, RankingQuestion, candidate_ids
from tandem.quality.stats.encoding import first_seen_codes
from tandem.quality.stats.preferences import collapse, fit_scores, rankings_to_pairs

TIE_EPS = 1e-9
SCHEMA = pa.schema(
    [
        ("prompt", pa.string()),
        ("chosen", pa.string()),
        ("rejected", pa.string()),
        ("margin", pa.float64()),
        ("tie", pa.bool_()),
        ("votes", pa.int64()),
        ("item_id", pa.int64()),
        ("external_id", pa.string()),
        ("question_id", pa.string()),
        ("chosen_id", pa.string()),
        ("rejected_id", pa.string()),
    ]
)
Question = PairwiseQuestion | RankingQuestion


@dataclass(frozen=True)
class Decision:
    """One preference pair of an item, before its texts are looked up."""

    question: Question
    chosen: str
    rejected: str
    margin: float
    tie: bool
    votes: int


def batches(ctx: ExportContext) -> Iterator[pa.RecordBatch]:
    """Record batches of SCHEMA, items in id order."""
    decisions = decide(ctx, load_answers(ctx))
    for chunk in payload_chunks(ctx, list(decisions)):
        records = [
            _record(ctx, d, item_id, external_id, payload)
            for item_id, external_id, payload in chunk
            for d in decisions[item_id]
        ]
        ctx.stats.rows += len(records)
        if records:
            yield pa.RecordBatch.from_pylist(records, schema=SCHEMA)


def decide(ctx: ExportContext, answers: Answers) -> dict[int, list[Decision]]:
    """Every kept preference pair per item (sorted by item id)."""
    found: dict[int, list[Decision]] = {}
    for q in ctx.form.questions:
        votes = answers.by_question[q.id]
        if isinstance(q, PairwiseQuestion) and votes:
            _merge(found, _pairwise(q, votes))
        elif isinstance(q, RankingQuestion) and votes:
            _merge(found, _ranking(q, votes))
    kept = kept_items(ctx, answers, found)
    keep_ties = ctx.options.keep_ties
    chosen = {i: [d for d in found[i] if keep_ties or not d.tie] for i in kept}
    return {i: ds for i, ds in chosen.items() if ds}


def _merge(into: dict[int, list[Decision]], more: dict[int, list[Decision]]) -> None:
    for item_id, decisions in more.items():
        into.setdefault(item_id, []).extend(decisions)


def _fit(winners: list[str], losers: list[str], outcome: list[float]) -> dict[str, float]:
    """Bradley-Terry scores per player; players never meet across items, so one fit serves all."""
    codes, names = first_seen_codes(winners + losers)
    win, lose = codes[: len(winners)], codes[len(winners) :]
    scores = fit_scores(collapse(win, lose, np.asarray(outcome, dtype=np.float64), len(names)))
    return {name: float(scores[c]) for c, name in enumerate(names)}


def _pairwise(q: PairwiseQuestion, votes: list[tuple[int, int, Any]]) -> dict[int, list[Decision]]:
    outcome = {"A": 1.0, "B": 0.0, "tie": 0.5}
    scores = _fit(
        [f"{i}\x1fA" for i, _, _ in votes],
        [f"{i}\x1fB" for i, _, _ in votes],
        [outcome[v["choice"]] for _, _, v in votes],
    )
    signed: dict[int, list[float]] = {}
    for item_id, _, v in votes:
        strength = (v.get("strength") or 1) / q.strength_levels
        sign = {"A": 1.0, "B": -1.0}.get(v["choice"], 0.0)
        signed.setdefault(item_id, []).append(sign * strength)
    result = {}
    for item_id, towards_a in signed.items():
        diff = scores[f"{item_id}\x1fA"] - scores[f"{item_id}\x1fB"]
        tie = abs(diff) < TIE_EPS
        a_wins = tie or diff > 0
        margin = 0.0 if tie else float(np.mean(towards_a)) * (1 if a_wins else -1)
        sides = ("A", "B") if a_wins else ("B", "A")
        result[item_id] = [Decision(q, *sides, margin, tie, len(towards_a))]
    return result


def _ranking(q: RankingQuestion, votes: list[tuple[int, int, Any]]) -> dict[int, list[Decision]]:
    keys = [[f"{i}\x1f{c}" for c in order] for i, _, order in votes]
    codes, names = first_seen_codes([k for ks in keys for k in ks])
    offsets = np.cumsum([0] + [len(ks) for ks in keys])
    win, lose = rankings_to_pairs([codes[offsets[n] : offsets[n + 1]] for n in range(len(keys))])
    scores = fit_scores(collapse(win, lose, np.ones(len(win)), len(names)))
    by_item: dict[int, list[list[str]]] = {}
    for item_id, _, order in votes:
        by_item.setdefault(item_id, []).append(order)
    score = {name: float(scores[c]) for c, name in enumerate(names)}
    return {i: _ranking_pairs(q, i, orders, score) for i, orders in by_item.items()}


def _ranking_pairs(
    q: RankingQuestion, item_id: int, orders: list[list[str]], score: dict[str, float]
) -> list[Decision]:
    cands = sorted(orders[0], key=lambda c: (-score[f"{item_id}\x1f{c}"], c))
    decisions = []
    for better, worse in combinations(cands, 2):
        gap = score[f"{item_id}\x1f{better}"] - score[f"{item_id}\x1f{worse}"]
        ahead = sum(o.index(better) < o.index(worse) for o in orders)
        margin = (2 * ahead - len(orders)) / len(orders)
        decisions.append(Decision(q, better, worse, margin, gap < TIE_EPS, len(orders)))
    return decisions


def _side_text(d: Decision, side: str, payload: dict[str, Any]) -> str:
    q = d.question
    if isinstance(q, PairwiseQuestion):
        return as_text(payload.get(q.left if side == "A" else q.right))
    candidates = payload.get(q.field) or []
    by_id = dict(zip(candidate_ids(candidates), candidates, strict=True))
    return as_text(by_id.get(side))


def _record(
    ctx: ExportContext, d: Decision, item_id: int, external_id: str | None, payload: dict[str, Any]
) -> dict[str, Any]:
    return {
        "prompt": prompt_of(payload, ctx.options, d.question),
        "chosen": _side_text(d, d.chosen, payload),
        "rejected": _side_text(d, d.rejected, payload),
        "margin": round(d.margin, 6),
        "tie": d.tie,
        "votes": d.votes,
        "item_id": item_id,
        "external_id": external_id,
        "question_id": d.question.id,
        "chosen_id": d.chosen,
        "rejected_id": d.rejected,
    }
