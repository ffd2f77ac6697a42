"""PostgreSQL `COPY (query) TO STDOUT (FORMAT csv)` streamed into Arrow record batches.

The database hands over CSV text and pyarrow's streaming CSV reader parses it in C with
fixed column types, a bounded block at a time: no Python object is built per row, which
is what makes bulk exports fast (the per-row driver fetch was most of their time).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

# about 10,000 rows of a raw export per block; the reader keeps only a few blocks ahead
BLOCK_SIZE = 1 << 21


class CopyStream:
    """The bytes of a running COPY TO as a readable file, for pyarrow's CSV reader."""

    def __init__(self, copy: Any) -> None:
        self._copy = copy
        self._rest = b""
        self.closed = False

    def empty(self) -> bool:
        """Whether the COPY yields no bytes at all (reads one row ahead to know)."""
        if not self._rest:
            self._rest = bytes(self._copy.read())
        return not self._rest

    def readable(self) -> bool:
        """Always: this is a read-only stream."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left for -1); empty once the COPY is done."""
        parts, have = [self._rest], len(self._rest)
        while size < 0 or have < size:
            # libpq hands over one CopyData message (one row) per read
            row = self._copy.read()
            if not row:
                break
            parts.append(bytes(row))
            have += len(row)
        data = b"".join(parts)
        if size < 0:
            self._rest = b""
            return data
        self._rest = data[size:]
        return data[:size]

    def close(self) -> None:
        """Mark closed; the COPY itself ends with its cursor."""
        self.closed = True


def _options(schema: pa.Schema) -> dict[str, Any]:
    """CSV options matching PostgreSQL's CSV output for these typed columns."""
    return {
        "read_options": pacsv.ReadOptions(column_names=schema.names, block_size=BLOCK_SIZE),
        # free-text columns (an external id) may hold quoted newlines
        "parse_options": pacsv.ParseOptions(newlines_in_values=True),
        "convert_options": pacsv.ConvertOptions(
            column_types=dict(zip(schema.names, schema.types, strict=True)),
            # PostgreSQL writes NULL unquoted and the empty string as ""
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
            timestamp_parsers=[pacsv.ISO8601],
        ),
    }


def copy_batches(connection: Any, query: str, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """Batches of `schema` from `query` (SQL text, no parameters) on a psycopg connection."""
    with connection.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as c:
        stream = CopyStream(c)
        if stream.empty():
            return  # no rows: pyarrow refuses an empty CSV
        reader = pacsv.open_csv(pa.PythonFile(stream, mode="r"), **_options(schema))
        for batch in reader:
            if batch.num_rows:
                yield batch
