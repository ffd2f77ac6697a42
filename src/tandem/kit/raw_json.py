"""JSON in and out of a route by hand: the claim and submit API routes use it.

For a route with a body model, a header parameter and a response model, FastAPI solves
each parameter, validates the returned object against the response model and serializes
it again; on the claim → submit path that was about a tenth of the server's CPU per
cycle (docs/dispatch.md). Here the body is validated by pydantic straight from its bytes
and the answer serialized straight to bytes. Errors are FastAPI's own: a
`RequestValidationError` with the field under "body" or "header", rendered by the app's
handler as every other 422. The OpenAPI document still shows the body and the header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)
JSON = "application/json"


async def json_body(request: Request, model: type[Model]) -> Model:
    """The request's JSON body as `model`, or a 422 naming the field."""
    if not _is_json(request.headers.get("content-type", "")):
        # strict, as FastAPI is with a body parameter: a form post is not read as JSON
        message = "send the body as JSON, with Content-Type: application/json"
        raise RequestValidationError([{"loc": ("body",), "msg": message}])
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as error:
        errors = [
            {**found, "loc": ("body", *found["loc"])}
            for found in error.errors(include_url=False, include_context=False)
        ]
        raise RequestValidationError(errors) from None


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == JSON or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def header(request: Request, name: str, max_length: int) -> str | None:
    """An optional header's value, or a 422 when it is longer than `max_length`."""
    value = request.headers.get(name)
    if value is not None and len(value) > max_length:
        message = f"String should have at most {max_length} characters"
        raise RequestValidationError([{"loc": ("header", name.lower()), "msg": message}])
    return value


def json_answer(
    model: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """`model` as the JSON answer, serialized once."""
    body = model.__pydantic_serializer__.to_json(model)
    return Response(body, status_code=status_code, headers=headers, media_type=JSON)


def documented(body: type[BaseModel], headers: Mapping[str, int]) -> dict[str, Any]:
    """The OpenAPI of a body and of optional string headers (name: maximum length) that a
    route reads by hand (FastAPI's `openapi_extra`)."""
    schema = body.model_json_schema()
    if "$defs" in schema:  # they would be referenced from where FastAPI does not put them
        raise ValueError(f"{body.__name__} nests models; document it as a body parameter")
    parameters = [
        {"name": name, "in": "header", "required": False, "schema": _string(length)}
        for name, length in headers.items()
    ]
    content = {JSON: {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}, "parameters": parameters}


def _string(max_length: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length}
