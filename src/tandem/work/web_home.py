"""Rows for the expert's home page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.dispatch.service import eligible_projects
from tandem.models import Expert, Project
from tandem.projects import repository as project_repo
from tandem.projects.pay_terms import PayTerms


@dataclass
class HomeRow:
    project: Project
    pay_minor: int
    hourly_minor: int
    currency: str


def expert_home_rows(db: Session, expert: Expert) -> list[HomeRow]:
    """Live projects the expert is eligible for, with pay per item and per hour."""
    rows = []
    for project in eligible_projects(project_repo.live_projects(db), expert):
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
