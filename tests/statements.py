"""The SQL a test's session sends from now on, to show what a code path reads and writes."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session


def recorded(db: Session) -> list[str]:
    """A list that fills with every statement the session's connection runs from now on."""
    seen: list[str] = []
    event.listen(db.connection(), "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen
