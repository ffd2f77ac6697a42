"""The migrated schema equals the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, Index, Table, UniqueConstraint, inspect

import tandem.models  # noqa: F401
from tandem.db.base import Base


def test_migrated_schema_equals_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_tables_that_grow_with_work_are_indexed_by_project(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in ("item", "assignment", "submission", "review", "aggregate", "trust"):
        keys = [*inspector.get_indexes(table), *inspector.get_unique_constraints(table)]
        assert "project_id" in {key["column_names"][0] for key in keys}, table


def _partial(index: Index) -> bool:
    kwargs = index.dialect_kwargs.items()
    return any(key.endswith("_where") and value is not None for key, value in kwargs)


def _keys(table: Table) -> list[tuple[str, list[str]]]:
    """(name, columns) of every full index and unique constraint of the table."""
    keys = [
        (str(ix.name), [c.name for c in ix.columns]) for ix in table.indexes if not _partial(ix)
    ]
    uniques = (c for c in table.constraints if isinstance(c, UniqueConstraint))
    return keys + [(str(u.name), [c.name for c in u.columns]) for u in uniques]


def test_no_index_only_repeats_the_lead_of_another() -> None:
    # every index costs each insert and each non-HOT update of its table; a plain index
    # whose columns lead a wider index of the same table serves no look-up the wider does not
    redundant = []
    for table in Base.metadata.tables.values():
        for short in (ix for ix in table.indexes if not ix.unique and not _partial(ix)):
            lead = [c.name for c in short.columns]
            redundant += [
                f"{short.name} leads {name}"
                for name, columns in _keys(table)
                if len(columns) > len(lead) and columns[: len(lead)] == lead
            ]
    assert redundant == []
