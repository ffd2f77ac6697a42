"""Streaming readers for item files: each yields (row number, record) without loading the file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO, Any

from tandem.kit.errors import ValidationFailed, field_error

RESERVED_COLUMNS = ("external_id", "gold")


class RowError(Exception):
    """A row that cannot be parsed; carries the field it concerns."""

    def __init__(self, field: str, msg: str) -> None:
        super().__init__(msg)
        self.field = field
        self.msg = msg


def detect_format(filename: str) -> str:
    """'jsonl' or 'csv' from the file name."""
    lower = filename.lower()
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lower.endswith(".csv"):
        return "csv"
    raise ValidationFailed(
        f"cannot tell the format of {filename!r}",
        errors=[field_error(["file"], "name it .jsonl or .csv, or pass the format")],
    )


def read_rows(stream: IO[str], fmt: str) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """Records of a JSONL or CSV stream, numbered from 1 as a person counts rows."""
    if fmt == "jsonl":
        yield from _jsonl_rows(stream)
    elif fmt == "csv":
        yield from _csv_rows(stream)
    else:
        raise ValidationFailed(
            f"unknown format {fmt!r}", errors=[field_error(["format"], "use jsonl or csv")]
        )


def _jsonl_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, RowError("line", f"not valid JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(value, dict):
            yield number, RowError("line", "each line must be a JSON object")
            continue
        yield number, _split_record(value)


def _split_record(value: dict[str, Any]) -> dict[str, Any]:
    """{payload, external_id, gold}: from {"payload": …}, {"data": …} or a flat object."""
    payload_key = next((k for k in ("payload", "data") if isinstance(value.get(k), dict)), None)
    if payload_key:
        payload = value[payload_key]
    else:
        payload = {k: v for k, v in value.items() if k not in RESERVED_COLUMNS}
    return {"payload": payload, "external_id": value.get("external_id"), "gold": value.get("gold")}


def _csv_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        return
    for row in reader:
        number = reader.line_num
        if None in row:
            yield number, RowError("row", "more values than header columns")
            continue
        gold_text = row.pop("gold", None) or None
        external_id = row.pop("external_id", None) or None
        try:
            gold = json.loads(gold_text) if gold_text else None
        except json.JSONDecodeError as exc:
            yield number, RowError("gold", f"not valid JSON: {exc.msg}")
            continue
        yield number, {"payload": dict(row), "external_id": external_id, "gold": gold}
