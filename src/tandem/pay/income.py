"""Income from other platforms and clients: a form or a CSV import, validated, all or nothing."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tandem.kit.clock import utcnow
from tandem.kit.errors import ValidationFailed, field_error
from tandem.kit.money import exponent
from tandem.models import Expert, ExternalIncome
from tandem.pay.schemas import ExternalIncomeIn

CSV_COLUMNS = ("source", "received_on", "amount", "currency")
MAX_ERRORS = 50
MAX_ROWS = 10_000


def amount_minor(text: str, currency: str) -> int:
    """A positive decimal in minor units; ValueError says what is wrong."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError("must be a number such as 1234.50") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("must be a positive amount")
    minor = value.scaleb(exponent(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} has {exponent(currency)} decimal places")
    return int(minor)


def _row(expert: Expert, data: ExternalIncomeIn, loc: list[str | int]) -> ExternalIncome:
    """Validate one record beyond its types; errors name `loc` and the field."""
    errors = []
    if data.received_on > utcnow().date():
        errors.append(field_error([*loc, "received_on"], "is in the future"))
    if data.received_on < date(2000, 1, 1):
        errors.append(field_error([*loc, "received_on"], "is before 2000"))
    minor = 0
    try:
        minor = amount_minor(data.amount, data.currency)
    except ValueError as exc:
        errors.append(field_error([*loc, "amount"], str(exc)))
    if errors:
        raise ValidationFailed("invalid income", errors=errors)
    return ExternalIncome(
        expert_id=expert.id,
        source=data.source.strip(),
        received_on=data.received_on,
        amount_minor=minor,
        currency=data.currency,
        note=data.note,
    )


def record(db: Session, expert: Expert, data: ExternalIncomeIn) -> ExternalIncome:
    """Record one income from the form."""
    row = _row(expert, data, [])
    db.add(row)
    db.flush()
    return row


def import_csv(db: Session, expert: Expert, stream: IO[str]) -> int:
    """Import every row or none; errors name the row (header = row 1) and the field."""
    reader = csv.DictReader(stream)
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            "the CSV header lacks columns",
            errors=[field_error(["row 1", c], "column missing") for c in missing],
        )
    rows: list[ExternalIncome] = []
    errors: list[dict[str, Any]] = []
    for number, record_ in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            errors.append(field_error([f"row {number}"], f"at most {MAX_ROWS} rows per file"))
            break
        try:
            rows.append(_csv_row(expert, record_, number))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ValidationFailed(f"{len(errors)} problems; nothing was imported", errors=errors)
    db.add_all(rows)
    db.flush()
    return len(rows)


def parse_income(values: Mapping[str, Any], loc: list[str | int]) -> ExternalIncomeIn:
    """A form or CSV record as ExternalIncomeIn; errors name `loc` and the field."""
    clean = {k: str(values.get(k) or "").strip() for k in (*CSV_COLUMNS, "note")}
    clean["currency"] = clean["currency"].upper()
    try:
        return ExternalIncomeIn.model_validate(clean)
    except ValidationError as exc:
        errors = [field_error([*loc, *map(str, e["loc"])], e["msg"]) for e in exc.errors()]
        raise ValidationFailed("invalid income", errors=errors) from None


def _csv_row(expert: Expert, record_: dict[str | Any, Any], number: int) -> ExternalIncome:
    loc: list[str | int] = [f"row {number}"]
    return _row(expert, parse_income(record_, loc), loc)
