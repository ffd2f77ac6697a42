"""Training formats from a scripted project: SFT, DPO, reward, labels and raw, with filters."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session

from tandem.export import service
from tandem.export.schemas import ExportOptions
from tandem.kit.errors import NotFound, ValidationFailed
from tandem.quality.stats.encoding import first_seen_codes
from tandem.quality.stats.ratings import aggregate_ratings
from tests import factories as f
from tests.export.conftest import VOTES, Answered


def export(db: Session, a: Answered, fmt: str, **kw: Any) -> list[dict[str, Any]]:
    """Run one export as JSONL and parse its rows."""
    sink = io.BytesIO()
    opts = ExportOptions(fmt, kw.pop("file", "jsonl"), **kw)
    service.export_dataset(db, a.owner, a.project.id, opts, sink)
    return [json.loads(line) for line in sink.getvalue().decode().splitlines()]


def test_dpo_picks_the_bradley_terry_winner_and_drops_ties(db: Session, answered: Answered) -> None:
    rows = export(db, answered, "dpo")
    pairwise = [r for r in rows if r["question_id"] == "pref"]
    # item 1: A, B (fixed by a reviewer, still B) and a rejected tie -> 1:1, a tie, dropped
    assert [(r["external_id"], r["chosen"], r["rejected"]) for r in pairwise] == [
        ("ext-0", "A0", "B0")
    ]
    # votes A(2/3), A(3/3), B(1/3): mean strength towards A
    assert pairwise[0]["margin"] == pytest.approx((2 / 3 + 1 - 1 / 3) / 3, abs=1e-6)
    assert pairwise[0]["prompt"] == "P0" and pairwise[0]["votes"] == 3
    ranked = [(r["chosen_id"], r["rejected_id"]) for r in rows if r["external_id"] == "ext-0"][1:]
    assert ranked == [("x", "y"), ("x", "z"), ("y", "z")]
    by_pair = {(r["chosen_id"], r["rejected_id"]): r["margin"] for r in rows[1:4]}
    assert by_pair[("x", "z")] == 1.0 and by_pair[("x", "y")] == pytest.approx(1 / 3, abs=1e-6)
    kept = export(db, answered, "dpo", keep_ties=True)
    ties = [r for r in kept if r["tie"]]
    assert len(kept) == len(rows) + 1
    assert [(t["external_id"], t["margin"]) for t in ties] == [("ext-1", 0.0)]


def test_sft_takes_the_reviewer_fix_and_leaves_out_rejected_work(
    db: Session, answered: Answered
) -> None:
    rows = export(db, answered, "sft")
    # 6 submissions, one rejected
    assert len(rows) == 5
    fixed = [r for r in rows if r["source"] == "reviewer_fix"]
    assert [r["messages"][1]["content"] for r in fixed] == ["reviewer text 1"]
    assert fixed[0]["submission_id"] == answered.subs[1][1].id
    untouched = [r for r in rows if not r["corrected"]]
    assert [r["messages"][1]["content"] for r in untouched] == ["model out 0"]
    assert all(
        r["messages"][0] == {"role": "user", "content": f"P{r['external_id'][-1]}"} for r in rows
    )
    assert all(r["model_output"] == f"model out {r['external_id'][-1]}" for r in rows)


def test_reward_scores_are_the_bias_corrected_means(db: Session, answered: Answered) -> None:
    rows = {(r["external_id"], r["question_id"]): r for r in export(db, answered, "reward")}
    kept = [(n, e) for n in range(2) for e in range(3) if (n, e) != (1, 2)]  # (1, 2) rejected
    item, _ = first_seen_codes([n for n, _ in kept])
    worker, _ = first_seen_codes([e for _, e in kept])
    ratings = np.array([VOTES[n][e][3] for n, e in kept], dtype=float)
    fit = aggregate_ratings(item, worker, ratings, 2, 3)
    for n in range(2):
        row = rows[(f"ext-{n}", "helpful")]
        assert row["score"] == pytest.approx(fit.mean[n], abs=1e-4)
        assert row["response"] == f"model out {n}" and row["prompt"] == f"P{n}"
    # expert 0 rates low everywhere and expert 1 high: the correction moves the plain mean
    raw_mean = np.mean([VOTES[0][e][3] for e in range(3)])
    assert abs(rows[("ext-0", "helpful")]["score"] - raw_mean) > 0.01
    rubric = rows[("ext-0", "quality")]
    criteria = json.loads(rubric["criteria"])
    assert set(criteria) == {"accuracy", "clarity"}
    assert rubric["score"] == pytest.approx(sum(criteria.values()) / 2, abs=1e-4)
    assert all(0.0 <= r["score_normalized"] <= 1.0 for r in rows.values())


def test_labels_carry_answer_confidence_and_method(db: Session, answered: Answered) -> None:
    rows = export(db, answered, "labels", method="mv")
    by_key = {(r["external_id"], r["question_id"]): r for r in rows}
    assert {q for _, q in by_key} == {"topic", "pref", "rank", "helpful", "quality"}
    assert json.loads(by_key[("ext-0", "topic")]["answer"]) == "math"
    assert by_key[("ext-0", "topic")]["confidence"] == pytest.approx(2 / 3, abs=1e-6)
    assert by_key[("ext-0", "topic")]["method"] == "mv"
    assert json.loads(by_key[("ext-1", "rank")]["answer"]) == ["z", "y", "x"]
    assert by_key[("ext-0", "helpful")]["method"] == "ratings-bias"


def test_raw_has_every_submission_with_pseudonyms_and_review(
    db: Session, answered: Answered
) -> None:
    rows = export(db, answered, "raw")
    assert len(rows) == 6
    emails = [e.user.email for e in answered.experts]
    assert not any(email in json.dumps(rows) for email in emails)
    assert len({r["annotator"] for r in rows}) == 3
    verdicts = {r["submission_id"]: r["review_verdict"] for r in rows}
    assert verdicts[answered.subs[1][1].id] == "fix"
    assert verdicts[answered.subs[1][2].id] == "reject"
    fixed = next(r for r in rows if r["review_verdict"] == "fix")
    assert json.loads(fixed["review_edited_values"])["fixed"] == "reviewer text 1"
    assert json.loads(rows[0]["response"])["topic"] in ("math", "art")
    assert sorted(r["active_seconds"] for r in rows) == [60, 60, 70, 70, 80, 80]


def test_filters_accepted_only_date_range_and_agreement(db: Session, answered: Answered) -> None:
    accepted = export(db, answered, "raw", accepted_only=True)
    assert [r["submission_id"] for r in accepted] == [answered.subs[1][1].id]
    # each item was answered in its own hour (which one first is up to dispatch)
    hour = {f"ext-{n}": answered.subs[n][0].created_at for n in range(2)}
    cut = min(hour.values()) + timedelta(minutes=30)
    late = export(db, answered, "raw", since=cut)
    assert {r["external_id"] for r in late} == {e for e, t in hour.items() if t > cut}
    early = export(db, answered, "raw", until=cut)
    assert {r["external_id"] for r in early} == {e for e, t in hour.items() if t < cut}
    # item 0 agrees at 0.63 (mean majority share), item 1 at 0.80 with all three votes
    agreed = export(db, answered, "raw", min_agreement=0.7)
    assert {r["external_id"] for r in agreed} == {"ext-1"}
    # without expert 2's rejected answers item 1 is at (1 + 1/2 + 1 + 1/2 + 1) / 5 = 0.8
    labelled = export(db, answered, "labels", min_agreement=0.7)
    assert {r["external_id"] for r in labelled} == {"ext-1"}
    assert export(db, answered, "labels", min_agreement=0.81) == []


def test_parquet_is_written_in_bounded_row_groups(db: Session, answered: Answered) -> None:
    sink = io.BytesIO()
    opts = ExportOptions("raw", "parquet")
    result = service.export_dataset(db, answered.owner, answered.project.id, opts, sink)
    table = pq.read_table(io.BytesIO(sink.getvalue()))
    assert table.num_rows == result.stats.rows == 6
    assert (result.stats.items, len(result.stats.annotators)) == (2, 3)
    assert table.schema.field("submitted_at").type.tz == "UTC"


def test_card_summarises_counts_pay_and_licence(db: Session, answered: Answered) -> None:
    opts = ExportOptions("dpo", "parquet", license="cc-by-4.0", accepted_only=False)
    result = service.export_dataset(db, answered.owner, answered.project.id, opts, io.BytesIO())
    assert result.card.startswith("---\nlicense: cc-by-4.0\n")
    assert f"| rows | {result.stats.rows} |" in result.card
    assert "| annotators | 3 |" in result.card
    assert "1.00 USD per item" in result.card
    assert "data_files: dpo.parquet" in result.card and "ties dropped" in result.card


def test_bad_options_and_other_orgs_are_refused(db: Session, answered: Answered) -> None:
    with pytest.raises(ValidationFailed) as bad:
        export(db, answered, "label-studio", file="parquet")
    assert bad.value.errors[0]["loc"] == ["file"]
    with pytest.raises(ValidationFailed):
        export(db, answered, "dpo", min_agreement=1.5)
    stranger = f.requester(db, f.org(db))
    with pytest.raises(NotFound):
        service.export_dataset(
            db, stranger, answered.project.id, ExportOptions("raw"), io.BytesIO()
        )
