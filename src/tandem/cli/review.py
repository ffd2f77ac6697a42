"""`tandem review …`: the queue, verdicts, appeal windows and the audit log."""

from __future__ import annotations

import typer
from rich.table import Table

from tandem.cli.common import actor_by_email, console, unit_of_work
from tandem.models.enums import ReviewVerdict
from tandem.review import appeals, audit, service
from tandem.review.schemas import Reason, ReviewIn

app = typer.Typer(help="Review: queue, verdicts, appeals, audit log.", no_args_is_help=True)


@app.command("queue")
def queue(
    as_user: str = typer.Option(..., "--as", help="Reviewer email"),
    project: int | None = typer.Option(None, help="Only this project"),
) -> None:
    """List the open review tasks the reviewer may take."""
    with unit_of_work() as db:
        entries = service.review_queue(db, actor_by_email(db, as_user), project)
    table = Table(title=f"Review queue ({len(entries)})")
    for column in ("task", "project", "submission", "stage", "expert", "flags"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            str(e.task_id),
            str(e.project_id),
            str(e.submission_id),
            str(e.stage),
            e.expert,
            ", ".join(e.flags),
        )
    console.print(table)


@app.command("decide")
def decide(
    task: int = typer.Argument(..., help="Review task id"),
    verdict: ReviewVerdict = typer.Option(..., help="accept, reject or fix"),
    reason: list[Reason] = typer.Option([], "--reason", help="Structured reason (repeatable)"),
    feedback: str = typer.Option("", help="Feedback the expert reads"),
    as_user: str = typer.Option(..., "--as", help="Reviewer email"),
) -> None:
    """Accept or reject a queued submission (fixes need the API or the web page)."""
    if verdict is ReviewVerdict.FIX:
        raise typer.BadParameter("a fix needs a corrected response: use the API or /review")
    body = ReviewIn(verdict=verdict, reasons=reason, feedback=feedback)
    with unit_of_work() as db:
        review = service.decide(db, actor_by_email(db, as_user), task, body)
        review_id = review.id
    console.print(f"review {review_id}: [bold]{verdict}[/bold] on task {task}")


@app.command("verdicts")
def verdicts(as_user: str = typer.Option(..., "--as", help="Expert email")) -> None:
    """An expert's verdicts with reasons and appeal deadlines."""
    with unit_of_work() as db:
        rows = service.my_verdicts(db, actor_by_email(db, as_user))
    table = Table(title="Verdicts")
    for column in ("review", "submission", "verdict", "reasons", "status", "appeal until"):
        table.add_column(column)
    for v in rows:
        until = f"{v.appeal_deadline:%Y-%m-%d}" if v.can_appeal and v.appeal_deadline else ""
        table.add_row(
            str(v.review_id),
            str(v.submission_id),
            v.verdict,
            ", ".join(v.reasons),
            v.appeal_status or v.submission_status,
            until,
        )
    console.print(table)


@app.command("audit")
def audit_log(as_user: str = typer.Option(..., "--as", help="Expert email")) -> None:
    """The decisions that concern an expert: who, when, what, why."""
    with unit_of_work() as db:
        events = audit.my_events(db, actor_by_email(db, as_user))
    table = Table(title="Audit log")
    for column in ("when", "who", "what", "why"):
        table.add_column(column)
    for e in events:
        what = f"{e.action} {e.subject_type} {e.subject_id}"
        table.add_row(f"{e.at:%Y-%m-%d %H:%M}", e.who, what, e.reason)
    console.print(table)


@app.command("close-windows")
def close_windows() -> None:
    """Make rejections final whose 14-day appeal window closed (idempotent; run daily)."""
    with console.status("closing lapsed appeal windows…"), unit_of_work() as db:
        count = appeals.close_appeal_windows(db)
    console.print(f"{count} rejections became final")
