"""Forms: the question types of a project, their settings, and how a form is parsed.

A form is a list of questions; each question's answer lives under its id in a response.
Response validation and majority answers live in `tandem.projects.answers`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tandem.kit.errors import ValidationFailed, field_error

QUESTION_ID = r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$"


class _QuestionBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=QUESTION_ID)
    prompt: str = Field(min_length=1, max_length=2000)
    help: str = Field(default="", max_length=5000)
    required: bool = True

    def payload_fields(self) -> list[str]:
        """Payload fields this question shows; an item without them cannot be answered."""
        return []


def _unique(values: list[str], what: str) -> None:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} must be unique")


class LabelQuestion(_QuestionBase):
    type: Literal["label"] = "label"
    options: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=2)

    @model_validator(mode="after")
    def _options_unique(self) -> LabelQuestion:
        _unique(self.options, "options")
        return self


class MultiLabelQuestion(_QuestionBase):
    type: Literal["multi_label"] = "multi_label"
    options: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1)
    min_choices: int = Field(default=1, ge=0)
    max_choices: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _choices_consistent(self) -> MultiLabelQuestion:
        _unique(self.options, "options")
        top = len(self.options) if self.max_choices is None else self.max_choices
        if self.min_choices > top or top > len(self.options):
            raise ValueError("need min_choices <= max_choices <= number of options")
        return self


class RatingQuestion(_QuestionBase):
    type: Literal["rating"] = "rating"
    min: int = 1
    max: int = 5
    labels: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _scale_valid(self) -> RatingQuestion:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        outside = [k for k in self.labels if not k.lstrip("-").isdigit() or not self._in(int(k))]
        if outside:
            raise ValueError(f"labels name points outside the scale: {', '.join(outside)}")
        return self

    def _in(self, point: int) -> bool:
        return self.min <= point <= self.max


class RubricCriterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=QUESTION_ID)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    min: int = 1
    max: int = 5

    @model_validator(mode="after")
    def _scale_valid(self) -> RubricCriterion:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        return self


class RubricQuestion(_QuestionBase):
    type: Literal["rubric"] = "rubric"
    criteria: list[RubricCriterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _criteria_unique(self) -> RubricQuestion:
        _unique([c.id for c in self.criteria], "criterion ids")
        return self


class RankingQuestion(_QuestionBase):
    """Order the candidates in payload[field] (strings, or objects with `id` and `text`)."""

    type: Literal["ranking"] = "ranking"
    field: str = Field(min_length=1)

    def payload_fields(self) -> list[str]:
        return [self.field]


class PairwiseQuestion(_QuestionBase):
    """Compare payload[left] (A) with payload[right] (B)."""

    type: Literal["pairwise"] = "pairwise"
    left: str = Field(min_length=1)
    right: str = Field(min_length=1)
    allow_tie: bool = True
    strength_levels: int = Field(default=3, ge=1, le=7)
    justification: Literal["required", "optional", "none"] = "optional"
    justification_min_chars: int = Field(default=0, ge=0, le=5000)

    @model_validator(mode="after")
    def _sides_differ(self) -> PairwiseQuestion:
        if self.left == self.right:
            raise ValueError("left and right must be different payload fields")
        return self

    def payload_fields(self) -> list[str]:
        return [self.left, self.right]


class TextQuestion(_QuestionBase):
    """Free text; with `prefill_field` it is "correct this model output"."""

    type: Literal["text"] = "text"
    prefill_field: str | None = None
    min_chars: int = Field(default=0, ge=0)
    max_chars: int = Field(default=20_000, ge=1, le=200_000)

    @model_validator(mode="after")
    def _bounds(self) -> TextQuestion:
        if self.min_chars > self.max_chars:
            raise ValueError("min_chars must not exceed max_chars")
        return self

    def payload_fields(self) -> list[str]:
        return [self.prefill_field] if self.prefill_field else []


class SpanQuestion(_QuestionBase):
    """Label character ranges [start, end) of the text in payload[field]."""

    type: Literal["span"] = "span"
    field: str = Field(min_length=1)
    labels: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1)
    allow_overlap: bool = False

    @model_validator(mode="after")
    def _labels_unique(self) -> SpanQuestion:
        _unique(self.labels, "labels")
        return self

    def payload_fields(self) -> list[str]:
        return [self.field]


Question = Annotated[
    LabelQuestion
    | MultiLabelQuestion
    | RatingQuestion
    | RubricQuestion
    | RankingQuestion
    | PairwiseQuestion
    | TextQuestion
    | SpanQuestion,
    Field(discriminator="type"),
]
QUESTION_TYPES = (
    "label",
    "multi_label",
    "rating",
    "rubric",
    "ranking",
    "pairwise",
    "text",
    "span",
)


class Form(BaseModel):
    """The questions of a project, in display order."""

    model_config = ConfigDict(extra="forbid")

    questions: list[Question] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _ids_unique(self) -> Form:
        _unique([q.id for q in self.questions], "question ids")
        return self

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if the form has one."""
        return next((q for q in self.questions if q.id == question_id), None)


def _clean_loc(loc: tuple[int | str, ...]) -> list[str | int]:
    # pydantic puts the union tag ("pairwise") into the path; the user never wrote it
    parts = list(loc)
    if len(parts) >= 3 and parts[0] == "questions" and parts[2] in QUESTION_TYPES:
        del parts[2]
    return parts


def parse_form(data: Any) -> Form:
    """A Form from JSON-like data; ValidationFailed names the question and the setting."""
    if isinstance(data, Form):
        return data
    try:
        return Form.model_validate(data)
    except ValidationError as exc:
        errors = [
            field_error(["form", *_clean_loc(err["loc"])], err["msg"]) for err in exc.errors()
        ]
        raise ValidationFailed("The form is not valid", errors=errors) from None


def validate_payload_for_form(form: Form, payload: dict[str, Any]) -> list[str]:
    """Why an item payload cannot be shown by this form (empty when it can)."""
    problems: list[str] = []
    for q in form.questions:
        for name in q.payload_fields():
            if name not in payload:
                problems.append(f"missing field '{name}' that question '{q.id}' shows")
        if isinstance(q, RankingQuestion) and q.field in payload:
            candidates = payload[q.field]
            if not isinstance(candidates, list) or len(candidates) < 2:
                problems.append(f"field '{q.field}' must be a list of at least 2 candidates")
            elif len(set(candidate_ids(candidates))) != len(candidates):
                problems.append(f"field '{q.field}' has candidates with the same id")
        if isinstance(q, SpanQuestion) and not isinstance(payload.get(q.field, ""), str):
            problems.append(f"field '{q.field}' must be text for question '{q.id}'")
    return problems


def candidate_ids(candidates: list[Any]) -> list[str]:
    """Stable ids of ranking candidates: their `id`, or their position as a string."""
    return [
        str(c["id"]) if isinstance(c, dict) and "id" in c else str(n)
        for n, c in enumerate(candidates)
    ]
