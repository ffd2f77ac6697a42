"""The claim and submit API routes, served ahead of FastAPI's own middleware and routing.

They are most of the API's traffic, and on them FastAPI's and Starlette's share of the
work — the session cookie middleware, the exception middleware, the exit stack, matching
the path against the routes, the endpoint's request handling — was 13 % of an HTTP
claim → submit cycle's instructions (docs/benchmarks.md). A request with an
`Authorization` header, no cookie, and exactly `POST /api/v1/projects/{id}/next` or
`POST /api/v1/assignments/{id}/submit` runs the same route functions (tandem.work.api)
here; anything else (a web session's call, another path, an app served under a path
prefix) goes on to FastAPI as before, and with `TANDEM_TELEMETRY` on the app leaves this
middleware out, so that every request's span is named after its route. Errors are
answered by the app's own exception handlers, so a 401, 404, 409 or 422 reads the same
either way; an error without a handler goes on up to the server-error middleware, as it
would from a route.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from tandem.kit.ids import BIGINT_MAX
from tandem.work import api as work_api

Route = Callable[[int, Request], Awaitable[Response]]
# an id of ASCII digits one short of BIGINT_MAX's, so it always fits; any other (a Unicode
# digit, a longer number) is FastAPI's to answer (tandem.kit.ids bounds it there)
_ID = rf"([0-9]{{1,{len(str(BIGINT_MAX)) - 1}}})"
_ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(rf"/api/v1/projects/{_ID}/next"), work_api.next_item),
    (re.compile(rf"/api/v1/assignments/{_ID}/submit"), work_api.submit),
]


def hot_route(scope: Scope) -> tuple[Route, int] | None:
    """The route and id a request is served by here, or None (FastAPI serves it)."""
    # served under a path prefix (root_path), FastAPI's own matching strips it: leave it that
    if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
        return None
    found = _matched(scope["path"])
    if found is None:
        return None
    # the headers are read only for the two paths: every other request just passes through;
    # a cookie may carry a web session, which only FastAPI's session middleware reads
    headers = dict(scope["headers"])
    if b"authorization" not in headers or b"cookie" in headers:
        return None
    return found


def _matched(path: str) -> tuple[Route, int] | None:
    for pattern, route in _ROUTES:
        found = pattern.fullmatch(path)
        if found is not None:
            return route, int(found.group(1))
    return None


class HotRoutes:
    """ASGI middleware: the hot routes served directly; every other request passed on."""

    def __init__(self, app: ASGIApp, fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = hot_route(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        route, object_id = found
        request = Request(scope, receive)
        try:
            response = await route(object_id, request)
        except Exception as error:
            response = await self._handled(request, error)
        await response(scope, receive, send)

    async def _handled(self, request: Request, error: Exception) -> Response:
        handler = _handler_for(self.fastapi_app.exception_handlers, error)
        if handler is None:
            raise error
        # as Starlette's exception middleware calls them
        if inspect.iscoroutinefunction(handler):
            response: Response = await handler(request, error)
        else:
            response = await run_in_threadpool(handler, request, error)
        error.__traceback__ = None  # a reused exception would pile up tracebacks
        return response


def _handler_for(handlers: dict[Any, Any], error: Exception) -> Any:
    # the 500 handler is the server-error middleware's, not the exception middleware's
    for cls in type(error).__mro__:
        if cls in handlers and cls is not Exception:
            return handlers[cls]
    return None
