"""Export options and what an export reports back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tandem.kit.errors import ValidationFailed, field_error

DATASET_FORMATS = ("sft", "dpo", "reward", "labels", "raw", "label-studio")
# the original one-line-per-item dump; kept as is for existing clients
LEGACY_FORMAT = "jsonl"
FORMATS = (LEGACY_FORMAT, *DATASET_FORMATS)
FILE_TYPES = ("jsonl", "parquet", "json")


@dataclass(frozen=True)
class ExportOptions:
    """What to export, in which container, and which submissions count."""

    format: str
    file: str = "jsonl"
    accepted_only: bool = False
    min_agreement: float | None = None
    since: datetime | None = None
    until: datetime | None = None
    keep_ties: bool = False
    prompt_field: str = "prompt"
    response_field: str = "response"
    method: str = "auto"
    license: str = "other"

    def checked(self) -> ExportOptions:
        """These options, or ValidationFailed naming the bad one."""
        errors = []
        if self.format not in DATASET_FORMATS:
            errors.append(field_error(["format"], f"use one of {', '.join(FORMATS)}"))
        allowed = ("json",) if self.format == "label-studio" else ("jsonl", "parquet")
        if self.file not in allowed:
            errors.append(
                field_error(["file"], f"{self.format} is written as {' or '.join(allowed)}")
            )
        if self.min_agreement is not None and not 0.0 <= self.min_agreement <= 1.0:
            errors.append(field_error(["min_agreement"], "must be between 0 and 1"))
        if self.since and self.until and self.since >= self.until:
            errors.append(field_error(["since"], "must be before until"))
        if errors:
            raise ValidationFailed("invalid export options", errors=errors)
        return self

    @property
    def filename(self) -> str:
        """The data file's name, e.g. dpo.parquet."""
        return f"{self.format.replace('-', '_')}.{self.file}"


@dataclass
class ExportStats:
    """Figures gathered while writing, for the dataset card."""

    rows: int = 0
    items: int = 0
    submissions: int = 0
    annotators: set[int] = field(default_factory=set)
    agreement_sum: float = 0.0
    agreement_n: int = 0

    def add_agreement(self, value: float | None) -> None:
        """Count one item's agreement (None: nothing measurable)."""
        if value is not None:
            self.agreement_sum += value
            self.agreement_n += 1

    @property
    def mean_agreement(self) -> float | None:
        """Mean agreement over the exported items that have one."""
        return self.agreement_sum / self.agreement_n if self.agreement_n else None
