"""Factories for test data: small functions with sensible defaults, overridable by keyword."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tandem.auth import service as auth
from tandem.auth.actor import Actor
from tandem.experts.service import create_expert
from tandem.models import Item, Organization, Project, User
from tandem.models.enums import ExpertStatus, ProjectStatus, Role
from tandem.orgs.service import get_or_create_org

_seq = itertools.count(1)
PASSWORD = "correct horse battery"

PAIRWISE_RUBRIC_FORM: dict[str, Any] = {
    "questions": [
        {
            "type": "pairwise",
            "id": "preference",
            "prompt": "Which is better?",
            "left": "a",
            "right": "b",
            "justification": "required",
            "justification_min_chars": 10,
        },
        {
            "type": "rubric",
            "id": "quality",
            "prompt": "Rate it",
            "criteria": [
                {"id": "accuracy", "name": "Accuracy", "min": 1, "max": 5},
                {"id": "clarity", "name": "Clarity", "min": 1, "max": 5},
            ],
        },
    ]
}


def org(db: Session, slug: str | None = None) -> Organization:
    return get_or_create_org(db, slug or f"org-{next(_seq)}")


def user(db: Session, email: str | None = None, **kwargs: Any) -> User:
    return auth.create_user(db, email or f"user{next(_seq)}@example.com", PASSWORD, **kwargs)


def requester(db: Session, organization: Organization, role: Role = Role.REQUESTER) -> Actor:
    person = user(db)
    auth.grant_role(db, organization.id, person.id, role)
    return auth.actor_for(db, person)


def expert(db: Session, **profile: Any) -> Actor:
    person = user(db)
    profile.setdefault("status", ExpertStatus.ADMITTED)
    create_expert(db, person, **profile)
    return auth.actor_for(db, person)


def project(db: Session, owner: Actor, organization: Organization, **kwargs: Any) -> Project:
    values: dict[str, Any] = {
        "org_id": organization.id,
        "created_by": owner.user.id,
        "name": "Test project",
        "form": PAIRWISE_RUBRIC_FORM,
        "overlap": 2,
        "time_estimate_seconds": 120,
        "pay_terms": {"model": "per_item", "currency": "USD", "per_item_minor": 100},
        "status": ProjectStatus.LIVE,
    }
    values.update(kwargs)
    row = Project(**values)
    db.add(row)
    db.flush()
    return row


def items(db: Session, proj: Project, count: int) -> list[Item]:
    rows = [
        Item(project_id=proj.id, external_id=f"x{n}", payload={"a": f"A{n}", "b": f"B{n}"})
        for n in range(count)
    ]
    db.add_all(rows)
    db.flush()
    return rows


_MANY_ITEMS = text(
    "INSERT INTO item (project_id, external_id, payload, is_gold, status, "
    "taken, done, created_at) SELECT :p, :prefix || g, "
    "jsonb_build_object('a', 'answer A ' || g, 'b', 'answer B ' || g), "
    "false, 'OPEN', 0, 0, now() FROM generate_series(1, :n) g"
)


def many_items(db: Session, project_id: int, count: int, prefix: str = "x") -> None:
    """`count` open pairwise items, written by the database itself (PostgreSQL only)."""
    db.execute(_MANY_ITEMS, {"p": project_id, "n": count, "prefix": prefix})


def good_response(choice: str = "A") -> dict[str, Any]:
    return {
        "preference": {"choice": choice, "strength": 2, "justification": "clearer and right"},
        "quality": {"accuracy": 4, "clarity": 5},
    }


def token_headers(db: Session, actor: Actor) -> dict[str, str]:
    _, clear = auth.create_token(db, actor.user, "test")
    return {"Authorization": f"Bearer {clear}"}


def reviewer(db: Session, organization: Organization) -> Actor:
    """A user with the reviewer role in the organization."""
    return requester(db, organization, role=Role.REVIEWER)


def submission(
    db: Session, proj: Project, worker: Actor, response: dict[str, Any] | None = None, **kw: Any
) -> Any:
    """Claim the next item of `proj` as `worker` and submit `response` through the work service."""
    from tandem.dispatch.service import next_assignment
    from tandem.work.schemas import SubmitIn
    from tandem.work.service import submit

    assignment = next_assignment(db, worker, proj.id)
    seconds = kw.get("active_seconds", 100)
    body = SubmitIn(response=response or good_response(), active_seconds=seconds)
    return submit(db, worker, assignment.id, body, f"key-{next(_seq)}")


def work_session(
    db: Session, worker: Actor, proj: Project, started_at: Any, seconds: int, **kw: Any
) -> Any:
    """A finished work session of `seconds` active time (kind and night_seconds overridable)."""
    from datetime import timedelta

    from tandem.models import WorkSession

    row = WorkSession(
        project_id=proj.id,
        expert_id=worker.require_expert().id,
        started_at=started_at,
        last_beat_at=started_at + timedelta(seconds=seconds),
        active_seconds=seconds,
        night_seconds=kw.pop("night_seconds", 0),
        **kw,
    )
    db.add(row)
    db.flush()
    return row


def fx_rate(db: Session, base: str, quote: str, rate: str, valid_on: Any) -> Any:
    """A dated FX rate: one `base` costs `rate` `quote`."""
    from decimal import Decimal

    from tandem.models import FxRate

    row = FxRate(base=base, quote=quote, rate=Decimal(rate), valid_on=valid_on)
    db.add(row)
    db.flush()
    return row


def review(
    db: Session, sub: Any, by: Actor, verdict: str, edited_values: dict[str, Any] | None = None
) -> Any:
    """A stored review of `sub` by `by` (no queue), moving the submission's status with it."""
    from tandem.kit.clock import utcnow
    from tandem.models import Review
    from tandem.models.enums import ReviewVerdict, SubmissionStatus

    row = Review(
        project_id=sub.project_id,
        submission_id=sub.id,
        reviewer_id=by.user.id,
        verdict=ReviewVerdict(verdict),
        edited_values=edited_values,
        created_at=utcnow(),
    )
    db.add(row)
    rejected = row.verdict is ReviewVerdict.REJECT
    sub.status = SubmissionStatus.REJECTED if rejected else SubmissionStatus.ACCEPTED
    db.flush()
    return row
