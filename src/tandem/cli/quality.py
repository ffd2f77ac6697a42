"""`tandem aggregate`, `tandem agreement` and `tandem quality …`."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import typer
from rich.progress import Progress
from rich.table import Table

from tandem.cli.common import actor_by_email, console, err_console, unit_of_work
from tandem.cli.project import _owner_email
from tandem.kit.clock import utcnow
from tandem.kit.errors import TandemError
from tandem.models import Project
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


def _num(v: float | None, digits: int = 3) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    return table


def _questions_table(report: QualityReport) -> Table:
    columns = ("question", "type", "labels", "items", "method", "alpha", "Fleiss", "Cohen")
    table = _table(f"Project {report.project_id}: agreement per question", columns)
    for q in report.questions:
        agreement = (_num(v) for v in (q.alpha, q.fleiss_kappa, q.cohen_kappa))
        table.add_row(
            q.question_id, q.type, str(q.labels), str(q.items), q.method or "-", *agreement
        )
    return table


def _experts_table(report: QualityReport) -> Table:
    columns = ("expert", "trust", "gold", "gold acc.", "consensus acc.", "reliability")
    table = _table("Experts (pseudonyms)", columns)
    for e in report.experts:
        table.add_row(
            e.expert,
            _num(e.score),
            f"{e.gold_correct}/{e.gold_seen}",
            _num(e.gold_accuracy),
            _num(e.consensus_accuracy),
            _num(e.reliability),
        )
    return table


def _confusion_tables(report: QualityReport) -> list[Table]:
    tables = []
    for m in report.confusion:
        who = f" — {m.expert}" if m.expert else " — all experts"
        table = Table(title=f"{m.question_id}: {m.reference} (rows) vs answers{who}")
        table.add_column(m.reference)
        for label in m.labels:
            table.add_column(label, justify="right")
        for label, row in zip(m.labels, m.counts, strict=True):
            table.add_row(label, *(str(n) for n in row))
        tables.append(table)
    return tables


def _leaderboard_tables(report: QualityReport) -> list[Table]:
    tables = []
    for board in report.leaderboards:
        title = f"{board.question_id}: Bradley-Terry leaderboard ({board.players_from})"
        table = _table(title, ("#", "player", "Elo", "95% interval", "comparisons"))
        for rank, e in enumerate(board.entries, start=1):
            interval = f"{_num(e.lower, 0)} – {_num(e.upper, 0)}"
            table.add_row(str(rank), e.player, f"{e.elo:.0f}", interval, str(e.comparisons))
        tables.append(table)
    return tables


def _skills_table(report: QualityReport) -> Table:
    title = "Trust per skill (Beta posterior over gold, this organization)"
    table = _table(title, ("skill", "expert", "projects", "gold", "mean", "95% interval"))
    for s in report.skills:
        interval = f"{s.lower:.3f} – {s.upper:.3f}"
        gold = f"{s.gold_correct}/{s.gold_seen}"
        table.add_row(s.skill, s.expert, str(s.projects), gold, f"{s.mean:.3f}", interval)
    return table


def _print_report(report: QualityReport) -> None:
    when = report.computed_at.isoformat() if report.computed_at else "never"
    stale = " [yellow](stale: new submissions since)[/yellow]" if report.stale else ""
    console.print(f"computed: {when}{stale}")
    console.print(_questions_table(report))
    console.print(_experts_table(report))
    for table in [*_confusion_tables(report), *_leaderboard_tables(report)]:
        console.print(table)
    if report.skills:
        console.print(_skills_table(report))


def _run_stale(method: str) -> None:
    with unit_of_work() as db:
        ids = quality_service.stale_project_ids(db)
    with Progress(console=console) as progress:
        task = progress.add_task("recomputing stale projects", total=len(ids))
        for project_id in ids:
            with unit_of_work() as db:  # one transaction per project: a failure keeps the rest
                project = db.get(Project, project_id)
                if project is not None:
                    quality_service.recompute_project(db, project, utcnow(), method)
            progress.advance(task)
    console.print(f"recomputed {len(ids)} stale project(s)")


@quality_app.command("run")
def quality_run(
    project: int | None = typer.Argument(None, help="Project id (default: every stale project)"),
    method: str = typer.Option("auto", help=f"One of {', '.join(METHODS)}"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Recompute aggregates, trust and the report: one project, or every stale one."""
    if method not in METHODS:
        raise typer.BadParameter(f"use one of {', '.join(METHODS)}", param_hint="--method")
    if project is None:
        _run_stale(method)
        return
    email = _owner_email(project, as_user)
    with console.status("recomputing aggregates and trust…"), unit_of_work() as db:
        report = quality_service.recompute(db, actor_by_email(db, email), project, method)
    _print_report(report)


@quality_app.command("report")
def quality_report(
    project: int = typer.Argument(..., help="Project id"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Print the stored report: agreement, experts, confusion matrices, leaderboards (Rich)."""
    email = _owner_email(project, as_user)
    with unit_of_work() as db:
        report = quality_service.report(db, actor_by_email(db, email), project)
    _print_report(report)


def register(app: typer.Typer) -> None:
    """Add `aggregate`, `agreement` and the `quality` sub-app to the main CLI."""
    app.command("aggregate")(aggregate_command)
    app.command("agreement")(agreement_command)
    app.add_typer(quality_app, name="quality")
