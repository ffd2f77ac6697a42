"""Auth web pages: log in, log out, register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tandem.auth import service
from tandem.auth.deps import check_csrf
from tandem.db.deps import SessionDep
from tandem.experts.service import create_expert
from tandem.kit.errors import TandemError
from tandem.web.render import render

router = APIRouter(include_in_schema=False)
FormStr = Annotated[str, Form()]


def _safe_next(target: str) -> str:
    # only local paths: never redirect to another site after login
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/")
def home(request: Request) -> Response:
    """Send people to their work, or to the login page."""
    return RedirectResponse("/work" if request.session.get("user_id") else "/login", 303)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The login form."""
    return render(request, "login.html", next=next)


@router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    email: FormStr,
    password: FormStr,
    csrf: FormStr,
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check credentials and start a session."""
    check_csrf(request, csrf)
    try:
        user = service.authenticate(db, email, password)
    except TandemError as exc:
        return render(
            request, "login.html", status_code=401, error=exc.detail, email=email, next=next
        )
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: FormStr) -> Response:
    """End the session."""
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/register")
def register_page(request: Request) -> Response:
    """The expert registration form."""
    return render(request, "register.html")


@router.post("/register")
def register(
    request: Request,
    db: SessionDep,
    email: FormStr,
    password: FormStr,
    display_name: FormStr,
    csrf: FormStr,
    time_zone: Annotated[str, Form()] = "UTC",
) -> Response:
    """Create a user with an expert profile awaiting admission, and log them in."""
    check_csrf(request, csrf)
    try:
        with db.begin_nested():
            user = service.create_user(db, email, password, display_name)
            create_expert(db, user, time_zone=time_zone)
    except TandemError as exc:
        return render(
            request,
            "register.html",
            status_code=exc.status_code,
            error=exc.detail,
            email=email,
            display_name=display_name,
            time_zone=time_zone,
        )
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse("/work", status_code=303)
