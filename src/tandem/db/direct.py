"""Hot-path statements run on the session's driver cursor, and their rows kept as loaded.

SQLAlchemy builds every statement and compiles it (once per dialect, with its own type
processing). Only the execution skips `Session.execute`: for the claim read that costs
185 µs of CPU against 57 µs on the cursor, and a claim → submit cycle over the API runs
five such statements (docs/dispatch.md, docs/benchmarks.md). What `Session.execute` would
do on the way is done here too: autoflush first, the engine's cursor events, errors
wrapped as SQLAlchemy's (an invalidated connection on a disconnect). Not done: the
engine's `echo` log does not show these statements. Statements must return rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from psycopg import RawCursor
from sqlalchemy import Column, exc, inspect
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.expression import Select

from tandem.db.inserts import attach_row

T = TypeVar("T")
Row = tuple[Any, ...]
Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    """A statement as one dialect runs it: SQL text, how to bind, how to read rows."""

    sql: str
    names: tuple[str, ...]  # every parameter, in the SQL's order when it is positional
    positional: bool
    constants: dict[str, Any]  # parameters the statement carries values for, bound already
    binds: Mapping[str, Processor | None]  # by parameter name
    # from the first execution's cursor description: some processors depend on the
    # column type the driver reports (PostgreSQL's numeric types)
    results: tuple[tuple[int, Processor], ...] | None = None  # (column, processor)
    native: bool = False  # PostgreSQL's own $n placeholders, run on a psycopg RawCursor

    def parameters(self, given: Mapping[str, Any]) -> Any:
        bound = dict(self.constants)
        for name, value in given.items():
            if name in self.binds:
                process = self.binds[name]
                bound[name] = value if process is None else process(value)
        if len(bound) < len(self.binds):
            missing = sorted(set(self.binds) - bound.keys())
            raise exc.ArgumentError(f"the statement needs a value for parameter {missing[0]!r}")
        return tuple(bound[n] for n in self.names) if self.positional else bound

    def row(self, raw: Sequence[Any]) -> Row:
        assert self.results is not None
        if not self.results:
            return tuple(raw)
        values = list(raw)
        for at, process in self.results:
            values[at] = process(values[at])
        return tuple(values)

    def reading(self, statement: Select[Any], dialect: Dialect, description: Any) -> _Compiled:
        """This, with the result processors for the cursor's `description`."""
        columns = zip(statement.selected_columns, description, strict=True)
        processors = (
            c.type.dialect_impl(dialect).result_processor(dialect, d[1]) for c, d in columns
        )
        # only the columns that have one: most values come from the driver as they are
        found = tuple((at, p) for at, p in enumerate(processors) if p is not None)
        return replace(self, results=found)


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    binds = compiled.binds
    sql, inlined = _inline_literals(compiled)
    order = compiled.positiontup or list(binds) if compiled.positional else list(binds)
    names = tuple(n for n in order if n not in inlined)
    processors: dict[str, Processor | None] = {
        name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    }
    constants = {}
    for name, process in processors.items():
        if not binds[name].required:
            value = binds[name].effective_value
            constants[name] = value if process is None else process(value)
    found = _Compiled(sql, names, compiled.positional, constants, processors)
    return _native(found) if _psycopg_pyformat(dialect) else found


def _psycopg_pyformat(dialect: Dialect) -> bool:
    return dialect.driver == "psycopg" and dialect.paramstyle == "pyformat"


_PYFORMAT = re.compile(r"%%|%\((\w+)\)s")


def _native(compiled: _Compiled) -> _Compiled:
    """The statement with PostgreSQL's $1, $2… for psycopg's %(name)s: psycopg rewrites a
    statement's placeholders at every execution unless it is short (4,096 characters, 50
    parameters), and the claim made ahead of its read is longer (docs/dispatch.md)."""
    numbers: dict[str, int] = {}

    def placeholder(found: re.Match[str]) -> str:
        if found.group(0) == "%%":
            return "%"  # no longer an escape: a RawCursor reads no % at all
        return f"${numbers.setdefault(found.group(1), len(numbers) + 1)}"

    sql = _PYFORMAT.sub(placeholder, compiled.sql)
    return replace(compiled, sql=sql, names=tuple(numbers), positional=True, native=True)


def _inline_literals(compiled: Any) -> tuple[str, set[str]]:
    """The SQL with values SQLAlchemy renders at execution written in (a separator of
    aggregate_strings, say), and the names of those parameters."""
    sql, inlined = compiled.string, set()
    for name in set(_RENDERED_AT_EXECUTION.findall(sql)):
        bind = compiled.binds[name]
        if bind.expanding or bind.required:
            raise exc.ArgumentError("an expanding IN cannot run as a direct statement")
        literal = compiled.render_literal_value(bind.effective_value, bind.type)
        if compiled.dialect.paramstyle in ("format", "pyformat"):
            literal = literal.replace("%", "%%")
        sql = sql.replace(f"__[POSTCOMPILE_{name}]", literal)
        inlined.add(name)
    return sql, inlined


_RENDERED_AT_EXECUTION = re.compile(r"__\[POSTCOMPILE_(\w+)\]")


class Direct:
    """A Core SELECT (CTEs that write included) run straight on the driver's cursor."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def all(self, db: Session, params: Mapping[str, Any]) -> list[Row]:
        """Every row, with SQLAlchemy's result processing."""
        if db.autoflush:
            db.flush()  # what Session.execute does first: pending objects must be seen
        conn = db.connection()
        compiled = self._compiled(conn.dialect)
        rows, description = _run(conn, compiled, compiled.parameters(params))
        if description is not None:
            compiled = compiled.reading(self.statement, conn.dialect, description)
            self._by_dialect[conn.dialect.name] = compiled
        return [compiled.row(r) for r in rows]

    def first(self, db: Session, params: Mapping[str, Any]) -> Row | None:
        """The first row, or None."""
        rows = self.all(db, params)
        return rows[0] if rows else None

    def bound(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and its bound parameters as `dialect` runs them (to EXPLAIN it, say)."""
        compiled = _compile(self.statement, dialect)
        return compiled.sql, compiled.parameters(params)

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _compile(self.statement, dialect)
        return found


def _run(conn: Connection, compiled: _Compiled, parameters: Any) -> tuple[list[Any], Any]:
    """The rows, and the cursor's description when `compiled` has no result processors yet
    (reading it builds a column object per column: once per statement is enough)."""
    sql = compiled.sql
    cursor = _raw_cursor(conn) if compiled.native else None
    own = cursor or _dbapi_connection(conn).cursor()
    try:
        # the engine's listeners see the statement as it is sent (on PostgreSQL with $n
        # placeholders and a tuple of values)
        for before in conn.dispatch.before_cursor_execute:
            sql, parameters = before(conn, own, sql, parameters, None, False)
        own.execute(sql, parameters)
        rows = list(own.fetchall())
        for after in conn.dispatch.after_cursor_execute:
            after(conn, own, sql, parameters, None, False)
        return rows, (own.description if compiled.results is None else None)
    except conn.dialect.loaded_dbapi.Error as error:
        raise _wrapped(conn, error, sql, parameters, own) from error
    finally:
        if cursor is None:
            own.close()


def _dbapi_connection(conn: Connection) -> Any:
    dbapi_connection = conn.connection.dbapi_connection
    assert dbapi_connection is not None  # a session's connection in a transaction
    return dbapi_connection


_RAW_CURSOR = "tandem.raw_cursor"


def _raw_cursor(conn: Connection) -> RawCursor[Any]:
    """The psycopg RawCursor kept with the driver's connection: one made per statement (its
    adapters map, its weak reference) was about 1 % of a claim → submit cycle's
    instructions (docs/benchmarks.md). SQLAlchemy clears the `info` kept with a driver
    connection when it closes or invalidates that connection."""
    info = conn.connection.info
    cursor = info.get(_RAW_CURSOR)
    if cursor is None or cursor.closed:
        cursor = info[_RAW_CURSOR] = RawCursor(_dbapi_connection(conn))
    return cursor


def _wrapped(conn: Connection, error: Any, sql: str, params: Any, cursor: Any) -> Exception:
    dialect = conn.dialect
    gone = dialect.is_disconnect(error, conn.connection.dbapi_connection, cursor)
    if gone:
        conn.invalidate(error)
    return exc.DBAPIError.instance(
        sql, params, error, dialect.loaded_dbapi.Error, connection_invalidated=gone, dialect=dialect
    )


class Loaded(Generic[T]):
    """Some columns of a model, selected side by side with others and loaded from a row."""

    def __init__(self, model: type[T], *keys: str) -> None:
        mapped = inspect(model).columns
        self.model = model
        self.keys = ("id", *(k for k in keys if k != "id"))
        self.columns: list[Column[Any]] = [mapped[k] for k in self.keys]

    @classmethod
    def whole(cls, model: type[T]) -> Loaded[T]:
        """Every column of the model."""
        return cls(model, *inspect(model).columns.keys())

    @property
    def width(self) -> int:
        return len(self.keys)

    def load(self, db: Session, row: Row, start: int) -> T | None:
        """The object in `row` from column `start` on (None when an outer join found none)."""
        values = dict(zip(self.keys, row[start : start + len(self.keys)], strict=True))
        if values["id"] is None:
            return None
        return known_or_attached(db, self.model, values)

    def load_joined(self, db: Session, row: Row, start: int) -> T:
        """The object in `row` from column `start` on, which an inner join guarantees."""
        found = self.load(db, row, start)
        if found is None:
            raise LookupError(f"no {self.model.__name__} in the row at column {start}")
        return found


def known_or_attached(db: Session, model: type[T], values: dict[str, Any]) -> T:
    """The session's object with this id, filled where unloaded, or a new one attached."""
    known = db.identity_map.get(identity_key(model, values["id"]))
    if known is None:
        return attach_row(db, model, values)
    # as the ORM loads a row for an object it holds: what it has stays, gaps are filled
    for key in inspect(known).unloaded & values.keys():
        set_committed_value(known, key, values[key])
    return known
