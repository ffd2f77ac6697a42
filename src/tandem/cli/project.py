"""`tandem project …`: import and export."""

from __future__ import annotations

import io
import os
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tandem.cli.common import actor_by_email, console, unit_of_work
from tandem.export import service as export_service
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


@app.command("export")
def export(
    project: int = typer.Argument(..., help="Project id"),
    fmt: str = typer.Option("jsonl", "--format"),
    out: Path = typer.Option(..., "--out", help="Output file"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (default: owner)"),
) -> None:
    """Export every submission and the majority answers."""
    email = _owner_email(project, as_user)
    with (
        Progress(
            TextColumn("[bold]export"),
            TextColumn("{task.completed} items"),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
        unit_of_work() as db,
        out.open("w", encoding="utf-8") as stream,
    ):
        task = bar.add_task("export", total=None)
        count = export_service.export_project(
            db,
            actor_by_email(db, email),
            project,
            fmt,
            stream,
            on_progress=lambda n: bar.update(task, completed=n),
        )
    console.print(f"wrote {count} items to {out}")
