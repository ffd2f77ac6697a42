"""Crowd-label CSV files (`item,worker,label`): read, encode, write aggregates."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from tandem.kit.errors import ValidationFailed, field_error
from tandem.quality.stats import Aggregation, Labels, encode

COLUMNS = ("item", "worker", "label")
MAX_ERRORS = 50


@dataclass(frozen=True)
class LabelFile:
    """The coded labels of a CSV file and the names behind each code."""

    labels: Labels
    items: list[Any]
    workers: list[Any]
    names: list[Any]


def _header(reader: Any) -> dict[str, int]:
    header = next(reader, None)
    if header is None:
        raise ValidationFailed("The file is empty", errors=[field_error(["row 1"], "no header")])
    where = {name.strip().lower(): n for n, name in enumerate(header)}
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        raise ValidationFailed(
            "The header lacks columns",
            errors=[field_error(["row 1", c], "column is missing") for c in missing],
        )
    return {c: where[c] for c in COLUMNS}


def read_labels(stream: IO[str], on_row: Callable[[int], None] | None = None) -> LabelFile:
    """Read and encode the file; ValidationFailed names each bad row and column."""
    reader = csv.reader(stream)
    where = _header(reader)
    columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
    errors: list[dict[str, Any]] = []
    for row_no, row in enumerate(reader, start=2):
        for column, index in where.items():
            value = row[index].strip() if index < len(row) else ""
            if not value and len(errors) < MAX_ERRORS:
                errors.append(field_error([f"row {row_no}", column], "is empty"))
            columns[column].append(value)
        if on_row and row_no % 100_000 == 0:
            on_row(row_no)
    if errors:
        raise ValidationFailed(f"{len(errors)} bad rows in the label file", errors=errors)
    if not columns["item"]:
        raise ValidationFailed("The file has no labels", errors=[field_error(["row 2"], "no rows")])
    labels, items, workers, names = encode(columns["item"], columns["worker"], columns["label"])
    return LabelFile(labels, items, workers, names)


def numeric_values(names: list[Any]) -> np.ndarray | None:
    """The label names as numbers, when every one of them is a number."""
    try:
        return np.array([float(n) for n in names])
    except ValueError:
        return None


def write_aggregates(out: IO[str], file: LabelFile, result: Aggregation) -> None:
    """Write `item,label,confidence`, one row per item in first-seen order."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item", "label", "confidence"])
    for item, code, confidence in zip(
        file.items, result.label.tolist(), result.confidence.tolist(), strict=True
    ):
        writer.writerow([item, file.names[code], f"{confidence:.6f}"])
