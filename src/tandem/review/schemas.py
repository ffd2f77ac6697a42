"""Review, appeal, removal, qualification and audit bodies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tandem.kit.ids import RowId
from tandem.models.enums import ReviewVerdict


class Reason(StrEnum):
    """Structured reasons a reviewer picks; `other` needs written feedback."""

    WRONG_ANSWER = "wrong_answer"
    GUIDELINES = "guidelines_not_followed"
    INCOMPLETE = "incomplete"
    FACTUAL_ERROR = "factual_error"
    LOW_EFFORT = "low_effort"
    FORMATTING = "formatting"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: ReviewVerdict
    reasons: list[Reason] = Field(default_factory=list, max_length=len(Reason))
    feedback: str = Field(default="", max_length=5000)
    # for a fix: the corrected response (validated against the form)
    edited_values: dict[str, Any] | None = None


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    submission_id: int
    stage: int
    verdict: str
    reasons: list[str]
    feedback: str
    edited_values: dict[str, Any] | None
    created_at: datetime


class QueueEntry(BaseModel):
    """A task in the reviewer queue; the expert appears only as a pseudonym."""

    task_id: int
    project_id: int
    submission_id: int
    stage: int
    flags: list[str]
    expert: str
    payload: dict[str, Any]
    response: dict[str, Any]
    active_seconds: int
    gold: dict[str, Any] | None


class VerdictOut(BaseModel):
    """A verdict on the expert's own work, with reasons and the appeal state."""

    review_id: int
    submission_id: int
    project_id: int
    item_id: int
    stage: int
    verdict: str
    reasons: list[str]
    feedback: str
    edited_values: dict[str, Any] | None
    decided_at: datetime
    submission_status: str
    appeal_deadline: datetime | None
    can_appeal: bool
    appeal_status: str | None
    appeal_resolution: str | None


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: str = Field(min_length=10, max_length=5000)


class AppealResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overturn: bool
    resolution: str = Field(min_length=5, max_length=5000)


class AppealOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    review_id: int
    project_id: int
    statement: str
    status: str
    resolution: str | None
    resolved_at: datetime | None
    created_at: datetime


class AuditOut(BaseModel):
    id: int
    at: datetime
    who: str
    action: str
    subject_type: str
    subject_id: int
    project_id: int | None
    reason: str
    details: dict[str, Any]


class RemovalWarnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expert: str = Field(min_length=3, max_length=40, description="the expert's pseudonym")
    reason: str = Field(min_length=10, max_length=5000)


class RemovalDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=5, max_length=5000)


class RemovalAppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: str = Field(min_length=10, max_length=5000)


class RemovalResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reinstate: bool
    resolution: str = Field(min_length=5, max_length=5000)


class RemovalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    status: str
    reason: str
    trust_score: float | None
    created_at: datetime
    removed_at: datetime | None
    appeal_statement: str | None
    resolution: str | None
    resolved_at: datetime | None


class QualificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: RowId
    name: str = Field(min_length=1, max_length=200)
    skill: str = Field(min_length=1, max_length=100)
    level: int = Field(default=1, ge=1, le=5)
    pass_mark: float = Field(default=0.8, gt=0, le=1)
    retake_cooldown_hours: int = Field(default=72, ge=0, le=24 * 365)
    valid_days: int = Field(default=365, ge=1, le=3650)


class QualificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int | None
    project_id: int | None
    name: str
    skill: str
    level: int
    pass_mark: float
    retake_cooldown_hours: int
    valid_days: int


class ExamItem(BaseModel):
    item_id: int
    payload: dict[str, Any]


class ExamOut(BaseModel):
    """A qualification test as the expert sees it: no gold answers."""

    qualification: QualificationOut
    form: dict[str, Any]
    items: list[ExamItem]
    pay_minor: int
    currency: str
    retake_after: datetime | None


class AttemptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # {item id: response}
    answers: dict[str, dict[str, Any]] = Field(min_length=1)
    active_seconds: int = Field(default=0, ge=0, le=24 * 3600)


class GradeTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # {"<item id>.<question id>": correct?} for every free-text answer
    marks: dict[str, bool] = Field(min_length=1)


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    qualification_id: int
    status: str
    score: float
    passed: bool
    expires_at: datetime | None
    results: dict[str, Any]
    pay_minor: int
    currency: str
    created_at: datetime
