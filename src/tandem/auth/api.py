"""Auth API: who am I, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from tandem.auth import service
from tandem.auth.deps import CurrentActor
from tandem.auth.schemas import MembershipOut, MeOut, TokenCreate, TokenCreated, TokenOut
from tandem.db.deps import SessionDep
from tandem.kit.ids import RowId

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.get("/me")
def me(actor: CurrentActor) -> MeOut:
    """The caller, their roles per organization and expert profile id."""
    memberships = [
        MembershipOut(org_id=org, roles=sorted(str(r) for r in roles))
        for org, roles in sorted(actor.roles.items())
    ]
    return MeOut(
        id=actor.user.id,
        email=actor.user.email,
        display_name=actor.user.display_name,
        memberships=memberships,
        expert_id=actor.expert.id if actor.expert else None,
    )


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def create_token(body: TokenCreate, actor: CurrentActor, db: SessionDep) -> TokenCreated:
    """Create an API token. The token is in this response only."""
    row, clear = service.create_token(db, actor.user, body.name)
    return TokenCreated(**TokenOut.model_validate(row).model_dump(), token=clear)


@router.get("/tokens")
def list_tokens(actor: CurrentActor, db: SessionDep) -> list[TokenOut]:
    """The caller's tokens (never the token values)."""
    return [TokenOut.model_validate(t) for t in service.list_tokens(db, actor.user)]


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: RowId, actor: CurrentActor, db: SessionDep) -> TokenOut:
    """Revoke one of the caller's tokens."""
    return TokenOut.model_validate(service.revoke_token(db, actor.user, token_id))
