"""All SQL of the auth domain."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, func, literal, select, type_coerce, update
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from tandem.db.base import BigId, UTCDateTime
from tandem.db.direct import Direct, Loaded
from tandem.models import ApiToken, Expert, Membership, User
from tandem.models.enums import Role


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def _roles_column() -> Any:
    """The user's memberships as one text, "org_id:ROLE,…" (enum names as stored)."""
    membership = cast(Table, Membership.__table__)
    pair = (
        cast_(membership.c.org_id, String) + literal(":") + type_coerce(membership.c.role, String)
    )
    return (
        select(func.aggregate_strings(pair, ","))
        .where(membership.c.user_id == User.id)
        .scalar_subquery()
    )


# built once: every API request resolves its token, its owner and their roles with it
_OWNER, _OWNERS_EXPERT = Loaded.whole(User), Loaded.whole(Expert)
# of the token itself only what checking it needs, as values: no object is built for it
_TOKEN_STATE = (ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at)
_OWNER_AT = len(_TOKEN_STATE)
_EXPERT_AT = _OWNER_AT + _OWNER.width
_TOKEN_WITH_OWNER = Direct(
    select(*_TOKEN_STATE, *_OWNER.columns, *_OWNERS_EXPERT.columns, _roles_column())
    .join_from(ApiToken, User, User.id == ApiToken.user_id)
    .outerjoin(Expert, Expert.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("h"))
)


def _parsed_roles(text: str | None) -> dict[int, set[Role]]:
    roles: dict[int, set[Role]] = defaultdict(set)
    for pair in filter(None, (text or "").split(",")):
        org_id, name = pair.split(":")
        roles[int(org_id)].add(Role[name])
    return dict(roles)


@dataclass(frozen=True)
class TokenState:
    """What checking a token reads of it."""

    id: int
    revoked_at: datetime | None
    last_used_at: datetime | None


TokenOwner = tuple[TokenState, User, Expert | None, dict[int, set[Role]]]


def token_with_owner(db: Session, token_hash: str) -> TokenOwner | None:
    """The token's state, its user, their expert profile and their roles by org, in one read."""
    row = _TOKEN_WITH_OWNER.first(db, {"h": token_hash})
    if row is None:
        return None
    owner = _OWNER.load_joined(db, row, _OWNER_AT)
    expert = _OWNERS_EXPERT.load(db, row, _EXPERT_AT)
    return TokenState(*row[:_OWNER_AT]), owner, expert, _parsed_roles(row[-1])


_TOUCH = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("t", type_=BigId))
    .values(last_used_at=bindparam("now", type_=UTCDateTime()))
)


def touch_token(db: Session, token_id: int, now: datetime) -> None:
    """Write the token's last use; a token object the session holds is kept in step."""
    db.execute(_TOUCH, {"t": token_id, "now": now})
    known = db.identity_map.get(identity_key(ApiToken, token_id))
    if known is not None:
        set_committed_value(known, "last_used_at", now)


UserOwner = tuple[User, Expert | None, dict[int, set[Role]]]
_USER_WITH_EXPERT = (
    select(User, Expert, _roles_column())
    .outerjoin(Expert, Expert.user_id == User.id)
    .where(User.id == bindparam("u", type_=BigId))
)


def user_with_expert(db: Session, user_id: int) -> UserOwner | None:
    """The user, their expert profile and their roles by org, in one read."""
    row = db.execute(_USER_WITH_EXPERT, {"u": user_id}).first()
    return None if row is None else (row[0], row[1], _parsed_roles(row[2]))


def tokens_of(db: Session, user_id: int) -> list[ApiToken]:
    return list(
        db.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    )


def expert_of(db: Session, user_id: int) -> Expert | None:
    return db.scalar(select(Expert).where(Expert.user_id == user_id))


def membership(db: Session, org_id: int, user_id: int, role: Role) -> Membership | None:
    return db.scalar(
        select(Membership).where(
            Membership.org_id == org_id, Membership.user_id == user_id, Membership.role == role
        )
    )
