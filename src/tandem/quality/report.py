"""The parts of a quality report computed from answers: confusion, accuracy, leaderboards.

Pure functions over (item id, expert id, value) answers, the consensus rows just computed,
gold answers and item payloads; no SQL. `name` turns an expert id into its pseudonym.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from tandem.projects.forms import (
    LabelQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
)
from tandem.quality.answers import Answer, gold_key
from tandem.quality.schemas import (
    ConfusionMatrix,
    Leaderboard,
    LeaderboardEntry,
    SkillTrust,
)
from tandem.quality.stats.preferences import bradley_terry

Consensus = dict[tuple[int, str], Any]  # (item id, question id) -> aggregated answer
Namer = Callable[[int], str]
OUTCOME = {"A": 1.0, "B": 0.0, "tie": 0.5}
BOOTSTRAP_ROUNDS = 100


def _labels(q: Question) -> list[str] | None:
    if isinstance(q, LabelQuestion):
        return list(q.options)
    if isinstance(q, PairwiseQuestion):
        return ["A", "B", "tie"] if q.allow_tie else ["A", "B"]
    return None


def _matrix(
    q: Question, labels: list[str], pairs: list[tuple[Any, Any]], reference: str, who: str | None
) -> ConfusionMatrix:
    index = {label: n for n, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for expected, given in pairs:
        r, c = index.get(gold_key(q, expected)), index.get(gold_key(q, given))
        if r is not None and c is not None:  # answers outside the form's options are ignored
            counts[r][c] += 1
    return ConfusionMatrix(
        question_id=q.id, reference=reference, expert=who, labels=labels, counts=counts
    )


def confusion_matrices(
    questions: list[Question],
    by_question: dict[str, list[Answer]],
    consensus: Consensus,
    gold: dict[int, dict[str, Any]],
    name: Namer,
) -> list[ConfusionMatrix]:
    """Per label/pairwise question: consensus vs all answers, and gold vs each expert's."""
    out = []
    for q in questions:
        labels = _labels(q)
        answers = by_question.get(q.id, [])
        if labels is None or not answers:
            continue
        agreed = [(consensus[(i, q.id)], v) for i, _, v in answers if (i, q.id) in consensus]
        out.append(_matrix(q, labels, agreed, "consensus", None))
        per_expert: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
        for i, e, v in answers:
            if gold.get(i, {}).get(q.id) is not None:
                per_expert[e].append((gold[i][q.id], v))
        out.extend(_matrix(q, labels, per_expert[e], "gold", name(e)) for e in sorted(per_expert))
    return out


def consensus_matches(
    questions: list[Question], by_question: dict[str, list[Answer]], consensus: Consensus
) -> dict[int, tuple[int, int]]:
    """(answers compared, answers equal to the consensus) per expert, categorical questions."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for q in questions:
        if not isinstance(q, LabelQuestion | PairwiseQuestion | MultiLabelQuestion):
            continue
        for i, e, v in by_question.get(q.id, []):
            if (i, q.id) in consensus:
                counts[e][0] += 1
                counts[e][1] += int(gold_key(q, v) == gold_key(q, consensus[(i, q.id)]))
    return {e: (seen, equal) for e, (seen, equal) in counts.items()}


def _player(payload: dict[str, Any], field: str, side: str) -> tuple[str, bool]:
    # model names win when the item carries them (model_a / a_model for side field "a")
    for key in (f"model_{side.lower()}", f"model_{field}", f"{field}_model"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value, True
    return field, False


def leaderboard(
    q: PairwiseQuestion, answers: list[Answer], payloads: dict[int, dict[str, Any]]
) -> Leaderboard | None:
    """Bradley-Terry over every counted comparison of one pairwise question."""
    names: dict[str, int] = {}
    left, right, outcome, by_model = [], [], [], False
    for item_id, _, value in answers:
        payload = payloads.get(item_id, {})
        (a, ma), (b, mb) = _player(payload, q.left, "A"), _player(payload, q.right, "B")
        choice = value.get("choice") if isinstance(value, dict) else value
        if a == b or choice not in OUTCOME:
            continue
        by_model |= ma and mb
        left.append(names.setdefault(a, len(names)))
        right.append(names.setdefault(b, len(names)))
        outcome.append(OUTCOME[choice])
    if len(names) < 2:
        return None
    fit = bradley_terry(
        np.array(left), np.array(right), np.array(outcome), len(names), rounds=BOOTSTRAP_ROUNDS
    )
    entries = [
        LeaderboardEntry(
            player=player,
            elo=round(float(fit.elo[n]), 2),
            lower=None if np.isnan(fit.lower[n]) else round(float(fit.lower[n]), 2),
            upper=None if np.isnan(fit.upper[n]) else round(float(fit.upper[n]), 2),
            comparisons=int(fit.comparisons[n]),
        )
        for player, n in names.items()
    ]
    entries.sort(key=lambda e: -e.elo)
    return Leaderboard(
        question_id=q.id, players_from="models" if by_model else "sides", entries=entries
    )


def skill_posterior(skill: str, expert: str, projects: int, seen: int, correct: int) -> SkillTrust:
    """Beta(1 + correct, 1 + wrong): mean and central 95% credible interval."""
    a, b = 1.0 + correct, 1.0 + (seen - correct)
    from scipy.stats import beta  # heavy import, needed only here

    lower, upper = beta.ppf([0.025, 0.975], a, b)
    return SkillTrust(
        skill=skill,
        expert=expert,
        projects=projects,
        gold_seen=seen,
        gold_correct=correct,
        mean=round(a / (a + b), 6),
        lower=round(float(lower), 6),
        upper=round(float(upper), 6),
    )
