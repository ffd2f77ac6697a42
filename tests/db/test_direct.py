"""Statements run on the driver's cursor read what Session.execute reads, and fail alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, exc, literal_column, select, table
from sqlalchemy.orm import Session

from tandem.db.base import BigId
from tandem.db.direct import Direct, Loaded
from tandem.models import Item, Project, Trust
from tandem.models.enums import ItemStatus, ProjectStatus
from tests import factories as f
from tests.statements import recorded

_PROJECT = Loaded(Project, "status", "form", "overlap")
_TRUST = Loaded.whole(Trust)
_PROJECT_AND_TRUST = (
    select(*_PROJECT.columns, *_TRUST.columns)
    .outerjoin(Trust, Trust.project_id == Project.id)
    .where(Project.id == bindparam("p", type_=BigId))
)


def _project(db: Session) -> Project:
    organization = f.org(db)
    return f.project(db, f.requester(db, organization), organization, overlap=2)


def test_rows_are_the_ones_session_execute_reads(db: Session) -> None:
    proj = _project(db)
    expert = f.expert(db).require_expert()
    db.add(Trust(project_id=proj.id, expert_id=expert.id, score=0.75, agreement=None))
    db.flush()
    statement = select(Project.id, Project.status, Project.form, Project.created_at, Trust.score)
    statement = statement.join(Trust, Trust.project_id == Project.id).where(
        Project.id == bindparam("p", type_=BigId)
    )
    reader = Direct(statement)
    direct = reader.all(db, {"p": proj.id})
    assert direct == [tuple(r) for r in db.execute(statement, {"p": proj.id}).all()]
    (_, status, form, created_at, score) = direct[0]
    assert status is ProjectStatus.LIVE and form == proj.form and score == 0.75
    assert created_at.tzinfo is UTC  # the column type's result processing ran
    # a second run uses the processors found on the first
    assert reader.all(db, {"p": proj.id}) == direct


def test_bound_values_are_processed_by_their_column_types(db: Session) -> None:
    proj = _project(db)
    item = f.items(db, proj, 1)[0]
    statement = select(Item.id).where(
        Item.project_id == bindparam("p", type_=BigId),
        Item.status == ItemStatus.OPEN,  # a value the statement carries, an enum
        Item.created_at < bindparam("before", type_=Item.__table__.c.created_at.type),
    )
    later = datetime(2100, 1, 1, tzinfo=UTC)  # tz-aware in, stored naive UTC
    assert Direct(statement).all(db, {"p": proj.id, "before": later}) == [(item.id,)]


def test_pending_objects_are_flushed_first(db: Session) -> None:
    proj = _project(db)
    db.add(Item(project_id=proj.id, external_id="new", payload={}, status=ItemStatus.OPEN))
    statement = select(Item.external_id).where(Item.project_id == bindparam("p", type_=BigId))
    assert Direct(statement).all(db, {"p": proj.id}) == [("new",)]


def test_a_missing_parameter_is_named(db: Session) -> None:
    statement = select(Project.id).where(Project.id == bindparam("wanted", type_=BigId))
    with pytest.raises(exc.ArgumentError, match="'wanted'"):
        Direct(statement).all(db, {})


def test_driver_errors_come_as_sqlalchemys_with_the_statement(db: Session) -> None:
    statement = select(literal_column("x")).select_from(table("no_such_table"))
    # in a savepoint, rolled back on the way out: PostgreSQL aborts the transaction
    with pytest.raises(exc.DBAPIError, match="no_such_table"), db.begin_nested():
        Direct(statement).all(db, {})


def test_statements_after_a_failed_one_read_right_on_the_connections_one_cursor(
    db: Session,
) -> None:
    proj = _project(db)
    by_id = Direct(select(Project.id, Project.overlap).where(Project.id == bindparam("p")))
    broken = Direct(select(literal_column("x")).select_from(table("no_such_table")))
    assert by_id.all(db, {"p": proj.id}) == [(proj.id, 2)]
    with pytest.raises(exc.DBAPIError), db.begin_nested():
        broken.all(db, {})
    assert by_id.all(db, {"p": proj.id}) == [(proj.id, 2)]
    assert by_id.all(db, {"p": -1}) == []
    kept = db.connection().connection.info.get("tandem.raw_cursor")
    # PostgreSQL (psycopg): one cursor kept with the connection, not one per statement
    assert (kept is not None) == (db.get_bind().dialect.name == "postgresql")


def test_an_expanding_in_is_refused(db: Session) -> None:
    statement = select(Project.id).where(Project.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(exc.ArgumentError, match="expanding IN"):
        Direct(statement).all(db, {"ids": [1]})


def test_the_engines_cursor_listeners_see_the_statement(db: Session) -> None:
    proj = _project(db)
    seen = recorded(db)
    Direct(select(Project.id).where(Project.id == bindparam("p", type_=BigId))).all(
        db, {"p": proj.id}
    )
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT")


def _loaded(db: Session, project_id: int) -> tuple[Any, Any]:
    row = Direct(_PROJECT_AND_TRUST).first(db, {"p": project_id})
    assert row is not None
    return _PROJECT.load(db, row, 0), _TRUST.load(db, row, _PROJECT.width)


def test_loaded_objects_are_persistent_and_load_the_rest_on_use(db: Session) -> None:
    proj = _project(db)
    project_id, name = proj.id, proj.name
    db.expunge(proj)
    project, trust = _loaded(db, project_id)
    assert trust is None  # the outer join found no trust row
    assert project is not proj and project.overlap == 2 and project in db
    assert project.name == name  # not selected: read when first used


def test_an_object_the_session_holds_is_returned_and_only_its_gaps_filled(db: Session) -> None:
    proj = _project(db)
    form = dict(proj.form)
    db.expire(proj, ["form"])
    proj.overlap = 5  # a change not yet flushed: the read flushes it, and it stays
    seen = recorded(db)
    project, _ = _loaded(db, proj.id)
    assert project is proj and proj.overlap == 5
    assert "form" in proj.__dict__ and proj.form == form  # filled from the row ...
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 1  # ... unread


def test_a_long_statement_with_percent_signs_and_repeated_parameters_reads_right(
    db: Session,
) -> None:
    """psycopg rewrites the placeholders of statements over 4,096 characters at every run;
    on PostgreSQL the statement carries $n placeholders of its own instead."""
    proj = _project(db)
    wide = [literal_column(f"{n}").label(f"c{n}") for n in range(700)]  # > 4,096 characters
    statement = select(
        Project.id,
        (Project.name.like(literal_column("'%proj%'"))).label("percent"),  # % in the SQL
        (bindparam("p", type_=BigId) + bindparam("p", type_=BigId)).label("twice"),
        *wide,
    ).where(Project.id == bindparam("p", type_=BigId))
    reader = Direct(statement)
    row = reader.first(db, {"p": proj.id})
    assert row is not None and row[:3] == (proj.id, True, 2 * proj.id)
    assert row[3:] == tuple(range(700))
    sql, _ = reader.bound(db.get_bind().dialect, {"p": proj.id})
    assert len(sql) > 4096 and "'%proj%'" in sql
    if db.get_bind().dialect.name == "postgresql":
        assert "$1" in sql and "%(" not in sql  # PostgreSQL's own placeholders
