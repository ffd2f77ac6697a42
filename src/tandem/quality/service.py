"""Quality of a project: recompute aggregates and trust, and report them.

Trust per expert is a Beta posterior mean: a prior worth `PRIOR_WEIGHT` gold items
centred on the expert's consensus accuracy (Dawid-Skene / one-coin, weighted over the
label-like questions), updated with their gold checks:
score = (gold_correct + 1 + M*q) / (gold_seen + 2 + M), q = 0.5 without consensus.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.security import pseudonym
from tandem.kit.errors import ValidationFailed, field_error
from tandem.projects.forms import Form, parse_form
from tandem.projects.service import project_for_manager
from tandem.quality import repository
from tandem.quality.answers import Answer, QuestionStats, gold_key, question_stats
from tandem.quality.schemas import ExpertTrust, QualityReport, QuestionQuality
from tandem.quality.stats import METHODS

PRIOR_WEIGHT = 4.0


def trust_score(gold_seen: int, gold_correct: int, consensus: float | None) -> float:
    """Posterior mean accuracy: gold checks on top of a consensus-centred Beta prior."""
    q = 0.5 if consensus is None else consensus
    return (gold_correct + 1.0 + PRIOR_WEIGHT * q) / (gold_seen + 2.0 + PRIOR_WEIGHT)


def _answers_by_question(
    form: Form, rows: list[tuple[int, int, dict[str, Any]]]
) -> dict[str, list[Answer]]:
    by_question: dict[str, list[Answer]] = {q.id: [] for q in form.questions}
    for item_id, expert_id, response in rows:
        for q in form.questions:
            if response.get(q.id) is not None:
                by_question[q.id].append((item_id, expert_id, response[q.id]))
    return by_question


def _gold_counts(
    form: Form, by_question: dict[str, list[Answer]], gold: dict[int, dict[str, Any]]
) -> dict[int, list[int]]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for q in form.questions:
        for item_id, expert_id, value in by_question[q.id]:
            expected = gold.get(item_id, {}).get(q.id)
            if expected is None:
                continue
            counts[expert_id][0] += 1
            counts[expert_id][1] += int(gold_key(q, value) == gold_key(q, expected))
    return counts


def _consensus(stats: list[QuestionStats]) -> dict[int, float]:
    hits: dict[int, float] = defaultdict(float)
    given: dict[int, int] = defaultdict(int)
    for s in stats:
        for expert_id, (accuracy, n) in s.consensus.items():
            hits[expert_id] += accuracy * n
            given[expert_id] += n
    return {e: hits[e] / given[e] for e in given if given[e]}


def _trust_rows(
    experts: set[int], gold: dict[int, list[int]], consensus: dict[int, float]
) -> list[dict[str, Any]]:
    rows = []
    for expert_id in sorted(experts):
        seen, correct = gold.get(expert_id, [0, 0])
        q = consensus.get(expert_id)
        rows.append(
            {
                "expert_id": expert_id,
                "score": trust_score(seen, correct, q),
                "gold_seen": seen,
                "gold_correct": correct,
                "agreement": q,
            }
        )
    return rows


def _question_report(q: Any, answers: list[Answer], s: QuestionStats) -> QuestionQuality:
    confidences = [r["confidence"] for r in s.rows]
    return QuestionQuality(
        question_id=q.id,
        type=q.type,
        labels=len(answers),
        items=len(s.rows),
        method=s.method,
        alpha=s.alpha,
        alpha_level=s.alpha_level,
        fleiss_kappa=s.fleiss,
        cohen_kappa=s.cohen,
        mean_confidence=sum(confidences) / len(confidences) if confidences else None,
    )


def _compute(
    db: Session, project_id: int, form: Form, method: str
) -> tuple[list[QuestionQuality], list[dict[str, Any]], list[dict[str, Any]]]:
    by_question = _answers_by_question(form, repository.counted_answers(db, project_id))
    report, rows, stats = [], [], []
    for q in form.questions:
        s = question_stats(q, by_question[q.id], method)
        if s is None:
            continue
        stats.append(s)
        rows.extend(s.rows)
        report.append(_question_report(q, by_question[q.id], s))
    experts = {e for answers in by_question.values() for _, e, _ in answers}
    gold = _gold_counts(form, by_question, repository.gold_answers(db, project_id))
    return report, rows, _trust_rows(experts, gold, _consensus(stats))


def _to_report(
    project_id: int, org_id: int, questions: list[QuestionQuality], trust: list[dict[str, Any]]
) -> QualityReport:
    experts = [
        ExpertTrust(
            expert=pseudonym(t["expert_id"], org_id),
            score=round(t["score"], 6),
            gold_seen=t["gold_seen"],
            gold_correct=t["gold_correct"],
            consensus_accuracy=t["agreement"],
        )
        for t in trust
    ]
    return QualityReport(project_id=project_id, questions=questions, experts=experts)


def recompute(db: Session, actor: Actor, project_id: int, method: str = "auto") -> QualityReport:
    """Recompute and store every aggregate and trust score of the project."""
    if method not in METHODS:
        raise ValidationFailed(
            f"unknown method {method!r}",
            errors=[field_error(["method"], f"use one of {', '.join(METHODS)}")],
        )
    project = project_for_manager(db, actor, project_id)
    questions, rows, trust = _compute(db, project.id, parse_form(project.form), method)
    repository.upsert_aggregates(db, project.id, rows)
    repository.upsert_trust(db, project.id, trust)
    return _to_report(project.id, project.org_id, questions, trust)


def report(db: Session, actor: Actor, project_id: int) -> QualityReport:
    """Agreement computed now; aggregates summary and trust from the stored rows."""
    project = project_for_manager(db, actor, project_id)
    questions, _, _ = _compute(db, project.id, parse_form(project.form), "mv")
    stored: dict[str, list[Any]] = {}
    for agg in repository.aggregates(db, project.id):
        stored.setdefault(agg.question_id, []).append(agg)
    for q in questions:
        mine = stored.get(q.question_id, [])
        q.items, q.method = len(mine), (mine[0].method if mine else None)
        q.mean_confidence = sum(a.confidence for a in mine) / len(mine) if mine else None
    trust = [
        {
            "expert_id": t.expert_id,
            "score": t.score,
            "gold_seen": t.gold_seen,
            "gold_correct": t.gold_correct,
            "agreement": t.agreement,
        }
        for t in repository.trust_rows(db, project.id)
    ]
    return _to_report(project.id, project.org_id, questions, trust)
