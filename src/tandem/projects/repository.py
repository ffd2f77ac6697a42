"""All SQL of the projects domain."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.models import Item, Project, Submission
from tandem.models.enums import ItemStatus, ProjectStatus

# What judging a submission reads of its project. A claim and a submit each load the
# project, on every cycle: its name, description, owner and timestamps stay unread (loaded
# on first use, should anything ask) instead of being built into the entity every time.
SUBMITTING_KEYS: tuple[str, ...] = ("id", "org_id", "status", "form", "overlap")
SUBMITTING_KEYS += ("time_estimate_seconds", "quality_policy")
# ... and what handing out work and showing it to the expert read
CLAIMING_KEYS: tuple[str, ...] = (*SUBMITTING_KEYS, "guidelines", "pay_terms", "required_skills")
CLAIMING_KEYS += ("required_languages",)


def projects_of_orgs(db: Session, org_ids: list[int]) -> list[Project]:
    if not org_ids:
        return []
    return list(db.scalars(select(Project).where(Project.org_id.in_(org_ids)).order_by(Project.id)))


def live_projects(db: Session) -> list[Project]:
    return list(
        db.scalars(select(Project).where(Project.status == ProjectStatus.LIVE).order_by(Project.id))
    )


def progress(db: Session, project_id: int) -> tuple[int, int, int]:
    """(items, complete items, submissions) of a project."""
    items, complete = db.execute(
        select(
            func.count(Item.id),
            func.count(Item.id).filter(Item.status == ItemStatus.COMPLETE),
        ).where(Item.project_id == project_id)
    ).one()
    submissions = db.scalar(
        select(func.count(Submission.id)).where(Submission.project_id == project_id)
    )
    return int(items), int(complete), int(submissions or 0)
