"""Project request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tandem.kit.ids import RowId
from tandem.projects.pay_terms import PayTerms, QualityPolicy


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: RowId
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    guidelines: str = ""
    form: dict[str, Any]
    overlap: int = Field(default=1, ge=1, le=50)
    time_estimate_seconds: int = Field(default=300, ge=10, le=8 * 3600)
    pay_terms: PayTerms
    quality_policy: QualityPolicy = Field(default_factory=QualityPolicy)
    required_skills: dict[str, int] = Field(default_factory=dict)
    required_languages: list[str] = Field(default_factory=list)


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    guidelines: str | None = None
    form: dict[str, Any] | None = None
    overlap: int | None = Field(default=None, ge=1, le=50)
    time_estimate_seconds: int | None = Field(default=None, ge=10, le=8 * 3600)
    pay_terms: PayTerms | None = None
    quality_policy: QualityPolicy | None = None
    required_skills: dict[str, int] | None = None
    required_languages: list[str] | None = None


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    name: str
    description: str
    guidelines: str
    status: str
    form: dict[str, Any]
    overlap: int
    time_estimate_seconds: int
    pay_terms: dict[str, Any]
    quality_policy: dict[str, Any]
    required_skills: dict[str, int]
    required_languages: list[str]
    created_at: datetime
    went_live_at: datetime | None


class ProjectProgress(BaseModel):
    items: int
    complete: int
    submissions: int


class ImportResult(BaseModel):
    project_id: int
    imported: int
