"""`tandem dispatch …`: run the fair allocator, show a project's dispatch status."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tandem.cli.common import console, unit_of_work
from tandem.dispatch import allocator, repository
from tandem.dispatch.reservations import dispatch_status
from tandem.kit.clock import utcnow
from tandem.models import Project

app = typer.Typer(help="Dispatch: fair allocation and status.", no_args_is_help=True)


def _project(db: Session, project_id: int) -> Project:
    project = db.get(Project, project_id)
    if project is None:
        raise typer.BadParameter(f"no project {project_id}", param_hint="PROJECT")
    return project


@app.command("allocate")
def allocate(
    project: int | None = typer.Argument(None, help="Project id (default: all live)"),
) -> None:
    """Reserve work for each eligible expert inside their own hours (idempotent)."""
    with unit_of_work() as db:
        projects = [_project(db, project)] if project else repository.live_projects(db)
        with console.status("allocating…"):
            results = [allocator.allocate(db, p, utcnow()) for p in projects]
    table = Table("project", "experts", "released", "reserved", "open pool")
    for r in results:
        table.add_row(
            str(r.project_id),
            str(r.experts),
            str(r.released),
            str(r.reserved),
            str(r.open_pool_slots),
        )
    console.print(table)


@app.command("status")
def status(project: int = typer.Argument(..., help="Project id")) -> None:
    """Reservations, open pool, leases and throughput of a project."""
    with unit_of_work() as db:
        out = dispatch_status(db, _project(db, project))
    table = Table("measure", "value", title=f"dispatch status of project {project}")
    for name, value in out.model_dump(exclude={"assignments_by_status"}).items():
        table.add_row(name.replace("_", " "), str(value))
    for state, count in sorted(out.assignments_by_status.items()):
        table.add_row(f"assignments {state}", str(count))
    console.print(table)
