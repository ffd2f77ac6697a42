"""Writers: record batches out as Parquet or JSONL, tasks as one JSON list; bounded memory.

Each writer holds at most one batch: Parquet through `pyarrow.parquet.ParquetWriter`
(one row group per batch), JSON lines encoded as they go.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=_default)


class BatchWriter:
    """Writes record batches of one schema to a binary sink, as Parquet or JSONL."""

    def __init__(self, sink: IO[bytes], schema: pa.Schema, file: str) -> None:
        self._sink = sink
        self._schema = schema
        self._parquet = (
            pq.ParquetWriter(sink, schema, compression="zstd") if file == "parquet" else None
        )

    def write(self, batch: pa.RecordBatch) -> None:
        """Append one batch."""
        if self._parquet is not None:
            self._parquet.write_batch(batch)
            return
        lines = "".join(_dumps(r) + "\n" for r in batch.to_pylist())
        self._sink.write(lines.encode("utf-8"))

    def close(self) -> None:
        """Finish the file (Parquet writes its footer here; an empty export still has one)."""
        if self._parquet is not None:
            self._parquet.close()


class JsonListWriter:
    """Writes objects as one JSON list, a few at a time."""

    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self._first = True
        sink.write(b"[")

    def write(self, records: list[dict[str, Any]]) -> None:
        """Append these objects to the list."""
        for record in records:
            prefix = "\n" if self._first else ",\n"
            self._sink.write((prefix + _dumps(record)).encode("utf-8"))
            self._first = False

    def close(self) -> None:
        """Close the list."""
        self._sink.write(b"\n]\n")
