"""PostgreSQL query results as Arrow record batches, the fastest way the session allows.

When the session's transaction has written nothing, a second connection imports its
snapshot (`pg_export_snapshot`, as pg_dump's parallel workers do) and ADBC reads the
query there: binary COPY decoded into Arrow in C++, in a thread a couple of batches ahead
of the caller, so reading overlaps whatever the caller does with each batch. The rows are
exactly those the session sees. A transaction that has written sees rows no other
connection can, so it reads through its own connection instead (`tandem.export.pgcopy`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from functools import lru_cache
from typing import Any

import pyarrow as pa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from tandem.export.pgcopy import copy_batches
from tandem.kit.prefetch import prefetched

BATCH_BYTES = "adbc.postgresql.batch_size_hint_bytes"
BATCH_HINT = 4 * 2**20
# only settings of the planner's, whose values are spelled in this module
Settings = dict[str, str]


class ArrowReader:
    """Reads queries for one session as Arrow batches, every one under the same snapshot."""

    dialect: Dialect

    def __init__(self, db: Session) -> None:
        self._connection = db.connection()
        self._snapshot = _shareable_snapshot(self._connection)
        url = self._connection.engine.url
        self._uri = url.set(drivername="postgresql").render_as_string(False)
        self.dialect = self._connection.dialect

    @property
    def shared(self) -> bool:
        """Whether queries run on a second connection (the transaction has written nothing)."""
        return self._snapshot is not None

    def batches(
        self, sql: str, schema: pa.Schema, settings: Settings | None = None
    ) -> Iterator[pa.RecordBatch]:
        """Batches of `schema` from `sql` (SQL text, no parameters), planner `settings` set."""
        settings = settings or {}
        if self._snapshot is None:
            return _own_connection(self._connection, sql, schema, settings)
        uri, snapshot = self._uri, self._snapshot
        # started now, not at the first batch: the streams of one export open in parallel
        stream = prefetched(lambda: _adbc_batches(uri, snapshot, sql, settings))
        return (conformed(batch, schema) for batch in stream)


def _shareable_snapshot(connection: Any) -> str | None:
    """The session's snapshot for another connection, or None if it has written anything."""
    written = connection.exec_driver_sql("SELECT pg_current_xact_id_if_assigned()").scalar()
    if written is not None:
        return None
    return str(connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())


@lru_cache(maxsize=4)
def _database(uri: str) -> Any:
    """One ADBC database per server for the process: it reads the server's types once
    (≈ 40 ms) and its connections are then cheap; ADBC databases may be shared by threads."""
    # ADBC's low-level API, loaded by the first export only: its DB-API module would also
    # load pyarrow.dataset and friends (tens of MiB) that an export never uses
    import adbc_driver_postgresql as postgres

    return postgres.connect(uri)


def _adbc_batches(
    uri: str, snapshot: str, sql: str, settings: Settings
) -> Iterator[pa.RecordBatch]:
    import adbc_driver_manager as adbc

    with (
        closing(adbc.AdbcConnection(_database(uri))) as connection,
        closing(adbc.AdbcStatement(connection)) as statement,
    ):
        commands = [
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            f"SET TRANSACTION SNAPSHOT '{snapshot}'",
            *(f"SET LOCAL {name} = {value}" for name, value in settings.items()),
        ]
        for command in commands:
            statement.set_sql_query(command)
            statement.execute_update()
        # about 20,000 rows of a submission export per batch
        statement.set_options(**{BATCH_BYTES: str(BATCH_HINT)})
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        with pa.RecordBatchReader.from_stream(stream) as reader:
            yield from reader
        statement.set_sql_query("COMMIT")
        statement.execute_update()


def _own_connection(
    connection: Any, sql: str, schema: pa.Schema, settings: Settings
) -> Iterator[pa.RecordBatch]:
    setting = "SELECT set_config(%s, %s, true)"
    driver = connection.connection.driver_connection
    previous = {name: driver.execute(f"SHOW {name}").fetchone()[0] for name in settings}
    for name, value in settings.items():
        driver.execute(setting, (name, value))
    yield from copy_batches(driver, sql, schema)
    # only once the COPY has run to its end: an error or an early stop aborts the
    # transaction, and its rollback undoes the settings anyway
    for name, value in previous.items():
        driver.execute(setting, (name, value))


def conformed(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """`batch` with the columns of `schema`, by name, cast to its types (json is text)."""
    arrays = []
    for target in schema:
        column = batch.column(target.name)
        if isinstance(column, pa.ExtensionArray):
            column = column.storage
        arrays.append(column if column.type == target.type else column.cast(target.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
