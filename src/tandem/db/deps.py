"""The request's unit of work: one session, committed before the response is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

SessionUnit = Callable[[], AbstractContextManager[Session]]


@contextmanager
def committed_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session; commit on success, roll back on error, close in any case."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; commit on success, roll back on error."""
    with committed_session(request.app.state.sessionmaker) as session:
        yield session


# scope="function": the commit runs before the response leaves, so a 200 means durable.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]
