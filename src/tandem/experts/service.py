"""Expert profile rules. Never commits."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from tandem.auth import repository as auth_repo
from tandem.kit.errors import Conflict, ValidationFailed, field_error
from tandem.models import Expert, User
from tandem.models.enums import ExpertStatus


def check_time_zone(name: str) -> str:
    """An IANA time zone name, or ValidationFailed naming the field."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"unknown time zone {name!r}",
            errors=[field_error(["time_zone"], "use an IANA name such as Europe/Berlin")],
        ) from None
    return name


def create_expert(
    db: Session,
    user: User,
    *,
    time_zone: str = "UTC",
    country: str = "US",
    currency: str = "USD",
    status: ExpertStatus = ExpertStatus.APPLIED,
    **profile: Any,
) -> Expert:
    """An expert profile for a user (one per user)."""
    if auth_repo.expert_of(db, user.id) is not None:
        raise Conflict("this user already has an expert profile")
    expert = Expert(
        user_id=user.id,
        time_zone=check_time_zone(time_zone),
        country=country.upper(),
        currency=currency.upper(),
        status=status,
        **profile,
    )
    db.add(expert)
    db.flush()
    return expert
