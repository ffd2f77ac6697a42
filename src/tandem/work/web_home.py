"""Rows for the expert's home page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch.service import eligible_projects
from tandem.models import Project
from tandem.projects import repository as project_repo
from tandem.projects.pay_terms import PayTerms


@dataclass
class HomeRow:
    project: Project
    pay_minor: int
    hourly_minor: int
    currency: str


def expert_home_rows(db: Session, actor: Actor) -> list[HomeRow]:
    """Live projects the expert is eligible for, with pay per item and per hour."""
    rows = []
    for project in eligible_projects(db, actor, project_repo.live_projects(db)):
        terms = PayTerms.model_validate(project.pay_terms)
        estimate = project.time_estimate_seconds
        rows.append(
            HomeRow(
                project,
                terms.estimated_item_pay_minor(estimate),
                terms.effective_hourly_minor(estimate),
                terms.currency,
            )
        )
    return rows
