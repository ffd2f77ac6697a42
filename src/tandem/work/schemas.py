"""Work request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AssignmentOut(BaseModel):
    """An assignment with the item as the expert sees it (no gold, no other experts)."""

    id: int
    project_id: int
    item_id: int
    status: str
    lease_expires_at: datetime | None
    payload: dict[str, Any]
    form: dict[str, Any]
    guidelines: str
    time_estimate_seconds: int
    pay_minor: int
    currency: str
    effective_hourly_minor: int


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response: dict[str, Any]
    active_seconds: int = Field(default=0, ge=0, le=24 * 3600)
    telemetry: dict[str, int] = Field(default_factory=dict)


class SubmissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    assignment_id: int
    item_id: int
    status: str
    counted: bool
    late: bool
    response: dict[str, Any]
    created_at: datetime


class SkipIn(BaseModel):
    reason: str = Field(min_length=3, max_length=500)
