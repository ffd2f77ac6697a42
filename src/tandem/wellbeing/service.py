"""Well-being for people: one's own standing and signals, an org's aggregates, one's caps."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tandem.auth.actor import MANAGE_ROLES, Actor
from tandem.kit.clock import utcnow
from tandem.kit.errors import ValidationFailed, field_error
from tandem.wellbeing import repository
from tandem.wellbeing.hours import worked
from tandem.wellbeing.policy import LOWER_IS_STRICTER, effective_policy
from tandem.wellbeing.schemas import MyWellbeingOut, OrgWellbeingOut
from tandem.wellbeing.signals import expert_signals, org_view

OWN_SETTINGS = (*LOWER_IS_STRICTER, "break_minutes")


def my_wellbeing(db: Session, actor: Actor) -> MyWellbeingOut:
    """The caller's hours against the platform policy tightened by their own caps."""
    expert = actor.require_expert()
    now = utcnow()
    policy = effective_policy({}, expert.caps)
    done = worked(db, expert, policy, now)
    return MyWellbeingOut(
        policy=policy.model_dump(),
        hours_today=round(done.day / 3600, 2),
        hours_this_week=round(done.week / 3600, 2),
        night_hours_this_week=round(done.night_week / 3600, 2),
        weekly_cap_hours=done.weekly_cap_hours,
        signals=expert_signals(db, expert, policy, now),
    )


def set_my_caps(db: Session, actor: Actor, caps: dict[str, Any]) -> MyWellbeingOut:
    """Tighten one's own caps; settings that would loosen the policy are ignored by design."""
    expert = actor.require_expert()
    unknown = [k for k in caps if k not in OWN_SETTINGS]
    if unknown:
        raise ValidationFailed(
            "unknown personal setting",
            errors=[field_error(["caps", k], f"not one of {list(OWN_SETTINGS)}") for k in unknown],
        )
    effective_policy({}, caps)  # validates ranges, naming the field
    expert.caps = {**expert.caps, **caps}
    db.flush()
    return my_wellbeing(db, actor)


def org_wellbeing(db: Session, actor: Actor, org_id: int) -> OrgWellbeingOut:
    """An organization's aggregate view; requires admin or requester there."""
    actor.require_org(org_id, MANAGE_ROLES, "organization")
    policy = effective_policy(repository.org_settings(db, org_id), {})
    return org_view(db, org_id, utcnow(), policy.weekly_cap_hours)
