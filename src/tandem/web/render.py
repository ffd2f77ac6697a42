"""Template rendering shared by every web view."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from tandem.auth.deps import csrf_token
from tandem.kit.money import Money
from tandem.web.markup import markdown_html

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.add_extension("jinja2.ext.do")
templates.env.filters["money"] = lambda minor, currency: str(Money(int(minor), currency))


def _localtime(when: datetime, zone: str) -> str:
    # people read times in their own zone, with the zone named so nobody has to guess
    local = when.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


templates.env.filters["localtime"] = _localtime
templates.env.filters["markdown"] = lambda text: Markup(markdown_html(str(text)))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the CSRF token and the logged-in flag available."""
    context.setdefault("logged_in", bool(request.session.get("user_id")))
    context["csrf"] = csrf_token(request)
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def render_error(
    request: Request, status_code: int, title: str, detail: str, errors: list[dict[str, Any]]
) -> HTMLResponse:
    return render(
        request, "error.html", status_code=status_code, title=title, detail=detail, errors=errors
    )
