"""Shared CLI plumbing: a unit of work per command, errors printed plainly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from tandem.auth import repository as auth_repo
from tandem.auth import service as auth
from tandem.auth.actor import Actor
from tandem.db.session import get_sessionmaker
from tandem.kit.errors import TandemError

console = Console()
err_console = Console(stderr=True)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One session per command, committed at the end, rolled back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except TandemError as exc:
        session.rollback()
        err_console.print(f"[red]error:[/red] {exc.detail}")
        for error in exc.errors[:20]:
            err_console.print(f"  {'.'.join(str(p) for p in error['loc'])}: {error['msg']}")
        raise typer.Exit(code=1) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def actor_by_email(db: Session, email: str) -> Actor:
    """Act as the given user (the CLI runs with operator rights on the machine)."""
    user = auth_repo.user_by_email(db, email)
    if user is None:
        raise TandemError(f"no user with email {email}")
    return auth.actor_for(db, user)
