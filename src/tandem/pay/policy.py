"""The pay policy as data: minimum wages by country and quality bonus rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tandem.kit.errors import ValidationFailed, field_error

DEFAULT_POLICY = Path(__file__).parent / "data" / "policy.json"
ANY_COUNTRY = "*"


class MinimumWage(BaseModel):
    """A country's hourly minimum wage from a date on."""

    country: str = Field(pattern=r"^([A-Z]{2}|\*)$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    hourly_minor: int = Field(ge=0)
    valid_from: date
    source: str = ""


class QualityBonusRule(BaseModel):
    """A bonus of `percent_of_work` % of work pay when enough reviewed work was accepted."""

    name: str
    min_reviewed: int = Field(ge=1)
    min_accepted_share: float = Field(ge=0, le=1)
    percent_of_work: int = Field(ge=0, le=100)


class PayPolicy(BaseModel):
    model_config = ConfigDict(extra="ignore")

    minimum_wages: list[MinimumWage]
    quality_bonuses: list[QualityBonusRule] = []

    def minimum_for(self, country: str, on: date) -> MinimumWage | None:
        """The country's wage in force on `on`, else the '*' row, else None."""
        for wanted in (country.upper(), ANY_COUNTRY):
            rows = [w for w in self.minimum_wages if w.country == wanted and w.valid_from <= on]
            if rows:
                return max(rows, key=lambda w: w.valid_from)
        return None


def load_policy(path: Path | None = None) -> PayPolicy:
    """Read a policy file (the shipped one by default); errors name the field."""
    source = path or DEFAULT_POLICY
    try:
        return PayPolicy.model_validate(json.loads(source.read_text()))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"cannot read pay policy {source}: {exc}") from None
    except ValidationError as exc:
        errors = [field_error([str(p) for p in e["loc"]], e["msg"]) for e in exc.errors()]
        raise ValidationFailed(f"invalid pay policy {source}", errors=errors) from None
