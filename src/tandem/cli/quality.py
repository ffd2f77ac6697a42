"""`tandem aggregate`, `tandem agreement` and `tandem quality …`."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import typer
from rich.table import Table

from tandem.cli.common import actor_by_email, console, err_console, unit_of_work
from tandem.cli.project import _owner_email
from tandem.kit.errors import TandemError
from tandem.quality import service as quality_service
from tandem.quality.labels_csv import LabelFile, numeric_values, read_labels, write_aggregates
from tandem.quality.schemas import QualityReport
from tandem.quality.stats import METHODS, aggregate
from tandem.quality.stats.agreement import (
    LEVELS,
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
)

quality_app = typer.Typer(help="Quality: aggregates, agreement and trust.", no_args_is_help=True)


def _load(path: Path) -> LabelFile:
    try:
        with console.status(f"reading {path.name}…"), path.open(encoding="utf-8-sig") as f:
            return read_labels(f)
    except TandemError as exc:
        err_console.print(f"[red]error:[/red] {exc.detail}")
        for error in exc.errors[:20]:
            err_console.print(f"  {', '.join(str(p) for p in error['loc'])}: {error['msg']}")
        raise typer.Exit(code=1) from None


def aggregate_command(
    labels: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV item,worker,label"),
    method: str = typer.Option("auto", help=f"One of {', '.join(METHODS)}"),
    out: Path | None = typer.Option(None, "--out", help="Output CSV (default: stdout)"),
) -> None:
    """Infer one label per item from crowd labels; writes item,label,confidence."""
    if method not in METHODS:
        raise typer.BadParameter(f"use one of {', '.join(METHODS)}", param_hint="--method")
    file = _load(labels)
    with console.status(f"aggregating {file.labels.size:,} labels with {method}…"):
        result = aggregate(file.labels, method)
    if out is None:
        write_aggregates(sys.stdout, file, result)
        return
    with out.open("w", encoding="utf-8", newline="") as f:
        write_aggregates(f, file, result)
    console.print(f"wrote {len(file.items):,} items to {out} (method {result.method})")


def agreement_command(
    labels: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV item,worker,label"),
) -> None:
    """Print Krippendorff's alpha, Fleiss' kappa and mean pairwise Cohen's kappa."""
    file = _load(labels)
    data = file.labels
    table = Table(title=f"Agreement over {data.size:,} labels, {data.n_items:,} items")
    table.add_column("statistic")
    table.add_column("value", justify="right")
    with console.status("computing agreement…"):
        values = numeric_values(file.names)
        levels = LEVELS if values is not None else ("nominal",)
        for level in levels:
            coded = values[data.label] if values is not None else data.label.astype(np.float64)
            alpha = krippendorff_alpha(data.item, coded, level)
            table.add_row(f"Krippendorff's alpha ({level})", f"{alpha:.4f}")
        table.add_row("Fleiss' kappa", f"{fleiss_kappa(data):.4f}")
        pairs = cohen_kappa_pairs(data)
        table.add_row(f"Cohen's kappa (mean of {len(pairs.kappa):,} pairs)", f"{pairs.mean():.4f}")
    console.print(table)


def _print_report(report: QualityReport) -> None:
    questions = Table(title=f"Project {report.project_id}: questions")
    for column in ("question", "type", "labels", "items", "method", "alpha", "Fleiss", "Cohen"):
        questions.add_column(column)
    for q in report.questions:
        questions.add_row(
            q.question_id,
            q.type,
            str(q.labels),
            str(q.items),
            q.method or "-",
            *(
                f"{v:.3f}" if v is not None else "-"
                for v in (q.alpha, q.fleiss_kappa, q.cohen_kappa)
            ),
        )
    experts = Table(title="Experts (pseudonyms)")
    for column in ("expert", "trust", "gold", "consensus accuracy"):
        experts.add_column(column)
    for e in report.experts:
        consensus = f"{e.consensus_accuracy:.3f}" if e.consensus_accuracy is not None else "-"
        experts.add_row(e.expert, f"{e.score:.3f}", f"{e.gold_correct}/{e.gold_seen}", consensus)
    console.print(questions)
    console.print(experts)


@quality_app.command("run")
def quality_run(
    project: int = typer.Argument(..., help="Project id"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Recompute and store the project's aggregates and trust scores."""
    email = _owner_email(project, as_user)
    with console.status("recomputing aggregates and trust…"), unit_of_work() as db:
        report = quality_service.recompute(db, actor_by_email(db, email), project)
    _print_report(report)


@quality_app.command("report")
def quality_report(
    project: int = typer.Argument(..., help="Project id"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Print agreement per question and trust per expert (Rich tables)."""
    email = _owner_email(project, as_user)
    with unit_of_work() as db:
        report = quality_service.report(db, actor_by_email(db, email), project)
    _print_report(report)


def register(app: typer.Typer) -> None:
    """Add `aggregate`, `agreement` and the `quality` sub-app to the main CLI."""
    app.command("aggregate")(aggregate_command)
    app.command("agreement")(agreement_command)
    app.add_typer(quality_app, name="quality")
