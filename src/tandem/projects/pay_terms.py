"""Pay terms and quality policy of a project: validated, with the effective hourly rate."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tandem.kit.money import hourly_rate_minor, prorate_minor


class PayModel(StrEnum):
    HOURLY = "hourly"
    PER_ITEM = "per_item"
    PER_ITEM_WITH_FLOOR = "per_item_with_floor"


class PayTerms(BaseModel):
    """How a project pays: hourly, per item, or per item with an hourly floor. Minor units."""

    model_config = ConfigDict(extra="forbid")

    model: PayModel
    currency: str = "USD"
    hourly_rate_minor: int | None = Field(default=None, ge=0)
    per_item_minor: int | None = Field(default=None, ge=0)
    floor_hourly_minor: int | None = Field(default=None, ge=0)
    completion_bonus_minor: int = Field(default=0, ge=0)
    paid_guidelines_time: bool = True

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError("must be an ISO 4217 code such as USD")
        return value

    @model_validator(mode="after")
    def _amounts_for_model(self) -> PayTerms:
        needed = {
            PayModel.HOURLY: ["hourly_rate_minor"],
            PayModel.PER_ITEM: ["per_item_minor"],
            PayModel.PER_ITEM_WITH_FLOOR: ["per_item_minor", "floor_hourly_minor"],
        }[self.model]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"pay model {self.model} needs {', '.join(missing)}")
        return self

    def estimated_item_pay_minor(self, estimate_seconds: int) -> int:
        """What one item pays at the time estimate (the floor applies per item at best)."""
        if self.model is PayModel.HOURLY:
            return prorate_minor(self.hourly_rate_minor or 0, estimate_seconds)
        per_item = self.per_item_minor or 0
        if self.model is PayModel.PER_ITEM_WITH_FLOOR:
            per_item = max(per_item, prorate_minor(self.floor_hourly_minor or 0, estimate_seconds))
        return per_item

    def effective_hourly_minor(self, estimate_seconds: int) -> int:
        """The hourly rate an expert earns when an item takes the estimated time."""
        return hourly_rate_minor(self.estimated_item_pay_minor(estimate_seconds), estimate_seconds)


class QualityPolicy(BaseModel):
    """Gold rate, review sample rate and the minimum trust to receive work."""

    model_config = ConfigDict(extra="forbid")

    gold_rate: float = Field(default=0.05, ge=0, le=0.5)
    review_sample_rate: float = Field(default=0.1, ge=0, le=1)
    min_trust: float = Field(default=0.0, ge=0, le=1)
    # review (tandem.review): grading tolerances, flags and the optional final-QA stage
    rating_tolerance: int = Field(default=0, ge=0, le=10)
    ranking_min_correlation: float = Field(default=0.8, ge=-1, le=1)
    low_agreement_below: float = Field(default=0.5, ge=0, le=1)
    final_qa_rate: float = Field(default=0.0, ge=0, le=1)
    removal_grace_days: int = Field(default=7, ge=1, le=90)
    # dispatch: open-pool claims an expert may make per rolling hour (None: no limit, for a
    # team the requester trusts), and how long a reservation outlives the expert's window
    pool_claims_per_hour: int | None = Field(default=60, ge=0, le=100_000)
    reservation_grace_minutes: int = Field(default=60, ge=0, le=24 * 60)
