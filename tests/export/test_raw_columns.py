"""`raw` read column-wise: PostgreSQL's COPY path writes what the row path writes, exactly."""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tandem.auth.security import pseudonym
from tandem.export import raw_repository, service
from tandem.export.pgcopy import copy_batches
from tandem.export.schemas import ExportOptions
from tandem.models import Item, Organization, Review, Submission
from tests import factories as f
from tests.conftest import TEST_DB
from tests.export.conftest import ODD, Answered

postgresql_only = pytest.mark.skipif(TEST_DB != "postgresql", reason="COPY is PostgreSQL's")


def parquet(db: Session, a: Answered, **kw: Any) -> bytes:
    """The raw export of the project as Parquet bytes."""
    sink = io.BytesIO()
    service.export_dataset(db, a.owner, a.project.id, ExportOptions("raw", "parquet", **kw), sink)
    return sink.getvalue()


def expected(db: Session, a: Answered) -> list[dict[str, Any]]:
    """Every submission as `raw` spells it, straight from the ORM (JSON compared parsed)."""
    rows = []
    for sub in db.query(Submission).filter_by(project_id=a.project.id).order_by(Submission.id):
        review = db.query(Review).filter_by(submission_id=sub.id).order_by(Review.id.desc()).first()
        rows.append(
            {
                "submission_id": sub.id,
                "item_id": sub.item_id,
                "external_id": db.get_one(Item, sub.item_id).external_id,
                "annotator": pseudonym(sub.expert_id, a.project.org_id),
                "response": sub.response,
                "status": sub.status.value,
                "counted": sub.counted,
                "late": sub.late,
                "active_seconds": sub.active_seconds,
                "submitted_at": sub.created_at,
                "review_verdict": review.verdict.value if review else None,
                "review_reasons": review.reasons if review else None,
                "review_edited_values": review.edited_values if review else None,
                "reviewed_at": review.created_at if review else None,
            }
        )
    return rows


def test_raw_rows_are_the_submissions_with_their_latest_review(db: Session, odd: Answered) -> None:
    table = pq.read_table(io.BytesIO(parquet(db, odd)))
    rows = table.to_pylist()
    fixed = [r["review_edited_values"] for r in rows if r["review_edited_values"]][-1]
    # Python's json.dumps spelling (the row path's), not the database's: é escaped, 1e-05
    assert fixed == json.dumps(json.loads(fixed)) and "\\u00e9" in fixed and "1e-05" in fixed
    for row in rows:
        for column in ("response", "review_edited_values"):
            row[column] = None if row[column] is None else json.loads(row[column])
    assert rows == expected(db, odd)
    assert {r["external_id"] for r in rows[-3:]} == set(ODD)


@postgresql_only
@pytest.mark.parametrize(
    "options",
    [{}, {"accepted_only": True}, {"min_agreement": 0.7}, {"since": "first"}, {"until": "first"}],
)
def test_copy_writes_the_same_file_as_the_driver_rows(
    db: Session, odd: Answered, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    first = odd.subs[0][0].created_at
    options = {k: first if v == "first" else v for k, v in options.items()}
    copied = parquet(db, odd, **options)
    fetched = raw_repository.raw_columns
    monkeypatch.setattr(
        raw_repository, "raw_columns", lambda *a, **kw: fetched(*a, **kw, copy=False)
    )
    assert copied == parquet(db, odd, **options)
    # the planner setting the COPY turns off for itself is back for the rest of the work
    assert db.execute(text("SHOW enable_sort")).scalar_one() == "on"
    assert pq.read_table(io.BytesIO(copied)).num_rows > 0 or "until" in options


def test_an_empty_project_still_has_the_schema(db: Session, answered: Answered) -> None:
    organization = db.get_one(Organization, answered.project.org_id)
    empty = f.project(db, answered.owner, organization, name="Nothing yet")
    table = pq.read_table(io.BytesIO(parquet(db, Answered(**{**vars(answered), "project": empty}))))
    assert table.num_rows == 0 and table.schema.names[0] == "submission_id"


@postgresql_only
def test_copy_batches_are_bounded_and_keep_quotes_newlines_and_nulls(db: Session) -> None:
    query = (
        "SELECT g AS n, 'a,\"b' || chr(10) || 'c' AS s, NULL::text AS missing, '' AS blank "
        "FROM generate_series(1, 5) g"
    )
    schema = pa.schema([("n", pa.int64())] + [(c, pa.string()) for c in ("s", "missing", "blank")])
    connection = db.connection().connection.driver_connection
    batches = list(copy_batches(connection, query, schema, rows=2))
    assert [b.num_rows for b in batches] == [2, 2, 1]
    assert batches[0].to_pylist()[0] == {"n": 1, "s": 'a,"b\nc', "missing": None, "blank": ""}
