"""Quality of a project: recompute aggregates and trust, and report them.

Trust per expert is a Beta posterior mean: a prior worth `PRIOR_WEIGHT` gold items
centred on the expert's consensus accuracy (Dawid-Skene / one-coin, weighted over the
label-like questions), updated with their gold checks:
score = (gold_correct + 1 + M*q) / (gold_seen + 2 + M), q = 0.5 without consensus.

Everything is computed when a project's counted submissions changed (`recompute_stale_projects`,
run hourly and by `tandem quality run`) or on demand, and stored: GET only reads.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.auth.security import pseudonym
from tandem.kit.clock import utcnow
from tandem.kit.errors import ValidationFailed, field_error
from tandem.models import Project
from tandem.projects.forms import Form, PairwiseQuestion, parse_form
from tandem.projects.service import project_for_manager
from tandem.quality import report as parts
from tandem.quality import repository
from tandem.quality.answers import Answer, QuestionStats, gold_key, question_stats
from tandem.quality.schemas import ExpertTrust, Leaderboard, QualityReport, QuestionQuality
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


def _experts(
    trust: list[dict[str, Any]], matches: dict[int, tuple[int, int]], name: parts.Namer
) -> list[ExpertTrust]:
    out = []
    for t in trust:
        seen, equal = matches.get(t["expert_id"], (0, 0))
        out.append(
            ExpertTrust(
                expert=name(t["expert_id"]),
                score=round(t["score"], 6),
                gold_seen=t["gold_seen"],
                gold_correct=t["gold_correct"],
                gold_accuracy=t["gold_correct"] / t["gold_seen"] if t["gold_seen"] else None,
                consensus_seen=seen,
                consensus_accuracy=equal / seen if seen else None,
                reliability=t["agreement"],
            )
        )
    return out


def _leaderboards(
    db: Session, project_id: int, form: Form, by_question: dict[str, list[Answer]]
) -> list[Leaderboard]:
    pairwise = [q for q in form.questions if isinstance(q, PairwiseQuestion)]
    if not any(by_question[q.id] for q in pairwise):
        return []
    payloads = repository.item_payloads(db, project_id)
    boards = (parts.leaderboard(q, by_question[q.id], payloads) for q in pairwise)
    return [b for b in boards if b is not None]


def _compute(
    db: Session, project: Project, method: str
) -> tuple[QualityReport, list[dict[str, Any]], list[dict[str, Any]]]:
    form = parse_form(project.form)
    by_question = _answers_by_question(form, repository.counted_answers(db, project.id))
    questions, rows, stats = [], [], []
    for q in form.questions:
        s = question_stats(q, by_question[q.id], method)
        if s is None:
            continue
        stats.append(s)
        rows.extend(s.rows)
        questions.append(_question_report(q, by_question[q.id], s))
    experts = {e for answers in by_question.values() for _, e, _ in answers}
    gold = repository.gold_answers(db, project.id)
    trust = _trust_rows(experts, _gold_counts(form, by_question, gold), _consensus(stats))
    consensus = {(r["item_id"], r["question_id"]): r["answer"] for r in rows}
    matches = parts.consensus_matches(form.questions, by_question, consensus)
    name: parts.Namer = lambda expert_id: pseudonym(expert_id, project.org_id)  # noqa: E731
    report = QualityReport(
        project_id=project.id,
        method=method,
        questions=questions,
        experts=_experts(trust, matches, name),
        confusion=parts.confusion_matrices(form.questions, by_question, consensus, gold, name),
        leaderboards=_leaderboards(db, project.id, form, by_question),
    )
    return report, rows, trust


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValidationFailed(
            f"unknown method {method!r}",
            errors=[field_error(["method"], f"use one of {', '.join(METHODS)}")],
        )


def recompute_project(db: Session, project: Project, now: datetime, method: str = "auto") -> None:
    """Recompute and store a project's aggregates, trust rows and report; no permission check."""
    _check_method(method)
    counted, last_id = repository.fingerprint(db, project.id)
    report, rows, trust = _compute(db, project, method)
    report.computed_at = now
    repository.upsert_aggregates(db, project.id, rows)
    repository.upsert_trust(db, project.id, trust)
    repository.save_state(
        db,
        project.id,
        {
            "counted_submissions": counted,
            "last_submission_id": last_id,
            "method": method,
            "report": report.model_dump(mode="json"),
            "computed_at": now,
        },
    )


def stale_project_ids(db: Session) -> list[int]:
    """Projects whose counted submissions changed since their last quality computation."""
    return repository.stale_project_ids(db)


def recompute_stale_projects(db: Session, now: datetime, method: str = "auto") -> list[int]:
    """Recompute every stale project (the hourly job); returns the ids recomputed."""
    ids = stale_project_ids(db)
    for project_id in ids:
        project = db.get(Project, project_id)
        if project is not None:  # ids come from rows referencing the project; kept safe
            recompute_project(db, project, now, method)
    return ids


def recompute(db: Session, actor: Actor, project_id: int, method: str = "auto") -> QualityReport:
    """Recompute and store every aggregate and trust score of the project now."""
    _check_method(method)
    project = project_for_manager(db, actor, project_id)
    recompute_project(db, project, utcnow(), method)
    return _stored_report(db, project)


def _skills(db: Session, project: Project, report: QualityReport) -> None:
    ids = [t.expert_id for t in repository.trust_rows(db, project.id)]
    rows = repository.skill_gold(db, project.org_id, sorted(project.required_skills or {}), ids)
    report.skills = [
        parts.skill_posterior(skill, pseudonym(e, project.org_id), n, seen, correct)
        for skill, e, n, seen, correct in rows
    ]


def _stored_report(db: Session, project: Project) -> QualityReport:
    state = repository.state(db, project.id)
    if state is None:
        report = QualityReport(project_id=project.id)
        report.stale = repository.fingerprint(db, project.id)[0] > 0
    else:
        report = QualityReport.model_validate(state.report)
        current = repository.fingerprint(db, project.id)
        report.stale = current != (state.counted_submissions, state.last_submission_id)
    _skills(db, project, report)
    return report


def report(db: Session, actor: Actor, project_id: int) -> QualityReport:
    """The stored report (never recomputed here), whether it is stale, and trust per skill."""
    return _stored_report(db, project_for_manager(db, actor, project_id))
