"""PostgreSQL `COPY (query) TO STDOUT (FORMAT csv)` streamed into Arrow record batches.

The database hands over CSV text and pyarrow parses it in C with fixed column types, one
bounded chunk of rows at a time: no Python object is built per value, which is what makes
bulk exports fast (the per-row driver fetch was most of their time).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

# free-text columns (an external id) may hold quoted newlines
PARSE = pacsv.ParseOptions(newlines_in_values=True)


def _convert_options(schema: pa.Schema) -> pacsv.ConvertOptions:
    """Conversion matching PostgreSQL's CSV output for these typed columns."""
    return pacsv.ConvertOptions(
        column_types=dict(zip(schema.names, schema.types, strict=True)),
        # PostgreSQL writes NULL unquoted and the empty string as ""
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
        timestamp_parsers=[pacsv.ISO8601],
    )


def _chunk(copy: Any, rows: int) -> bytearray:
    """The next `rows` rows of the COPY as one CSV buffer; empty once it is done."""
    data = bytearray()
    # libpq hands over one CopyData message per row, so a chunk always ends on a row;
    # each is copied and let go at once, so only the chunk itself stays in memory
    for _ in range(rows):
        if not (row := copy.read()):
            break
        data += row
    return data


def _parsed(data: bytearray, schema: pa.Schema, convert: pacsv.ConvertOptions) -> pa.RecordBatch:
    """One chunk as one record batch (one block, parsed in this thread: bounded memory)."""
    read = pacsv.ReadOptions(column_names=schema.names, block_size=len(data) + 1, use_threads=False)
    table = pacsv.read_csv(
        pa.BufferReader(data), read_options=read, parse_options=PARSE, convert_options=convert
    )
    return table.combine_chunks().to_batches()[0]


def copy_batches(
    connection: Any, query: str, schema: pa.Schema, rows: int = 10_000
) -> Iterator[pa.RecordBatch]:
    """Batches of `rows` rows of `schema` from `query` (SQL text, no parameters), via psycopg."""
    convert = _convert_options(schema)
    with connection.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as c:
        while data := _chunk(c, rows):
            yield _parsed(data, schema, convert)
