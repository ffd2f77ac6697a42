"""Typed dependencies for the caller: bearer token or session cookie."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from tandem.auth import service
from tandem.auth.actor import Actor
from tandem.db.deps import SessionDep
from tandem.kit.errors import PermissionDenied, TandemError, Unauthorized
from tandem.models import Expert

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


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


CurrentActor = Annotated[Actor, Depends(get_api_actor)]
WebActor = Annotated[Actor, Depends(get_web_actor)]
CurrentExpert = Annotated[Expert, Depends(get_expert)]
