"""Inserts that yield to a unique key instead of failing, and their rows kept as loaded.

`INSERT … ON CONFLICT DO NOTHING RETURNING id` needs no savepoint to survive a clash
(a retry, a race): the clash just returns no id. Both dialects support it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, manager_of_class

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


@dataclass(frozen=True)
class _Mapped:
    mapper: Mapper[Any]
    primary_key: tuple[str, ...]
    columns: frozenset[str]  # every column attribute
    lean: bool  # no relationships: nothing for Session.add to cascade to


@cache
def _mapped(model: Hashable) -> _Mapped:
    mapper: Mapper[Any] = manager_of_class(cast(type[Any], model)).mapper
    keys = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
    columns = frozenset(a.key for a in mapper.column_attrs)
    return _Mapped(mapper, keys, columns, lean=not mapper.relationships)


def attach_row(db: Session, model: type[T], row: dict[str, Any]) -> T:
    """A row known whole or in part (its primary key included) as a persistent object,
    unread; the columns not in `row` load on first use."""
    mapped = _mapped(cast(Hashable, model))
    # filled the way the ORM fills a loaded row, not through the constructor: its
    # attribute events cost as much again as the rest, on every claim and submit
    obj: T = mapped.mapper.class_manager.new_instance()
    state = instance_state(obj)
    state.dict.update(row)
    if not mapped.lean:
        make_transient_to_detached(obj)
        db.add(obj)
        return obj
    # what make_transient_to_detached + Session.add do, less their walks over every
    # attribute and relationship: a dozen objects per API claim → submit cycle made these
    # about a tenth of its instructions (docs/benchmarks.md); tests/db/test_inserts.py pins
    # the behaviour
    state.key = mapped.mapper.identity_key_from_primary_key(
        tuple(row[k] for k in mapped.primary_key)
    )
    missing = mapped.columns.difference(row)
    if missing:
        state._expire_attributes(state.dict, missing)  # loaded when first read
    db._update_impl(state)  # into the identity map; a clash with a held object raises
    return obj
