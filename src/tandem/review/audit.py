"""The audit log: every decision with who, when, what and why, readable by the expert."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import Actor
from tandem.kit.clock import utcnow
from tandem.models import AuditEvent
from tandem.review import repository
from tandem.review.schemas import AuditOut

SYSTEM = "system"


def record(
    db: Session,
    *,
    actor: Actor | None,
    role: str,
    action: str,
    subject: tuple[str, int],
    reason: str = "",
    expert_id: int | None = None,
    project_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one decision to the log (actor None: the system decided, e.g. a window closed)."""
    event = AuditEvent(
        actor_user_id=actor.user.id if actor else None,
        actor_role=role if actor else SYSTEM,
        action=action,
        subject_type=subject[0],
        subject_id=subject[1],
        reason=reason,
        expert_id=expert_id,
        project_id=project_id,
        details=details or {},
        created_at=utcnow(),
    )
    db.add(event)
    db.flush()
    return event


def actor_label(event: AuditEvent) -> str:
    """Who decided, as the expert sees it: a role and a stable code, never a name."""
    if event.actor_user_id is None:
        return SYSTEM
    code = hashlib.sha256(f"actor:{event.actor_user_id}".encode()).hexdigest()[:6]
    return f"{event.actor_role} #{code}"


def to_out(event: AuditEvent) -> AuditOut:
    return AuditOut(
        id=event.id,
        at=event.created_at,
        who=actor_label(event),
        action=event.action,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        project_id=event.project_id,
        reason=event.reason,
        details=event.details,
    )


def my_events(db: Session, actor: Actor, limit: int = 200) -> list[AuditOut]:
    """The decisions that concern the calling expert, newest first."""
    expert = actor.require_expert()
    return [to_out(e) for e in repository.events_of_expert(db, expert.id, limit)]
