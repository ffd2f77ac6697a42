"""The well-being gate that dispatch asks before handing out or reserving work.

Until the well-being policy lands this allows everything; dispatch already calls it at
every claim and in the allocator, so the policy only has to fill these functions in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tandem.models import Expert

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class Refusal:
    """Why no new work is handed out right now: a stable code and a plain message."""

    code: str
    message: str


def refusal(db: Session, expert: Expert, now: datetime) -> Refusal | None:
    """A reason to hand the expert no new work now, or None."""
    return None


def reservable_windows(db: Session, expert: Expert, windows: list[Window]) -> list[Window]:
    """The parts of the expert's windows that work may be reserved in (caps, nights)."""
    return windows
