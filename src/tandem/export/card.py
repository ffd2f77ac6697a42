"""The dataset card: a Hugging Face style README.md written beside the data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from tandem.export.schemas import ExportOptions, ExportStats
from tandem.kit.money import Money
from tandem.models import Project

TASKS = {
    "sft": "text-generation",
    "dpo": "text-generation",
    "reward": "text-classification",
    "labels": "text-classification",
    "raw": "other",
    "label-studio": "other",
}


def size_category(rows: int) -> str:
    """The Hub's size bucket for a row count."""
    for bound, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):  # fmt: skip
        if rows < bound:
            return name
    return "n>10M"


def pay_summary(terms: dict[str, Any]) -> str:
    """One line on how the annotators were paid."""
    currency = terms.get("currency", "USD")

    def money(key: str) -> str:
        return str(Money(int(terms.get(key) or 0), currency))

    model = terms.get("model")
    if model == "hourly":
        text = f"hourly, {money('hourly_rate_minor')} an hour"
    elif model == "per_item_with_floor":
        floor = money("floor_hourly_minor")
        text = f"{money('per_item_minor')} per item with a floor of {floor} an hour"
    else:
        text = f"{money('per_item_minor')} per item"
    if terms.get("completion_bonus_minor"):
        text += f", completion bonus {money('completion_bonus_minor')}"
    return text


def render(
    project: Project,
    opts: ExportOptions,
    stats: ExportStats,
    schema: pa.Schema | None,
    when: datetime,
) -> str:
    """The README.md text for this export."""
    agreement = stats.mean_agreement
    header = "\n".join(
        [
            "---",
            f"license: {opts.license}",
            "task_categories:",
            f"- {TASKS[opts.format]}",
            "size_categories:",
            f"- {size_category(stats.rows)}",
            "configs:",
            "- config_name: default",
            f"  data_files: {opts.filename}",
            "---",
        ]
    )
    filters = _filters(opts)
    columns = (
        "\n".join(f"- `{f.name}`: {f.type}" for f in schema) if schema else "- Label Studio tasks"
    )
    return f"""{header}

# {project.name} — `{opts.format}` export

Exported from Tandem project {project.id} on {when.isoformat(timespec="seconds")}.

{project.description or ""}

## Contents

| | |
|---|---|
| rows | {stats.rows} |
| items | {stats.items} |
| submissions | {stats.submissions} |
| annotators | {len(stats.annotators)} |
| mean agreement (majority share per item) | {"n/a" if agreement is None else f"{agreement:.3f}"} |
| file | `{opts.filename}` |
| filters | {filters} |

Columns:

{columns}

## Collection

Annotators are vetted experts identified only by stable pseudonyms. Pay terms:
{pay_summary(project.pay_terms)}.
Each item was answered by up to {project.overlap} annotators.

## Licence

{opts.license}
"""


def _filters(opts: ExportOptions) -> str:
    parts = []
    if opts.accepted_only:
        parts.append("accepted submissions only")
    if opts.min_agreement is not None:
        parts.append(f"agreement ≥ {opts.min_agreement}")
    if opts.since:
        parts.append(f"from {opts.since.isoformat()}")
    if opts.until:
        parts.append(f"before {opts.until.isoformat()}")
    if opts.format == "dpo":
        parts.append("ties kept" if opts.keep_ties else "ties dropped")
    return ", ".join(parts) or "none"
