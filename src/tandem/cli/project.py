"""`tandem project …`: import and export."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from tandem.cli.common import actor_by_email, console, unit_of_work
from tandem.export import label_studio_import
from tandem.export import service as export_service
from tandem.export.schemas import LEGACY_FORMAT, ExportOptions
from tandem.items import service as item_service
from tandem.items.parsing import detect_format
from tandem.models import Project

app = typer.Typer(help="Projects: import items, export data.", no_args_is_help=True)


def _owner_email(project_id: int, as_user: str | None) -> str:
    if as_user:
        return as_user
    from tandem.models import User

    with unit_of_work() as db:
        project = db.get(Project, project_id)
        if project is None:
            raise typer.BadParameter(f"no project {project_id}", param_hint="PROJECT")
        return db.get_one(User, project.created_by).email


@app.command("import")
def import_items(
    project: int = typer.Argument(..., help="Project id"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=".jsonl or .csv"),
    fmt: str | None = typer.Option(None, "--format", help="jsonl or csv (default: from name)"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Import items from a file, all or nothing, with a progress bar."""
    email = _owner_email(project, as_user)
    size = os.path.getsize(file)
    with (
        Progress(
            TextColumn("[bold]import"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
        unit_of_work() as db,
        file.open("rb") as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as stream,
    ):
        task = bar.add_task("import", total=size)
        count = item_service.import_items(
            db,
            actor_by_email(db, email),
            project,
            stream,
            fmt or detect_format(file.name),
            on_progress=lambda _rows: bar.update(task, completed=raw.tell()),
        )
        bar.update(task, completed=size)
    console.print(f"imported [bold]{count}[/bold] items into project {project}")


def _progress(unit: str) -> Progress:
    return Progress(
        TextColumn("[bold]export"),
        SpinnerColumn(),
        BarColumn(),
        TextColumn(f"{{task.completed}} {unit}"),
        TimeElapsedColumn(),
        console=console,
    )


@app.command("export")
def export(
    project: int = typer.Argument(..., help="Project id"),
    fmt: str = typer.Option(
        "jsonl",
        "--format",
        help="jsonl (per-item dump), sft, dpo, reward, labels, raw, label-studio",
    ),
    out: Path = typer.Option(..., "--out", help="jsonl: the file; datasets: a directory"),
    file: str | None = typer.Option(None, "--file", help="jsonl or parquet (label-studio: json)"),
    accepted_only: bool = typer.Option(False, "--accepted-only", help="Accepted submissions only"),
    min_agreement: float | None = typer.Option(None, "--min-agreement", help="0..1, per item"),
    since: datetime | None = typer.Option(None, "--since", help="Submitted at or after (UTC)"),
    until: datetime | None = typer.Option(None, "--until", help="Submitted before (UTC)"),
    keep_ties: bool = typer.Option(False, "--keep-ties", help="dpo: keep tied pairs"),
    prompt_field: str = typer.Option(
        "prompt", "--prompt-field", help="Payload field of the prompt"
    ),
    response_field: str = typer.Option("response", "--response-field", help="reward: response"),
    method: str = typer.Option("auto", "--method", help="labels: truth-inference method"),
    license: str = typer.Option("other", "--license", help="Licence named in the card"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Export a dataset (data file + README.md card), or the per-item JSONL dump."""
    email = _owner_email(project, as_user)
    if fmt == LEGACY_FORMAT:
        _export_legacy(project, email, out)
        return
    opts = ExportOptions(
        fmt, file or ("json" if fmt == "label-studio" else "jsonl"), accepted_only,
        min_agreement, _utc(since), _utc(until), keep_ties, prompt_field, response_field,
        method, license,
    )  # fmt: skip
    with _progress("rows") as bar, unit_of_work() as db:
        task = bar.add_task("export", total=None)
        result = export_service.export_to_directory(
            db,
            actor_by_email(db, email),
            project,
            opts,
            out,
            on_progress=lambda n: bar.update(task, completed=n),
        )
    console.print(
        f"wrote {result.stats.rows} rows to {out / opts.filename} and {out / 'README.md'}"
    )


def _utc(moment: datetime | None) -> datetime | None:
    # a time without a zone on the command line means UTC, as everywhere in the database
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _export_legacy(project: int, email: str, out: Path) -> None:
    with (
        _progress("items") as bar,
        unit_of_work() as db,
        out.open("w", encoding="utf-8") as stream,
    ):
        task = bar.add_task("export", total=None)
        count = export_service.export_project(
            db,
            actor_by_email(db, email),
            project,
            LEGACY_FORMAT,
            stream,
            on_progress=lambda n: bar.update(task, completed=n),
        )
    console.print(f"wrote {count} items to {out}")


@app.command("import-label-studio")
def import_label_studio(
    project: int = typer.Argument(..., help="Project id"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Label Studio JSON export"),
    gold_from: str = typer.Option(
        "ground_truth", "--gold-from", help="ground_truth, or first (first completed annotation)"
    ),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Import a Label Studio JSON export: tasks become items, all or nothing."""
    email = _owner_email(project, as_user)
    with unit_of_work() as db, file.open(encoding="utf-8-sig") as stream:
        result = label_studio_import.import_label_studio(
            db, actor_by_email(db, email), project, stream, gold_from
        )
    console.print(
        f"imported [bold]{result.items}[/bold] tasks into project {project} "
        f"({result.gold} with gold, {result.annotations_skipped} annotations not stored)"
    )
