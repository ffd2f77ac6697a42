"""Quality report shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


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
    """One expert (by pseudonym): trust, accuracy against gold and against consensus."""

    expert: str
    score: float
    gold_seen: int
    gold_correct: int
    gold_accuracy: float | None = None
    consensus_seen: int = 0
    consensus_accuracy: float | None = None
    reliability: float | None = None  # Dawid-Skene / one-coin estimate of accuracy


class ConfusionMatrix(BaseModel):
    """counts[r][c]: answers `labels[c]` where the reference (consensus or gold) was `labels[r]`."""

    question_id: str
    reference: Literal["consensus", "gold"]
    expert: str | None = None  # None: all experts together
    labels: list[str]
    counts: list[list[int]]


class LeaderboardEntry(BaseModel):
    player: str
    elo: float
    lower: float | None
    upper: float | None
    comparisons: int


class Leaderboard(BaseModel):
    """Bradley-Terry ranking of one pairwise question's players (models or sides)."""

    question_id: str
    players_from: Literal["models", "sides"]
    entries: list[LeaderboardEntry]


class SkillTrust(BaseModel):
    """Beta(1, 1) posterior of an expert's gold accuracy over the org's projects needing a skill."""

    skill: str
    expert: str
    projects: int
    gold_seen: int
    gold_correct: int
    mean: float
    lower: float
    upper: float


class QualityReport(BaseModel):
    project_id: int
    computed_at: datetime | None = None
    stale: bool = False
    method: str | None = None
    questions: list[QuestionQuality] = Field(default_factory=list)
    experts: list[ExpertTrust] = Field(default_factory=list)
    confusion: list[ConfusionMatrix] = Field(default_factory=list)
    leaderboards: list[Leaderboard] = Field(default_factory=list)
    skills: list[SkillTrust] = Field(default_factory=list)
