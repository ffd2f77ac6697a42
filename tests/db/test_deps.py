"""committed_session: one unit of work, committed on success, rolled back on error."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.db.deps import committed_session
from tandem.models import Organization


def _factory(db: Session) -> sessionmaker[Session]:
    # sessions on the test's connection: their commits are savepoints the test rolls back
    return sessionmaker(bind=db.connection(), join_transaction_mode="create_savepoint")


def _slugs(db: Session) -> list[str]:
    return list(db.scalars(select(Organization.slug).where(Organization.slug.like("unit-%"))))


def test_a_finished_unit_is_committed(db: Session) -> None:
    with committed_session(_factory(db)) as unit:
        unit.add(Organization(slug="unit-ok", name="ok"))
    assert _slugs(db) == ["unit-ok"]


def test_a_failed_unit_leaves_nothing(db: Session) -> None:
    with pytest.raises(RuntimeError), committed_session(_factory(db)) as unit:
        unit.add(Organization(slug="unit-bad", name="bad"))
        unit.flush()
        raise RuntimeError("the work failed after writing")
    assert _slugs(db) == []
