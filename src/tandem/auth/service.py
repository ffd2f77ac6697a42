"""Auth rules: registration, login, API tokens, resolving the caller. Never commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tandem.auth import repository
from tandem.auth.actor import Actor
from tandem.auth.security import hash_password, hash_token, new_api_token, verify_password
from tandem.kit.clock import utcnow
from tandem.kit.errors import Conflict, NotFound, Unauthorized, ValidationFailed, field_error
from tandem.models import ApiToken, Membership, User
from tandem.models.enums import Role

MIN_PASSWORD = 8
LAST_USED_PRECISION = timedelta(minutes=1)


def create_user(db: Session, email: str, password: str, display_name: str = "") -> User:
    """A new user with an argon2 password hash; email must be unused."""
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed("invalid email", errors=[field_error(["email"], "not an email")])
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            "password too short",
            errors=[field_error(["password"], f"must be at least {MIN_PASSWORD} characters")],
        )
    if repository.user_by_email(db, email):
        raise Conflict(f"a user with email {email} already exists")
    user = User(
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password),
    )
    db.add(user)
    db.flush()
    return user


def grant_role(db: Session, org_id: int, user_id: int, role: Role) -> Membership:
    """Give a user a role in an organization (idempotent)."""
    existing = repository.membership(db, org_id, user_id, role)
    if existing:
        return existing
    member = Membership(org_id=org_id, user_id=user_id, role=role)
    db.add(member)
    db.flush()
    return member


def authenticate(db: Session, email: str, password: str) -> User:
    """The user with these credentials, or Unauthorized."""
    user = repository.user_by_email(db, email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise Unauthorized("wrong email or password")
    return user


def actor_for(db: Session, user: User) -> Actor:
    """The caller with their roles and expert profile loaded."""
    found = repository.user_with_expert(db, user.id)
    if found is None:
        raise NotFound("user not found")
    _, expert, roles = found
    return Actor(user=user, roles=roles, expert=expert)


def actor_for_user_id(db: Session, user_id: int) -> Actor | None:
    """The active user with this id as a caller (web sessions), or None."""
    found = repository.user_with_expert(db, user_id)
    if found is None or not found[0].is_active:
        return None
    user, expert, roles = found
    return Actor(user=user, roles=roles, expert=expert)


def actor_from_token(db: Session, token: str) -> Actor:
    """Resolve a bearer token to its (active, unrevoked) user."""
    found = repository.token_with_owner(db, hash_token(token))
    if found is None or found[0].revoked_at is not None or not found[1].is_active:
        raise Unauthorized("invalid or revoked API token")
    state, user, expert, roles = found
    now = utcnow()
    # a write per request would double the cost of every API call; a minute is precise enough
    if state.last_used_at is None or now - state.last_used_at >= LAST_USED_PRECISION:
        repository.touch_token(db, state.id, now)
    return Actor(user=user, roles=roles, expert=expert)


def create_token(db: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token; returns the row and the clear token (shown once)."""
    clear = new_api_token()
    row = ApiToken(user_id=user.id, name=name, prefix=clear[:12], token_hash=hash_token(clear))
    db.add(row)
    db.flush()
    return row, clear


def list_tokens(db: Session, user: User) -> list[ApiToken]:
    return repository.tokens_of(db, user.id)


def revoke_token(db: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the caller's own tokens."""
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("token not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    db.flush()
    return row
