"""All SQL of quality: counted answers, gold, and the stored aggregates and trust."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.models import Aggregate, Item, Project, QualityState, Submission, Trust

Fingerprint = tuple[int, int | None]  # counted submissions, highest counted submission id


def counted_answers(db: Session, project_id: int) -> list[tuple[int, int, dict[str, Any]]]:
    """(item id, expert id, response) of every counted submission, oldest first."""
    rows = db.execute(
        select(Submission.item_id, Submission.expert_id, Submission.response)
        .where(Submission.project_id == project_id, Submission.counted.is_(True))
        .order_by(Submission.id)
    )
    return [(r[0], r[1], r[2]) for r in rows]


def gold_answers(db: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """Gold answers per item id, for items that have them."""
    rows = db.execute(
        select(Item.id, Item.gold).where(Item.project_id == project_id, Item.gold.is_not(None))
    )
    return {r[0]: r[1] for r in rows if r[1]}


def aggregates(db: Session, project_id: int) -> Sequence[Aggregate]:
    """Stored aggregates of a project."""
    return db.scalars(select(Aggregate).where(Aggregate.project_id == project_id)).all()


def trust_rows(db: Session, project_id: int) -> Sequence[Trust]:
    """Stored trust rows of a project, by expert id."""
    return db.scalars(
        select(Trust).where(Trust.project_id == project_id).order_by(Trust.expert_id)
    ).all()


def upsert_aggregates(db: Session, project_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert or update one aggregate per (item, question); one read, then batched writes."""
    existing = {(a.item_id, a.question_id): a for a in aggregates(db, project_id)}
    for row in rows:
        found = existing.get((row["item_id"], row["question_id"]))
        if found is None:
            db.add(Aggregate(project_id=project_id, **row))
            continue
        for key, value in row.items():
            setattr(found, key, value)
    db.flush()


def upsert_trust(db: Session, project_id: int, rows: list[dict[str, Any]]) -> None:
    """Insert or update one trust row per expert of the project."""
    existing = {t.expert_id: t for t in trust_rows(db, project_id)}
    for row in rows:
        found = existing.get(row["expert_id"])
        if found is None:
            db.add(Trust(project_id=project_id, **row))
            continue
        for key, value in row.items():
            setattr(found, key, value)
    db.flush()


def fingerprint(db: Session, project_id: int) -> Fingerprint:
    """Count and highest id of the project's counted submissions."""
    row = db.execute(
        select(func.count(Submission.id), func.max(Submission.id)).where(
            Submission.project_id == project_id, Submission.counted.is_(True)
        )
    ).one()
    return int(row[0]), row[1]


def stale_project_ids(db: Session) -> list[int]:
    """Projects whose counted submissions changed since their last computation (two reads)."""
    current: dict[int, Fingerprint] = {
        r[0]: (int(r[1]), r[2])
        for r in db.execute(
            select(Submission.project_id, func.count(Submission.id), func.max(Submission.id))
            .where(Submission.counted.is_(True))
            .group_by(Submission.project_id)
        )
    }
    stored: dict[int, Fingerprint] = {
        r[0]: (r[1], r[2])
        for r in db.execute(
            select(
                QualityState.project_id,
                QualityState.counted_submissions,
                QualityState.last_submission_id,
            )
        )
    }
    ids = {p for p, fp in current.items() if stored.get(p) != fp}
    ids |= {p for p, fp in stored.items() if p not in current and fp[0] > 0}
    return sorted(ids)


def state(db: Session, project_id: int) -> QualityState | None:
    """The project's last quality computation, if any."""
    return db.scalars(select(QualityState).where(QualityState.project_id == project_id)).first()


def save_state(db: Session, project_id: int, values: dict[str, Any]) -> None:
    """Insert or update the project's quality state."""
    found = state(db, project_id)
    if found is None:
        db.add(QualityState(project_id=project_id, **values))
    else:
        for key, value in values.items():
            setattr(found, key, value)
    db.flush()


def item_payloads(db: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """Payload per item id (pairwise leaderboards read model names from it)."""
    rows = db.execute(select(Item.id, Item.payload).where(Item.project_id == project_id))
    return {r[0]: r[1] or {} for r in rows}


def skill_gold(
    db: Session, org_id: int, skills: list[str], expert_ids: list[int]
) -> list[tuple[str, int, int, int, int]]:
    """(skill, expert id, projects, gold seen, gold correct) over the org's projects per skill."""
    projects = db.execute(
        select(Project.id, Project.required_skills).where(Project.org_id == org_id)
    ).all()
    needing = {s: {p for p, req in projects if s in (req or {})} for s in skills}
    wanted = set().union(*needing.values()) if needing else set()
    if not wanted or not expert_ids:
        return []
    trust = db.execute(
        select(Trust.project_id, Trust.expert_id, Trust.gold_seen, Trust.gold_correct).where(
            Trust.project_id.in_(wanted), Trust.expert_id.in_(expert_ids), Trust.gold_seen > 0
        )
    ).all()
    out: list[tuple[str, int, int, int, int]] = []
    for skill in skills:
        sums: dict[int, list[int]] = {}
        for project_id, expert_id, seen, correct in trust:
            if project_id in needing[skill]:
                acc = sums.setdefault(expert_id, [0, 0, 0])
                acc[0], acc[1], acc[2] = acc[0] + 1, acc[1] + seen, acc[2] + correct
        out.extend((skill, e, n, seen, correct) for e, (n, seen, correct) in sorted(sums.items()))
    return out
