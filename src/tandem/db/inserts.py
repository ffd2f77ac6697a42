"""Inserts that yield to a unique key instead of failing, and their rows kept as loaded.

`INSERT … ON CONFLICT DO NOTHING RETURNING id` needs no savepoint to survive a clash
(a retry, a race): the clash just returns no id. Both dialects support it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

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


def attach_loaded(
    db: Session, model: Callable[..., T], new_id: int | None, row: dict[str, Any]
) -> T | None:
    """A row a statement returned whole (an insert's or update's RETURNING) as a persistent
    object, without reading it back (None: no row came back)."""
    if new_id is None:
        return None
    # every column is known: attach the row as loaded instead of reading it back
    obj = model(id=new_id, **row)
    make_transient_to_detached(obj)
    db.add(obj)
    return obj
