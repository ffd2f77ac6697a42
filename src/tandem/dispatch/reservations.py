"""What is reserved for an expert, and a project's dispatch status."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.dispatch import repository
from tandem.dispatch.schemas import DispatchStatusOut, ReservationOut
from tandem.kit.clock import utcnow
from tandem.models import Project
from tandem.projects.pay_terms import PayTerms


def my_reservations(db: Session, actor: Actor) -> list[ReservationOut]:
    """The caller's reservations per project and window, with the estimated pay."""
    expert = actor.require_expert()
    rows = repository.reservations_of(db, expert.id, utcnow())
    projects = {p.id: p for p in repository.projects_by_id(db, {r[0] for r in rows})}
    result = []
    for project_id, window_start, held_until, count in rows:
        project = projects[project_id]
        terms = PayTerms.model_validate(project.pay_terms)
        per_item = terms.estimated_item_pay_minor(project.time_estimate_seconds)
        result.append(
            ReservationOut(
                project_id=project_id,
                project_name=project.name,
                items=count,
                window_start=window_start,
                held_until=held_until,
                estimated_pay_minor=per_item * count,
                currency=terms.currency,
            )
        )
    return result


def dispatch_status(db: Session, project: Project) -> DispatchStatusOut:
    """Counts for operators and requesters; no individual expert is named."""
    now = utcnow()
    by_status = repository.status_counts(db, project.id, now)
    held = repository.live_reservations(db, project.id, now)
    return DispatchStatusOut(
        project_id=project.id,
        reserved=sum(held.values()),
        experts_with_reservations=len(held),
        active_leases=by_status.get("active", 0),
        open_pool_slots=repository.free_pool_slots(db, project.id, project.overlap),
        submitted_last_hour=repository.submissions_since(db, project.id, now - timedelta(hours=1)),
        submitted_last_day=repository.submissions_since(db, project.id, now - timedelta(days=1)),
        assignments_by_status=by_status,
    )
