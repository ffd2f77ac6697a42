"""`tandem pay …`: the pay run, FX rates, reversals and payslips."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tandem.cli.common import console, unit_of_work
from tandem.kit.clock import utcnow
from tandem.pay import payrun, service
from tandem.pay.periods import parse_period, week_of
from tandem.pay.policy import load_policy

app = typer.Typer(help="Pay: run pay, FX rates, reversals.", no_args_is_help=True)


def _last_week() -> str:
    return week_of(utcnow().date() - timedelta(days=7)).label


@app.command("run")
def run(
    period: str | None = typer.Option(None, help="2026-W47 (default: last week), 2026-11, or a..b"),
    policy: Path | None = typer.Option(None, exists=True, dir_okay=False, help="Pay policy JSON"),
) -> None:
    """Pay a period: work, floor top-ups and bonuses. Idempotent; all or nothing."""
    chosen = parse_period(period or _last_week())
    rules = load_policy(policy)
    with (
        Progress(
            TextColumn(f"[bold]pay {chosen.label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
        unit_of_work() as db,
    ):
        task = bar.add_task("pay", total=None)

        def tick(done: int, total: int) -> None:
            if done % 500 == 0 or done == total:
                bar.update(task, completed=done, total=total)

        result = payrun.run_pay(db, chosen, rules, progress=tick)
    console.print(
        f"pay run {result.run_id} for {result.period}: {result.pairs} expert-project pairs, "
        f"{result.entries_written} entries written, {result.entries_already_there} already paid"
    )


@app.command("fx")
def fx(
    base: str = typer.Argument(..., help="e.g. EUR"),
    quote: str = typer.Argument(..., help="e.g. USD"),
    rate: str = typer.Argument(..., help="units of QUOTE for one BASE, e.g. 1.0850"),
    on: str = typer.Option(None, help="valid from this day (default: today)"),
    source: str = typer.Option("", help="where the rate comes from"),
) -> None:
    """Add a dated FX rate."""
    valid_on = date.fromisoformat(on) if on else utcnow().date()
    with unit_of_work() as db:
        row = service.set_fx_rate(db, base, quote, valid_on, rate, source)
        console.print(f"1 {row.base} = {row.rate} {row.quote} from {row.valid_on}")


@app.command("reverse")
def reverse(
    entry: int = typer.Argument(..., help="Ledger entry id"),
    reason: str = typer.Option(..., help="Why; the expert reads this"),
) -> None:
    """Cancel a ledger entry with a reversing entry (entries are never changed)."""
    with unit_of_work() as db:
        row = service.reverse_entry(db, entry, reason)
        console.print(f"entry {row.id} reverses {entry}: {row.amount_minor} {row.currency}")
