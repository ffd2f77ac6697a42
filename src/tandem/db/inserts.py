"""Inserts that yield to a unique key instead of failing, and their rows kept as loaded.

`INSERT … ON CONFLICT DO NOTHING RETURNING id` needs no savepoint to survive a clash
(a retry, a race): the clash just returns no id. Both dialects support it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class

T = TypeVar("T")
DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def insert_once_statement(dialect: Any, table: Table, columns: list[str], prefix: str = "") -> Any:
    """One dialect's insert of `columns` (parameters named `prefix` + column), id returned."""
    return (
        dialect.insert(table)
        .values({c: bindparam(prefix + c, type_=table.c[c].type) for c in columns})
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )


def insert_once_statements(table: Table, columns: list[str]) -> dict[str, Any]:
    """The insert for every dialect Tandem runs on, by dialect name: built once, at import."""
    return {name: insert_once_statement(d, table, columns) for name, d in DIALECTS.items()}


def attach_loaded(db: Session, model: type[T], new_id: int | None, row: dict[str, Any]) -> T | None:
    """A row a statement returned whole (an insert's or update's RETURNING) as a persistent
    object, without reading it back (None: no row came back)."""
    if new_id is None:
        return None
    return attach_row(db, model, {**row, "id": new_id})


def attach_row(db: Session, model: type[T], row: dict[str, Any]) -> T:
    """A row known whole (its primary key included) as a persistent object, unread."""
    # filled the way the ORM fills a loaded row, not through the constructor: its
    # attribute events cost as much again as the rest, on every claim and submit
    obj: T = manager_of_class(model).new_instance()
    obj.__dict__.update(row)
    make_transient_to_detached(obj)
    db.add(obj)
    return obj
