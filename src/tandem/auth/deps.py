"""Typed dependencies for the caller: bearer token or session cookie."""

from __future__ import annotations

import asyncio
import contextvars
import secrets
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tandem.auth import service
from tandem.auth.actor import Actor
from tandem.db.deps import SessionDep, SessionUnit
from tandem.kit.errors import PermissionDenied, TandemError, Unauthorized
from tandem.models import Expert

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
T = TypeVar("T")


class LoginRequired(TandemError):
    """Raised by web views; rendered as a redirect to the login page."""

    status_code = 303
    code = "login_required"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Reject a cookie-authenticated state change without the session's token."""
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(str(expected), submitted):
        raise PermissionDenied("missing or wrong CSRF token; reload the page and try again")


def _session_actor(request: Request, db: SessionDep) -> Actor | None:
    user_id = request.session.get("user_id")
    return service.actor_for_user_id(db, int(user_id)) if user_id else None


def get_api_actor(request: Request, db: SessionDep) -> Actor:
    """The API caller: `Authorization: Bearer <token>`, or the web session plus X-CSRF-Token."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("use 'Authorization: Bearer <token>'")
        return service.actor_from_token(db, token.strip())
    actor = _session_actor(request, db)
    if actor is None:
        raise Unauthorized("log in or send an API token")
    if request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return actor


def get_web_actor(request: Request, db: SessionDep) -> Actor:
    """The logged-in web user, or a redirect to /login."""
    actor = _session_actor(request, db)
    if actor is None:
        raise LoginRequired("please log in")
    return actor


def get_expert(actor: Annotated[Actor, Depends(get_api_actor)]) -> Expert:
    return actor.require_expert()


class ApiWork:
    """A request's whole unit of work in one worker thread: session, caller, work, commit.

    The same as `SessionDep` + `CurrentActor` + a sync route, which FastAPI runs as four
    thread-pool hops (session in, caller, route, session out); on the claim and submit
    hot path those hops cost more than a statement each (docs/dispatch.md).
    """

    def __init__(self, request: Request, unit: SessionUnit, threads: Executor | None) -> None:
        self._request = request
        self._unit = unit
        self._threads = threads

    async def run(self, work: Callable[[Session, Actor], T]) -> T:
        """Run `work(db, caller)` and commit it (before the response leaves), off the loop."""
        # the app's own threads, straight from asyncio: anyio's to_thread (what FastAPI's
        # sync routes use) costs ~75,000 instructions more per hop (docs/benchmarks.md)
        in_context = partial(contextvars.copy_context().run, self._in_thread, work)
        return await asyncio.get_running_loop().run_in_executor(self._threads, in_context)

    def _in_thread(self, work: Callable[[Session, Actor], T]) -> T:
        with self._unit() as db:
            return work(db, get_api_actor(self._request, db))


def work_of(request: Request) -> ApiWork:
    """The runner of the request's unit of work (what `ApiWorkDep` gives a route)."""
    # the unit comes from the app (tests put theirs there), not from a dependency of its
    # own: on the claim → submit path each dependency FastAPI solves costs ~95,000
    # instructions a request
    state = request.app.state
    # the lifespan makes the threads; an app served without one (a bare TestClient, an
    # embedding server that skips lifespan events) uses asyncio's default executor
    return ApiWork(request, state.session_unit, getattr(state, "work_threads", None))


async def api_work(request: Request) -> ApiWork:
    # async, so FastAPI calls it on the loop: building the runner needs no thread
    return work_of(request)


CurrentActor = Annotated[Actor, Depends(get_api_actor)]
ApiWorkDep = Annotated[ApiWork, Depends(api_work)]
WebActor = Annotated[Actor, Depends(get_web_actor)]
CurrentExpert = Annotated[Expert, Depends(get_expert)]
