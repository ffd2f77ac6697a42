"""The `tandem` command."""

from __future__ import annotations

import typer
from rich.table import Table

from tandem.auth import service as auth
from tandem.cli import dispatch, pay, project, quality, review
from tandem.cli.common import console, unit_of_work
from tandem.config import get_settings
from tandem.models.enums import Role
from tandem.orgs.service import get_or_create_org

app = typer.Typer(help="Tandem: fair expert human-data work for AI training.", no_args_is_help=True)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
user_app = typer.Typer(help="User commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(project.app, name="project")
app.add_typer(dispatch.app, name="dispatch")
app.add_typer(pay.app, name="pay")
app.add_typer(review.app, name="review")
quality.register(app)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to the configured database."""
    from tandem.db.migrate import upgrade

    upgrade(revision=revision)
    console.print(f"database at [bold]{revision}[/bold]: {get_settings().resolved_database_url()}")


@user_app.command("create")
def user_create(
    email: str = typer.Argument(...),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    name: str = typer.Option("", help="Display name"),
    org: str | None = typer.Option(None, help="Organization slug (created if missing)"),
    role: Role = typer.Option(Role.REQUESTER, help="Role in --org"),
    operator: bool = typer.Option(False, help="Platform operator"),
) -> None:
    """Create a user, optionally with a role in an organization."""
    with unit_of_work() as db:
        user = auth.create_user(db, email, password, name)
        user.is_operator = operator
        if org:
            auth.grant_role(db, get_or_create_org(db, org).id, user.id, role)
    console.print(f"created user {email}" + (f" ({role} in {org})" if org else ""))


@app.command()
def demo() -> None:
    """Load the demo (idempotent) and print its logins and API tokens."""
    from tandem.demo import load_demo

    with unit_of_work() as db:
        logins = load_demo(db)
    settings = get_settings()
    table = Table(title="Tandem demo logins", show_lines=False)
    table.add_column("who")
    table.add_column("email")
    table.add_column("password")
    table.add_row("requester", logins.requester, logins.password)
    for email in logins.experts:
        table.add_row("expert", email, logins.password)
    console.print(table)
    console.print(f"demo project id: [bold]{logins.project_id}[/bold]")
    console.print(f"requester API token: [bold]{logins.requester_token}[/bold]")
    console.print(f"expert API token ({logins.experts[0]}): [bold]{logins.expert_token}[/bold]")
    console.print(f"open http://{settings.host}:{settings.port}/ and log in; API docs at /api/docs")


@app.command()
def serve(
    host: str | None = typer.Option(None),
    port: int | None = typer.Option(None),
    workers: int = typer.Option(1, min=1, help="Worker processes; the scheduler runs in one."),
    access_log: bool = typer.Option(True, help="Log every request."),
) -> None:
    """Serve the web UI and the API."""
    import uvicorn

    settings = get_settings()
    # made here, once: workers started together would each write a key of their own
    settings.resolved_secret_key()
    settings.resolved_database_url()
    host, port = host or settings.host, port or settings.port
    # one import string for one worker or many (one worker runs in this process)
    app = "tandem.app:serve_app"
    uvicorn.run(
        app,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        access_log=access_log,
        timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
    )


if __name__ == "__main__":
    app()
