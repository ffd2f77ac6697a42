"""Console rules: the live dashboard's numbers and the form preview. Never commits."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import MANAGE_ROLES, Actor
from tandem.console import repository
from tandem.console.schemas import Dashboard, Distribution, HourCount, TimePerItem
from tandem.kit.clock import utcnow
from tandem.models import Project
from tandem.models.enums import ProjectStatus
from tandem.projects import service as projects
from tandem.projects.forms import (
    Form,
    LabelQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    RankingQuestion,
    RatingQuestion,
    parse_form,
)
from tandem.quality import service as quality

THROUGHPUT_HOURS = 48
Categorical = LabelQuestion | MultiLabelQuestion | RatingQuestion | PairwiseQuestion


def throughput(
    times: list[datetime], now: datetime, hours: int = THROUGHPUT_HOURS
) -> list[HourCount]:
    """Submissions per hour for the `hours` whole hours ending with the current one."""
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    counts = [0] * hours
    for when in times:
        slot = int((when - start).total_seconds() // 3600)
        if 0 <= slot < hours:
            counts[slot] += 1
    return [
        HourCount(hour=(start + timedelta(hours=n)).isoformat(), submissions=c)
        for n, c in enumerate(counts)
    ]


def _answer_keys(q: Categorical, value: Any) -> list[str]:
    if isinstance(q, MultiLabelQuestion):
        return [str(v) for v in value] if isinstance(value, list) else []
    if isinstance(q, PairwiseQuestion):
        return [str(value.get("choice"))] if isinstance(value, dict) else []
    return [str(value)]


def _scale(q: Categorical) -> list[str]:
    # every possible answer starts at zero so an unused option still shows as a bar
    if isinstance(q, LabelQuestion | MultiLabelQuestion):
        return list(q.options)
    if isinstance(q, RatingQuestion):
        return [str(p) for p in range(q.min, q.max + 1)]
    return ["A", "B", "tie"] if q.allow_tie else ["A", "B"]


def distributions(form: Form, responses: list[dict[str, Any]]) -> list[Distribution]:
    """Answer counts per categorical question (label, multi-label, rating, pairwise)."""
    result = []
    for q in form.questions:
        if not isinstance(q, Categorical):
            continue
        counts: Counter[str] = Counter({key: 0 for key in _scale(q)})
        for response in responses:
            if response.get(q.id) is not None:
                counts.update(_answer_keys(q, response[q.id]))
        result.append(
            Distribution(question_id=q.id, prompt=q.prompt, type=q.type, counts=dict(counts))
        )
    return result


TIME_BANDS = (0.5, 1.0, 1.5, 2.0)  # multiples of the estimate; the last band is open


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g}"


def time_buckets(seconds: list[int], estimate: int) -> dict[str, int]:
    """How many submissions took each band of time: under half the estimate, … over twice."""
    edges = [estimate * b for b in TIME_BANDS]
    lows = [0.0, *edges[:-1]]
    names = [f"{_minutes(lo)}–{_minutes(hi)} min" for lo, hi in zip(lows, edges, strict=True)]
    names.append(f"over {_minutes(edges[-1])} min")
    counts = dict.fromkeys(names, 0)
    for s in seconds:
        band = next((n for n, edge in enumerate(edges) if s <= edge), len(edges))
        counts[names[band]] += 1
    return counts


def time_per_item(seconds: list[int], estimate: int) -> TimePerItem:
    """Median and mean active seconds of counted submissions, and their spread in bands."""
    return TimePerItem(
        submissions=len(seconds),
        median_seconds=float(statistics.median(seconds)) if seconds else None,
        mean_seconds=round(statistics.fmean(seconds), 1) if seconds else None,
        estimate_seconds=estimate,
        buckets=time_buckets(seconds, estimate),
    )


def recompute_agreement(db: Session, actor: Actor, project_id: int) -> Dashboard:
    """Recompute the project's quality report now (managers only), then the dashboard."""
    quality.recompute(db, actor, project_id)
    return dashboard(db, actor, project_id)


def dashboard(db: Session, actor: Actor, project_id: int) -> Dashboard:
    """Progress, throughput, agreement, distributions and time per item of one project."""
    project = projects.project_for_manager(db, actor, project_id)
    prog = projects.progress(db, actor, project.id)
    now = utcnow()
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=THROUGHPUT_HOURS - 1)
    form = parse_form(project.form)
    stored = quality.report(db, actor, project.id)  # reads the stored report, never computes
    return Dashboard(
        project_id=project.id,
        status=str(project.status),
        items=prog.items,
        complete=prog.complete,
        submissions=prog.submissions,
        percent_complete=round(100 * prog.complete / prog.items, 1) if prog.items else 0.0,
        throughput=throughput(repository.submission_times_since(db, project.id, since), now),
        agreement=stored.questions,
        agreement_computed_at=stored.computed_at.isoformat() if stored.computed_at else None,
        agreement_stale=stored.stale,
        distributions=distributions(form, repository.counted_responses(db, project.id)),
        time_per_item=time_per_item(
            repository.counted_active_seconds(db, project.id), project.time_estimate_seconds
        ),
        generated_at=now.isoformat(),
    )


def sample_payload(form: Form) -> dict[str, Any]:
    """A made-up item that every question of the form can show, for the live preview."""
    payload: dict[str, Any] = {}
    for q in form.questions:
        for name in q.payload_fields():
            if isinstance(q, RankingQuestion):
                payload[name] = ["First candidate answer", "Second candidate answer"]
            else:
                payload[name] = f"Sample text from the item's '{name}' field."
    return payload


def manageable_orgs(actor: Actor) -> list[int]:
    """Organizations where the caller may create projects."""
    return actor.org_ids(MANAGE_ROLES)


def managed_projects(db: Session, actor: Actor) -> list[tuple[Project, Any]]:
    """The caller's projects with their progress, for the console's landing page."""
    return [(p, projects.progress(db, actor, p.id)) for p in projects.list_projects(db, actor)]


MOVES = (
    (ProjectStatus.LIVE, "Go live"),
    (ProjectStatus.PAUSED, "Pause"),
    (ProjectStatus.COMPLETED, "Complete"),
    (ProjectStatus.ARCHIVED, "Archive"),
)


def status_moves(project: Project) -> list[tuple[str, str]]:
    """The lifecycle buttons that apply to the project's current status."""
    current = ProjectStatus(project.status)
    return [(str(target), text) for target, text in MOVES if current.can_become(target)]
