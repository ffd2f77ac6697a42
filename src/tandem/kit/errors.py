"""Errors that carry an HTTP status; the API renders them as problem+json."""

from __future__ import annotations

from typing import Any


class TandemError(Exception):
    """Base of every error Tandem raises on purpose."""

    status_code = 400
    title = "Bad request"
    code = "bad_request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def problem(self) -> dict[str, Any]:
        """The RFC 9457 problem details body."""
        body: dict[str, Any] = {
            "type": f"https://tandem.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status_code,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors:
            body["errors"] = self.errors
        return body


class NotFound(TandemError):
    status_code = 404
    title = "Not found"
    code = "not_found"


class Unauthorized(TandemError):
    status_code = 401
    title = "Not authenticated"
    code = "unauthorized"


class PermissionDenied(TandemError):
    status_code = 403
    title = "Forbidden"
    code = "forbidden"


class Conflict(TandemError):
    status_code = 409
    title = "Conflict"
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class ValidationFailed(TandemError):
    """Input that breaks a rule; `errors` holds {loc, msg} pairs naming the field or row."""

    status_code = 422
    title = "Validation failed"
    code = "validation_failed"


class NoWorkAvailable(TandemError):
    status_code = 404
    title = "No work available"
    code = "no_work"


def field_error(loc: list[str | int], msg: str) -> dict[str, Any]:
    """One entry of ValidationFailed.errors."""
    return {"loc": loc, "msg": msg}
