"""Forms and the response validator, with property tests over generated forms and answers."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.kit.errors import ValidationFailed
from tandem.projects.answers import majority_answer, validate_response
from tandem.projects.forms import Form, parse_form, validate_payload_for_form

TEXT = "The quick brown fox jumps over the lazy dog near the river bank."
PAYLOAD: dict[str, Any] = {
    "a": "answer A",
    "b": "answer B",
    "text": TEXT,
    "draft": "a model draft",
    "cands": [{"id": "c0", "text": "x"}, {"id": "c1", "text": "y"}, {"id": "c2", "text": "z"}],
}
options = st.lists(st.text("abcdefgh", min_size=1, max_size=6), min_size=2, max_size=5, unique=True)


def _question(kind: str, draw: Any) -> dict[str, Any]:
    if kind in ("label", "multi_label"):
        return {"options": draw(options)}
    if kind == "rating":
        low = draw(st.integers(-3, 3))
        return {"min": low, "max": low + draw(st.integers(1, 9))}
    if kind == "rubric":
        ids = draw(
            st.lists(st.sampled_from(["acc", "clar", "safe", "tone"]), min_size=1, unique=True)
        )
        return {"criteria": [{"id": c, "name": c.title(), "min": 1, "max": 5} for c in ids]}
    if kind == "pairwise":
        return {
            "left": "a",
            "right": "b",
            "allow_tie": draw(st.booleans()),
            "strength_levels": draw(st.integers(1, 5)),
            "justification": draw(st.sampled_from(["required", "optional", "none"])),
            "justification_min_chars": draw(st.integers(0, 20)),
        }
    if kind == "ranking":
        return {"field": "cands"}
    if kind == "text":
        return {"prefill_field": draw(st.sampled_from([None, "draft"])), "min_chars": 3}
    return {"field": "text", "labels": draw(options), "allow_overlap": draw(st.booleans())}


KINDS = ["label", "multi_label", "rating", "rubric", "pairwise", "ranking", "text", "span"]


@st.composite
def forms(draw: Any) -> Form:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    questions = [
        {"type": kind, "id": f"q{n}", "prompt": f"Question {n}", **_question(kind, draw)}
        for n, kind in enumerate(kinds)
    ]
    return parse_form({"questions": questions})


def _answer(q: Any, draw: Any) -> Any:
    if q.type == "label":
        return draw(st.sampled_from(q.options))
    if q.type == "multi_label":
        return draw(st.lists(st.sampled_from(q.options), min_size=1, unique=True))
    if q.type == "rating":
        return draw(st.integers(q.min, q.max))
    if q.type == "rubric":
        return {c.id: draw(st.integers(c.min, c.max)) for c in q.criteria}
    if q.type == "pairwise":
        return _pairwise_answer(q, draw)
    if q.type == "ranking":
        return draw(st.permutations(["c0", "c1", "c2"]))
    if q.type == "text":
        return draw(st.text(min_size=3, max_size=40).filter(lambda t: len(t.strip()) >= 3))
    starts = sorted(draw(st.lists(st.integers(0, 60), min_size=1, max_size=4, unique=True)))
    # non-overlapping spans: each ends before the next starts
    ends = [*starts[1:], len(TEXT)]
    return [
        {"start": s, "end": min(e, s + 3), "label": draw(st.sampled_from(q.labels))}
        for s, e in zip(starts, ends, strict=True)
    ]


def _pairwise_answer(q: Any, draw: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"choice": draw(st.sampled_from(["A", "B", "tie"][: 2 + q.allow_tie]))}
    if q.strength_levels > 1:
        answer["strength"] = draw(st.integers(1, q.strength_levels))
    if q.justification != "none":
        answer["justification"] = "because " + "x" * q.justification_min_chars
    return answer


@st.composite
def forms_with_answers(draw: Any) -> tuple[Form, dict[str, Any]]:
    form = draw(forms())
    return form, {q.id: _answer(q, draw) for q in form.questions}


@settings(max_examples=200, deadline=None)
@given(forms_with_answers())
def test_every_valid_answer_is_accepted_unchanged(case: tuple[Form, dict[str, Any]]) -> None:
    form, response = case
    assert validate_payload_for_form(form, PAYLOAD) == []
    assert validate_response(form, response, PAYLOAD) == response


BREAKERS: dict[str, Any] = {
    "label": "not-an-option",
    "multi_label": ["not-an-option"],
    "rating": 10_000,
    "rubric": {"acc": 99},
    "pairwise": {"choice": "C"},
    "ranking": ["c0"],
    "text": 12,
    "span": [{"start": 5, "end": 2, "label": "zzz"}],
}


@settings(max_examples=200, deadline=None)
@given(forms_with_answers(), st.data())
def test_a_broken_answer_is_rejected_and_named(
    case: tuple[Form, dict[str, Any]], data: st.DataObject
) -> None:
    form, response = case
    target = data.draw(st.sampled_from(form.questions))
    response[target.id] = BREAKERS[target.type]
    with pytest.raises(ValidationFailed) as caught:
        validate_response(form, response, PAYLOAD)
    assert {tuple(e["loc"][:2]) for e in caught.value.errors} == {("response", target.id)}


@settings(max_examples=100, deadline=None)
@given(forms_with_answers(), st.data())
def test_a_missing_required_answer_is_named(
    case: tuple[Form, dict[str, Any]], data: st.DataObject
) -> None:
    form, response = case
    target = data.draw(st.sampled_from(form.questions))
    del response[target.id]
    with pytest.raises(ValidationFailed) as caught:
        validate_response(form, response, PAYLOAD)
    assert caught.value.errors == [{"loc": ["response", target.id], "msg": "an answer is required"}]


@settings(max_examples=100, deadline=None)
@given(forms())
def test_a_form_survives_a_round_trip_through_json(form: Form) -> None:
    assert parse_form(form.model_dump(mode="json")) == form


@settings(max_examples=100, deadline=None)
@given(forms_with_answers(), st.integers(1, 6), st.randoms(use_true_random=False))
def test_majority_ignores_vote_order_and_unanimity_gives_full_agreement(
    case: tuple[Form, dict[str, Any]], voters: int, rng: random.Random
) -> None:
    form, response = case
    for q in form.questions:
        unanimous = majority_answer(q, [response[q.id]] * voters)
        assert unanimous is not None and unanimous[1] == 1.0
        votes = [response[q.id]] * voters + [response[q.id]]
        shuffled = votes[:]
        rng.shuffle(shuffled)
        assert majority_answer(q, shuffled) == majority_answer(q, votes)


def test_unknown_question_ids_are_rejected() -> None:
    form = parse_form({"questions": [{"type": "text", "id": "t", "prompt": "Say"}]})
    with pytest.raises(ValidationFailed) as caught:
        validate_response(form, {"t": "fine", "extra": 1}, {})
    assert caught.value.errors == [
        {"loc": ["response", "extra"], "msg": "is not a question of this form"}
    ]


@pytest.mark.parametrize(
    ("question", "loc"),
    [
        ({"type": "rating", "min": 5, "max": 1}, ["form", "questions", 1]),
        ({"type": "label", "options": ["x", "x"]}, ["form", "questions", 1]),
        ({"type": "pairwise", "left": "a", "right": "a"}, ["form", "questions", 1]),
        ({"type": "ranking"}, ["form", "questions", 1, "field"]),
        ({"type": "poll"}, ["form", "questions", 1]),
    ],
)
def test_a_bad_form_names_the_question_and_setting(
    question: dict[str, Any], loc: list[Any]
) -> None:
    good = {"type": "text", "id": "t", "prompt": "Say"}
    with pytest.raises(ValidationFailed) as caught:
        parse_form({"questions": [good, {"id": "q", "prompt": "Q", **question}]})
    assert caught.value.errors[0]["loc"][: len(loc)] == loc


def test_duplicate_question_ids_are_rejected() -> None:
    text = {"type": "text", "id": "t", "prompt": "Say"}
    with pytest.raises(ValidationFailed, match="form is not valid") as caught:
        parse_form({"questions": [text, text]})
    assert "unique" in caught.value.errors[0]["msg"]


def test_payload_check_names_the_missing_field_and_question() -> None:
    form = parse_form(
        {"questions": [{"type": "pairwise", "id": "p", "prompt": "?", "left": "a", "right": "b"}]}
    )
    assert validate_payload_for_form(form, {"a": "x"}) == [
        "missing field 'b' that question 'p' shows"
    ]


def test_pairwise_split_between_a_and_b_is_a_tie_and_label_ties_follow_option_order() -> None:
    form = parse_form(
        {
            "questions": [
                {
                    "type": "pairwise",
                    "id": "p",
                    "prompt": "?",
                    "left": "a",
                    "right": "b",
                    "strength_levels": 1,
                },
                {"type": "label", "id": "l", "prompt": "?", "options": ["yes", "no"]},
            ]
        }
    )
    pair, label = form.questions
    assert majority_answer(pair, [{"choice": "A"}, {"choice": "B"}]) == ("tie", 0.5)
    assert majority_answer(pair, [{"choice": "B"}, {"choice": "B"}, {"choice": "A"}]) == (
        "B",
        2 / 3,
    )
    assert majority_answer(label, ["no", "yes"]) == ("yes", 0.5)


def test_overlapping_spans_are_refused_unless_allowed() -> None:
    spans = [{"start": 0, "end": 9, "label": "x"}, {"start": 4, "end": 12, "label": "x"}]
    for allow, ok in ((False, False), (True, True)):
        form = parse_form(
            {
                "questions": [
                    {
                        "type": "span",
                        "id": "s",
                        "prompt": "?",
                        "field": "text",
                        "labels": ["x"],
                        "allow_overlap": allow,
                    }
                ]
            }
        )
        if ok:
            assert validate_response(form, {"s": spans}, PAYLOAD) == {"s": spans}
        else:
            with pytest.raises(ValidationFailed, match="does not match"):
                validate_response(form, {"s": spans}, PAYLOAD)
