"""Label Studio: results both ways, task export, and importing an export into a project."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.export import service
from tandem.export.formats.label_studio import to_results
from tandem.export.label_studio_import import from_results, import_label_studio
from tandem.export.schemas import ExportOptions
from tandem.kit.errors import ValidationFailed
from tandem.models import Item
from tandem.projects.forms import parse_form
from tests import factories as f
from tests.export.conftest import FORM, Answered, payload, response

SPAN_FORM = {
    "questions": [
        {"type": "span", "id": "ents", "prompt": "Mark names", "field": "text",
         "labels": ["PER", "LOC"]},
        {"type": "multi_label", "id": "tags", "prompt": "Tags", "options": ["x", "y", "z"]},
    ]
}  # fmt: skip


@pytest.mark.parametrize("n,e", [(0, 0), (0, 2), (1, 2)])
def test_results_read_back_to_the_same_response(n: int, e: int) -> None:
    form = parse_form(FORM)
    results = to_results(form, response(n, e), payload(n))
    assert from_results(form, results) == response(n, e)
    kinds = {r["type"] for r in results}
    assert kinds >= {"choices", "ranker", "rating", "textarea"}


def test_spans_and_multi_labels_read_back() -> None:
    form = parse_form(SPAN_FORM)
    answer = {"ents": [{"start": 0, "end": 3, "label": "PER"}], "tags": ["x", "z"]}
    results = to_results(form, answer, {"text": "Ann went to Oslo"})
    span = next(r for r in results if r["type"] == "labels")
    assert span["value"] == {"start": 0, "end": 3, "text": "Ann", "labels": ["PER"]}
    assert from_results(form, results) == answer


def test_pairwise_uses_label_studio_left_right_and_a_tie_choice() -> None:
    form = parse_form(FORM)
    a_wins = to_results(form, response(0, 0), payload(0))
    pairwise = next(r for r in a_wins if r["type"] == "pairwise")
    assert pairwise["to_name"] == "a,b" and pairwise["value"] == {"selected": "left"}
    tie = to_results(form, response(1, 2), payload(1))
    assert not any(r["type"] == "pairwise" for r in tie)
    assert from_results(form, tie)["pref"] == {"choice": "tie"}


def _export_tasks(db: Session, a: Answered) -> list[dict[str, Any]]:
    sink = io.BytesIO()
    service.export_dataset(db, a.owner, a.project.id, ExportOptions("label-studio", "json"), sink)
    tasks: list[dict[str, Any]] = json.loads(sink.getvalue())
    return tasks


def test_export_is_a_json_list_of_tasks_with_annotations(db: Session, answered: Answered) -> None:
    tasks = _export_tasks(db, answered)
    assert [t["meta"]["external_id"] for t in tasks] == ["ext-0", "ext-1"]
    assert tasks[0]["data"] == payload(0)
    annotation = tasks[0]["annotations"][0]
    assert set(annotation) >= {"result", "was_cancelled", "ground_truth", "lead_time"}
    assert all(
        {"from_name", "to_name", "type", "value", "id"} <= set(r) for r in annotation["result"]
    )
    # the rejected submission is not exported; the reviewer's fix is
    assert len(tasks[1]["annotations"]) == 2
    texts = [from_results(parse_form(FORM), a["result"])["fixed"] for a in tasks[1]["annotations"]]
    assert "reviewer text 1" in texts


def test_importing_an_export_makes_items_and_gold(db: Session, answered: Answered) -> None:
    tasks = _export_tasks(db, answered)
    target = f.project(db, answered.owner, _org(db, answered), form=FORM)
    plain = import_label_studio(db, answered.owner, target.id, io.StringIO(json.dumps(tasks)))
    assert (plain.items, plain.gold, plain.annotations_skipped) == (2, 0, 5)
    again = f.project(db, answered.owner, _org(db, answered), form=FORM)
    first = import_label_studio(
        db, answered.owner, again.id, io.StringIO(json.dumps(tasks)), gold_from="first"
    )
    assert (first.items, first.gold) == (2, 2)
    items = db.scalars(select(Item).where(Item.project_id == again.id).order_by(Item.id)).all()
    assert [i.external_id for i in items] == ["ext-0", "ext-1"]
    expected = from_results(parse_form(FORM), tasks[0]["annotations"][0]["result"])
    assert items[0].gold == expected and items[0].is_gold


def _org(db: Session, a: Answered) -> Any:
    from tandem.models import Organization

    return db.get_one(Organization, a.project.org_id)


def test_import_reads_label_studio_shapes_and_names_bad_tasks(db: Session) -> None:
    organization = f.org(db)
    owner = f.requester(db, organization)
    form = {"questions": [{"type": "label", "id": "sentiment", "prompt": "?",
                           "options": ["good", "bad"]}]}  # fmt: skip
    proj = f.project(db, owner, organization, form=form)
    exported = [
        {"id": 7, "data": {"text": "nice"}, "annotations": [
            {"id": 1, "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices",
                                  "value": {"choices": ["good"]}}], "ground_truth": True,
             "was_cancelled": False}]},
        {"text": "flat task"},
    ]  # fmt: skip
    result = import_label_studio(db, owner, proj.id, io.StringIO(json.dumps(exported)))
    assert (result.items, result.gold) == (2, 1)
    items = db.scalars(select(Item).where(Item.project_id == proj.id).order_by(Item.id)).all()
    assert items[0].external_id == "7" and items[0].gold == {"sentiment": "good"}
    assert items[1].payload == {"text": "flat task"}
    meh = {"from_name": "sentiment", "type": "choices", "value": {"choices": ["meh"]}}
    wrong = [{"data": {"text": "x"}, "annotations": [{"ground_truth": True, "result": [meh]}]}]
    with pytest.raises(ValidationFailed) as bad:
        import_label_studio(db, owner, proj.id, io.StringIO(json.dumps(wrong)))
    assert bad.value.errors[0]["loc"][0] == "row 1"
    with pytest.raises(ValidationFailed):
        import_label_studio(db, owner, proj.id, io.StringIO("[1, 2"))
