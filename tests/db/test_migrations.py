"""The migrated schema equals the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

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
        indexed = {ix["column_names"][0] for ix in inspector.get_indexes(table)}
        assert "project_id" in indexed, table
