"""Quality report shapes."""

from __future__ import annotations

from pydantic import BaseModel


class QuestionQuality(BaseModel):
    question_id: str
    type: str
    labels: int
    items: int
    method: str | None
    alpha: float | None
    alpha_level: str | None
    fleiss_kappa: float | None
    cohen_kappa: float | None
    mean_confidence: float | None


class ExpertTrust(BaseModel):
    expert: str
    score: float
    gold_seen: int
    gold_correct: int
    consensus_accuracy: float | None


class QualityReport(BaseModel):
    project_id: int
    questions: list[QuestionQuality]
    experts: list[ExpertTrust]
