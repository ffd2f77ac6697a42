"""Status and kind enums, each with its allowed transitions."""

from __future__ import annotations

from enum import StrEnum

from tandem.kit.errors import InvalidTransition


class _Transitions(StrEnum):
    """A StrEnum whose members say which states they may move to."""

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {}

    def can_become(self, target: _Transitions) -> bool:
        return str(target) in self._edges().get(str(self), set())

    def become(self, target: _Transitions) -> _Transitions:
        """Return `target` if the move is allowed, else raise InvalidTransition."""
        if not self.can_become(target):
            raise InvalidTransition(f"cannot move from {self} to {target}")
        return target


class Role(StrEnum):
    ADMIN = "admin"
    REQUESTER = "requester"
    REVIEWER = "reviewer"
    EXPERT = "expert"


class ExpertStatus(_Transitions):
    APPLIED = "applied"
    ADMITTED = "admitted"
    SUSPENDED = "suspended"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {"applied": {"admitted"}, "admitted": {"suspended"}, "suspended": {"admitted"}}


class ProjectStatus(_Transitions):
    DRAFT = "draft"
    LIVE = "live"
    PAUSED = "paused"
    COMPLETED = "completed"
    ARCHIVED = "archived"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {
            "draft": {"live", "archived"},
            "live": {"paused", "completed"},
            "paused": {"live", "completed", "archived"},
            "completed": {"archived"},
            "archived": set(),
        }


class ItemStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"


class AssignmentStatus(_Transitions):
    RESERVED = "reserved"
    ACTIVE = "active"
    SUBMITTED = "submitted"
    RELEASED = "released"
    EXPIRED = "expired"
    SKIPPED = "skipped"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {
            "reserved": {"active", "released", "expired"},
            "active": {"submitted", "expired", "skipped", "released"},
            # A late submission on an expired lease is still kept (and paid).
            "expired": {"submitted"},
        }

    @property
    def is_live(self) -> bool:
        return self in (AssignmentStatus.RESERVED, AssignmentStatus.ACTIVE)


class SubmissionStatus(_Transitions):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    APPEALED = "appealed"
    FINAL_ACCEPTED = "final_accepted"
    FINAL_REJECTED = "final_rejected"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {
            "submitted": {"accepted", "rejected"},
            "accepted": {"rejected"},
            "rejected": {"appealed", "accepted", "final_rejected"},
            "appealed": {"final_accepted", "final_rejected"},
        }


class ReviewVerdict(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    FIX = "fix"


class AppealStatus(_Transitions):
    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {"open": {"upheld", "overturned"}}


class LedgerKind(StrEnum):
    WORK = "work"
    BONUS = "bonus"
    FLOOR_TOPUP = "floor_topup"
    ADJUSTMENT = "adjustment"
    FEE = "fee"
    PAYOUT = "payout"
    REVERSAL = "reversal"


class WorkKind(StrEnum):
    ITEM = "item"
    GUIDELINES = "guidelines"
    QUALIFICATION = "qualification"


class ReviewTaskStatus(_Transitions):
    OPEN = "open"
    DONE = "done"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {"open": {"done"}}


class RemovalStatus(_Transitions):
    """Removal from a project: a warning first, then removal, then a final appeal."""

    WARNED = "warned"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"
    APPEALED = "appealed"
    REINSTATED = "reinstated"
    UPHELD = "upheld"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {
            "warned": {"removed", "withdrawn"},
            "removed": {"appealed"},
            "appealed": {"reinstated", "upheld"},
        }


class AttemptStatus(_Transitions):
    """A qualification attempt: graded at once, or after a reviewer grades free text."""

    PENDING_REVIEW = "pending_review"
    GRADED = "graded"

    @classmethod
    def _edges(cls) -> dict[str, set[str]]:
        return {"pending_review": {"graded"}}
