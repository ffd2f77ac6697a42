"""All SQL of the auth domain."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, func, literal, select, type_coerce
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from tandem.db.base import BigId
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
_TOKEN, _OWNER, _OWNERS_EXPERT = Loaded.whole(ApiToken), Loaded.whole(User), Loaded.whole(Expert)
_OWNER_AT = _TOKEN.width
_EXPERT_AT = _OWNER_AT + _OWNER.width
_TOKEN_WITH_OWNER = Direct(
    select(*_TOKEN.columns, *_OWNER.columns, *_OWNERS_EXPERT.columns, _roles_column())
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


TokenOwner = tuple[ApiToken, User, Expert | None, dict[int, set[Role]]]


def token_with_owner(db: Session, token_hash: str) -> TokenOwner | None:
    """The token, its user, their expert profile and their roles by org, in one read."""
    row = _TOKEN_WITH_OWNER.first(db, {"h": token_hash})
    if row is None:
        return None
    token, owner = _TOKEN.load_joined(db, row, 0), _OWNER.load_joined(db, row, _OWNER_AT)
    return token, owner, _OWNERS_EXPERT.load(db, row, _EXPERT_AT), _parsed_roles(row[-1])


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
