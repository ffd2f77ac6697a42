"""FastAPI app factory: API routers, web routes, middleware, error rendering."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from tandem.auth import api as auth_api
from tandem.auth import views as auth_views
from tandem.auth.deps import LoginRequired
from tandem.config import Settings, get_settings
from tandem.console import views as console_views
from tandem.db.deps import committed_session
from tandem.db.session import get_sessionmaker
from tandem.dispatch import api as dispatch_api
from tandem.dispatch.scheduler import hold_scheduler_lock, run_jobs
from tandem.export import api as export_api
from tandem.items import api as items_api
from tandem.kit.errors import TandemError
from tandem.pay import api as pay_api
from tandem.pay import views as pay_views
from tandem.projects import api as projects_api
from tandem.quality import api as quality_api
from tandem.review import api as review_api
from tandem.review import views as review_views
from tandem.web.render import render_error
from tandem.wellbeing import api as wellbeing_api
from tandem.work import api as work_api
from tandem.work import views as work_views
from tandem.work.hot_routes import HotRoutes

STATIC_DIR = Path(__file__).parent / "web" / "static"
PROBLEM = "application/problem+json"


def _lifespan(run_scheduler: bool, var_dir: Path, threads: int) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = threads  # sync routes
        # claim and submit run on threads of their own (tandem.auth.deps.ApiWork)
        app.state.work_threads = ThreadPoolExecutor(threads, "tandem-work")
        # with several workers only the one holding the lock runs the periodic jobs
        lock = hold_scheduler_lock(var_dir) if run_scheduler else None
        task = asyncio.create_task(run_jobs(app.state.sessionmaker)) if lock else None
        yield
        if task is not None:
            task.cancel()
        if lock is not None:
            lock.close()
        app.state.work_threads.shutdown()  # units of work under way finish and commit

    return lifespan


def _telemetry(enabled: bool) -> TelemetryConfig:
    """FastAPI's OpenTelemetry instrumentation, whole or none."""
    return {"tracing": enabled, "metrics": enabled, "logs": enabled}


def create_app(
    settings: Settings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    *,
    scheduler: bool = False,
) -> FastAPI:
    """Build the app; tests pass their own session factory; `serve` turns the scheduler on."""
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan(
            scheduler and settings.scheduler, settings.var_dir, settings.worker_threads
        ),
        title="Tandem",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        telemetry=_telemetry(settings.telemetry),
    )
    app.state.sessionmaker = session_factory or get_sessionmaker()
    # how routes that run their whole unit of work in one thread open it (tandem.auth.deps)
    app.state.session_unit = partial(committed_session, app.state.sessionmaker)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="tandem_session",
        same_site="lax",
        https_only=False,
    )
    # added last, so it runs first: claim and submit skip the rest (tandem.work.hot_routes);
    # with telemetry on they go through FastAPI's router, which names their spans' route
    if not settings.telemetry:
        app.add_middleware(HotRoutes, fastapi_app=app)
    # routes are matched in order, one router after another: the work API (next, submit)
    # serves most requests, so it is tried first; health checks come next, rather than
    # after every other route (each route passed costs a match attempt)
    app.include_router(work_api.router)
    app.add_api_route("/health", _health, include_in_schema=False)
    for router in (
        auth_api.router,
        projects_api.router,
        items_api.router,
        export_api.router,
        dispatch_api.router,
        wellbeing_api.router,
        review_api.router,
        pay_api.router,
        quality_api.router,
        auth_views.router,
        work_views.router,
        review_views.router,
        pay_views.router,
        console_views.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    return app


async def _health() -> dict[str, str]:
    return {"status": "ok"}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def _login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(TandemError)
    def _tandem(request: Request, exc: TandemError) -> Response:
        if _is_api(request):
            return JSONResponse(exc.problem(), status_code=exc.status_code, media_type=PROBLEM)
        return render_error(request, exc.status_code, exc.title, exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [_field_error(e) for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5])
        body = {
            "type": "https://tandem.dev/problems/validation_failed",
            "title": "Validation failed",
            "status": 422,
            "detail": detail,
            "code": "validation_failed",
            "errors": errors,
        }
        return JSONResponse(body, status_code=422, media_type=PROBLEM)


def _field_error(error: Any) -> dict[str, Any]:
    return {"loc": [str(p) for p in error.get("loc", ())], "msg": str(error.get("msg", ""))}


def serve_app() -> FastAPI:
    """The app `tandem serve` runs, scheduler included (an import string for its workers)."""
    return create_app(get_settings(), scheduler=True)
