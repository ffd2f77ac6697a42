"""The authenticated caller and the role checks every service uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from tandem.kit.errors import NotFound, PermissionDenied
from tandem.models import Expert, User
from tandem.models.enums import Role

MANAGE_ROLES = frozenset({Role.ADMIN, Role.REQUESTER})


@dataclass
class Actor:
    """Who is calling: the user, their roles per organization, their expert profile."""

    user: User
    roles: dict[int, set[Role]] = field(default_factory=dict)
    expert: Expert | None = None

    def has_role(self, org_id: int, allowed: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles.get(org_id, set()) & set(allowed))

    def require_org(self, org_id: int, allowed: frozenset[Role] | set[Role], what: str) -> None:
        """Raise NotFound (not 403) so objects of other orgs are indistinguishable from absent."""
        if not self.has_role(org_id, allowed):
            raise NotFound(f"{what} not found")

    def require_expert(self) -> Expert:
        if self.expert is None:
            raise PermissionDenied("this action needs an expert profile")
        return self.expert

    def org_ids(self, allowed: frozenset[Role] | set[Role]) -> list[int]:
        return sorted(org for org, roles in self.roles.items() if roles & set(allowed))
