"""Who may receive work of a project: status, skills and qualifications, languages, trust."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tandem.dispatch import repository
from tandem.kit.errors import PermissionDenied
from tandem.models import Expert, Project
from tandem.models.enums import ExpertStatus, Role
from tandem.projects.pay_terms import QualityPolicy
from tandem.review.qualifications import effective_skills
from tandem.review.removals import is_removed

OWNER_ROLES = frozenset({Role.ADMIN, Role.REQUESTER})
NEW_EXPERT_TRUST = 0.5


def why_not_eligible(
    db: Session,
    expert: Expert,
    project: Project,
    now: datetime,
    owner_roles: set[Role],
    barred: bool | None = None,
) -> str | None:
    """The reason an expert may not work on a project, or None when they may.

    `barred`: whether a removal is in force, when the caller already read it.
    """
    if expert.status != ExpertStatus.ADMITTED:
        return "your expert profile is not admitted yet"
    if owner_roles & OWNER_ROLES:
        return "you manage this project's organization: you may not label its items"
    if is_removed(db, expert.id, project.id) if barred is None else barred:
        return "you were removed from this project; see your verdicts page to appeal"
    # declared levels, raised by passed and unexpired qualification tests
    levels = effective_skills(db, expert, now) if project.required_skills else {}
    missing = [s for s, need in project.required_skills.items() if levels.get(s, 0) < need]
    if missing:
        return f"this project needs skill levels you lack: {', '.join(sorted(missing))}"
    langs = [lang for lang in project.required_languages if lang not in expert.languages]
    if langs:
        return f"this project needs languages: {', '.join(langs)}"
    return _trust_problem(db, expert, project)


def _trust_problem(db: Session, expert: Expert, project: Project) -> str | None:
    policy = QualityPolicy.model_validate(project.quality_policy)
    if policy.min_trust <= 0:
        return None
    known = repository.trust_of(db, project.id, expert.id)
    score = NEW_EXPERT_TRUST if known is None else known
    if score < policy.min_trust:
        return f"this project needs a trust score of {policy.min_trust:.2f}; yours is {score:.2f}"
    return None


def check_eligible(
    db: Session,
    expert: Expert,
    project: Project,
    now: datetime,
    owner_roles: set[Role],
    barred: bool | None = None,
) -> None:
    """Raise PermissionDenied, with the reason, unless the expert may work on the project."""
    reason = why_not_eligible(db, expert, project, now, owner_roles, barred)
    if reason is not None:
        raise PermissionDenied(reason)
