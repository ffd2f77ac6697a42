"""Console shapes: the dashboard's JSON, and the wizard's view of a project."""

from __future__ import annotations

from pydantic import BaseModel

from tandem.quality.schemas import QuestionQuality


class HourCount(BaseModel):
    """Submissions in the hour that starts at `hour` (UTC, ISO 8601)."""

    hour: str
    submissions: int


class Distribution(BaseModel):
    """How often each answer was given to one question (counted submissions)."""

    question_id: str
    prompt: str
    type: str
    counts: dict[str, int]


class TimePerItem(BaseModel):
    """Active seconds per counted submission, against the project's estimate."""

    submissions: int
    median_seconds: float | None
    mean_seconds: float | None
    estimate_seconds: int
    buckets: dict[str, int] = {}  # submissions per band of active time, against the estimate


class Dashboard(BaseModel):
    """Everything the live dashboard draws, read on each poll.

    Agreement is the quality engine's stored report (recomputed every 5 minutes when
    there are new submissions, or on request): `agreement_computed_at` says when, and
    `agreement_stale` whether counted submissions arrived since.
    """

    project_id: int
    status: str
    items: int
    complete: int
    submissions: int
    percent_complete: float
    throughput: list[HourCount]
    agreement: list[QuestionQuality]
    agreement_computed_at: str | None = None
    agreement_stale: bool = False
    distributions: list[Distribution]
    time_per_item: TimePerItem
    generated_at: str
