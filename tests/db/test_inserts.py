"""A row attached as loaded behaves like a row the ORM loaded: held, read lazily, written back."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import ForeignKey, create_engine, inspect, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
)
from sqlalchemy.orm.util import identity_key

from tandem.db.inserts import attach_row
from tandem.models import Item
from tests import factories as f
from tests.statements import recorded


def _stored_item(db: Session) -> dict[str, Any]:
    """An item written by another session's way (Core), so this session holds no object."""
    organization = f.org(db)
    proj = f.project(db, f.requester(db, organization), organization)
    item = f.items(db, proj, 1)[0]
    row = {c.key: getattr(item, c.key) for c in inspect(Item).column_attrs}
    db.expunge(item)
    return row


def test_a_whole_row_is_held_and_read_without_sql(db: Session) -> None:
    row = _stored_item(db)
    seen = recorded(db)
    item = attach_row(db, Item, row)
    assert inspect(item).persistent and item in db
    assert db.identity_map.get(identity_key(Item, row["id"])) is item
    assert db.get(Item, row["id"]) is item
    assert (item.payload, item.taken, item.status) == (row["payload"], row["taken"], row["status"])
    assert seen == []


def test_columns_missing_from_the_row_load_on_first_read(db: Session) -> None:
    row = _stored_item(db)
    item = attach_row(db, Item, {"id": row["id"], "project_id": row["project_id"]})
    seen = recorded(db)
    assert item.payload == row["payload"]  # not in the row: read now
    assert item.external_id == row["external_id"]  # the same read filled the rest
    assert len(seen) == 1 and "payload" in seen[0]


def test_a_change_after_attaching_is_written_back(db: Session) -> None:
    row = _stored_item(db)
    item = attach_row(db, Item, row)
    item.taken = row["taken"] + 2
    db.flush()
    db.expire_all()
    assert db.scalar(select(Item.taken).where(Item.id == row["id"])) == row["taken"] + 2


def test_a_second_object_for_a_held_row_is_refused(db: Session) -> None:
    row = _stored_item(db)
    held = attach_row(db, Item, row)
    with pytest.raises(InvalidRequestError, match="already present"):
        attach_row(db, Item, row)
    assert db.get(Item, row["id"]) is held


class _Base(DeclarativeBase):
    pass


class _Parent(_Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    children: Mapped[list[_Child]] = relationship(back_populates="parent")


class _Child(_Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"))
    parent: Mapped[_Parent] = relationship(back_populates="children")


def test_a_model_with_relationships_is_attached_the_full_way() -> None:
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as db:
        db.add_all([_Parent(id=1), _Child(id=5, parent_id=1)])
        db.commit()
        db.expunge_all()
        parent = attach_row(db, _Parent, {"id": 1})
        assert db.get(_Parent, 1) is parent
        assert [c.id for c in parent.children] == [5]  # the relationship loads as usual
