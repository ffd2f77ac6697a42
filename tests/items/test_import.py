"""Item import: all-or-nothing, errors name the row and field."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.items.service import import_items
from tandem.kit.errors import NotFound, ValidationFailed
from tandem.models import Item
from tests import factories as f


def _count(db: Session, project_id: int) -> int:
    return int(db.scalar(select(func.count(Item.id)).where(Item.project_id == project_id)) or 0)


@pytest.fixture
def setup(db: Session) -> tuple:
    org = f.org(db)
    owner = f.requester(db, org)
    return owner, f.project(db, owner, org)


def test_jsonl_flat_payload_and_nested_forms_import(db: Session, setup: tuple) -> None:
    owner, proj = setup
    lines = [
        {"a": "x", "b": "y"},
        {"payload": {"a": "1", "b": "2"}, "external_id": "e2"},
        {"data": {"a": "p", "b": "q"}, "gold": {"quality": {"accuracy": 3, "clarity": 4}}},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    assert import_items(db, owner, proj.id, io.StringIO(text), "jsonl") == 3
    rows = db.scalars(select(Item).where(Item.project_id == proj.id).order_by(Item.id)).all()
    assert [r.payload for r in rows] == [
        {"a": "x", "b": "y"},
        {"a": "1", "b": "2"},
        {"a": "p", "b": "q"},
    ]
    assert rows[1].external_id == "e2"
    assert rows[2].gold == {"quality": {"accuracy": 3, "clarity": 4}}


def test_csv_import_with_gold_column(db: Session, setup: tuple) -> None:
    owner, proj = setup
    gold_cell = '"{""quality"": {""accuracy"": 5, ""clarity"": 5}}"'
    text = f"external_id,a,b,gold\nc1,hello,world,\nc2,foo,bar,{gold_cell}\n"
    assert import_items(db, owner, proj.id, io.StringIO(text), "csv") == 2
    gold = db.scalar(select(Item.gold).where(Item.external_id == "c2"))
    assert gold == {"quality": {"accuracy": 5, "clarity": 5}}


def test_a_bad_row_rejects_the_whole_file_and_names_row_and_field(
    db: Session, setup: tuple
) -> None:
    owner, proj = setup
    good = json.dumps({"a": "x", "b": "y"})
    lines = [good] * 1500 + [
        json.dumps({"a": "only a"}),
        "{not json",
        good,
        json.dumps({"a": "x", "b": "y", "gold": {"quality": {"accuracy": 9, "clarity": 1}}}),
    ]
    with pytest.raises(ValidationFailed) as caught:
        import_items(db, owner, proj.id, io.StringIO("\n".join(lines)), "jsonl")
    locs = [e["loc"] for e in caught.value.errors]
    assert locs[0] == ["row 1501", "payload"] and "b" in caught.value.errors[0]["msg"]
    assert locs[1] == ["row 1502", "line"]
    assert locs[2][0] == "row 1504" and locs[2][1].startswith("gold.quality")
    assert _count(db, proj.id) == 0


def test_duplicate_external_ids_are_named(db: Session, setup: tuple) -> None:
    owner, proj = setup
    text = "external_id,a,b\nd1,x,y\nd2,x,y\nd1,x,y\n"
    with pytest.raises(ValidationFailed) as caught:
        import_items(db, owner, proj.id, io.StringIO(text), "csv")
    assert caught.value.errors[0]["loc"] == ["row 4", "external_id"]
    assert _count(db, proj.id) == 0
    # and against items already in the project
    import_items(db, owner, proj.id, io.StringIO("external_id,a,b\nd1,x,y\n"), "csv")
    with pytest.raises(ValidationFailed):
        import_items(db, owner, proj.id, io.StringIO("external_id,a,b\nd1,x,y\n"), "csv")
    assert _count(db, proj.id) == 1


def test_csv_row_with_extra_values_is_rejected(db: Session, setup: tuple) -> None:
    owner, proj = setup
    with pytest.raises(ValidationFailed) as caught:
        import_items(db, owner, proj.id, io.StringIO("a,b\n1,2,3\n"), "csv")
    assert caught.value.errors[0]["loc"] == ["row 2", "row"]


def test_empty_file_is_an_error(db: Session, setup: tuple) -> None:
    owner, proj = setup
    with pytest.raises(ValidationFailed):
        import_items(db, owner, proj.id, io.StringIO(""), "jsonl")


def test_another_orgs_requester_cannot_import(db: Session, setup: tuple) -> None:
    _, proj = setup
    stranger = f.requester(db, f.org(db))
    with pytest.raises(NotFound):
        import_items(db, stranger, proj.id, io.StringIO('{"a":"x","b":"y"}'), "jsonl")


def test_upload_over_http_reports_problem_json(client, db: Session, setup: tuple) -> None:  # type: ignore[no-untyped-def]
    owner, proj = setup
    headers = f.token_headers(db, owner)
    bad = client.post(
        f"/api/v1/projects/{proj.id}/items",
        headers=headers,
        files={"file": ("items.csv", io.BytesIO(b"a,b\nx,\n"))},
    )
    # an empty CSV cell is an empty string: the payload still has the field
    assert bad.status_code == 200
    worse = client.post(
        f"/api/v1/projects/{proj.id}/items",
        headers=headers,
        files={"file": ("items.jsonl", io.BytesIO(b'{"a": 1}\n'))},
    )
    assert worse.status_code == 422
    assert worse.headers["content-type"].startswith("application/problem+json")
    assert worse.json()["errors"][0]["loc"] == ["row 1", "payload"]
