"""JSON read and written by hand: FastAPI's errors and FastAPI's JSON, for less work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from tandem.app import _install_error_handlers
from tandem.kit.raw_json import documented, header, json_answer, json_body


class Inner(BaseModel):
    x: int


class Body(BaseModel):
    name: str = Field(max_length=5)
    count: int = 0


class Out(BaseModel):
    name: str
    at: datetime
    data: dict[str, object]


def _client() -> TestClient:
    app = FastAPI()
    _install_error_handlers(app)

    @app.post("/by-hand", openapi_extra=documented(Body, {"X-Key": 3}))
    async def by_hand(request: Request) -> Response:
        body = await json_body(request, Body)
        key = header(request, "X-Key", 3)
        out = Out(name=body.name, at=datetime(2026, 12, 7, 18, 0, tzinfo=UTC), data={"k": key})
        return json_answer(out, 201, {"X-Key": key or "-"})

    @app.post("/by-fastapi", status_code=201)
    def by_fastapi(body: Body) -> Out:
        return Out(name=body.name, at=datetime(2026, 12, 7, 18, 0, tzinfo=UTC), data={"k": None})

    return TestClient(app)


def test_the_answer_is_the_json_fastapi_would_write() -> None:
    client = _client()
    by_hand = client.post("/by-hand", json={"name": "ab"})
    assert by_hand.status_code == 201 and by_hand.headers["x-key"] == "-"
    assert by_hand.headers["content-type"] == "application/json"
    assert by_hand.content == client.post("/by-fastapi", json={"name": "ab"}).content


@pytest.mark.parametrize(
    ("content", "loc", "message"),
    [
        (b'{"name": "toolong"}', ["body", "name"], "String should have at most 5 characters"),
        (b'{"name": "ab", "count": "x"}', ["body", "count"], "Input should be a valid integer"),
        (b"{not json", ["body"], "Invalid JSON: key must be a string at line 1 column 2"),
        (b"", ["body"], "Invalid JSON: EOF while parsing a value"),
        (b"[]", ["body"], "Input should be an object"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(content: bytes, loc: list, message: str) -> None:
    client = _client()
    headers = {"content-type": "application/json"}
    answer = client.post("/by-hand", content=content, headers=headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    (error,) = answer.json()["errors"]
    assert error["loc"] == loc and error["msg"].startswith(message)
    if len(loc) > 1:  # a field FastAPI names too: named the same way
        assert client.post("/by-fastapi", content=content, headers=headers).json() == answer.json()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_sent_as_json_is_refused_as_fastapi_refuses_it(content_type: str | None) -> None:
    client = _client()
    headers = {"content-type": content_type} if content_type else {}
    by_hand = client.post("/by-hand", content=b'{"name": "ab"}', headers=headers)
    by_fastapi = client.post("/by-fastapi", content=b'{"name": "ab"}', headers=headers)
    assert by_hand.status_code == by_fastapi.status_code == 422
    assert by_hand.json()["errors"] == [
        {"loc": ["body"], "msg": "send the body as JSON, with Content-Type: application/json"}
    ]


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/vnd.x+json"]
)
def test_json_media_types_with_parameters_or_suffixes_are_read(content_type: str) -> None:
    answer = _client().post(
        "/by-hand", content=b'{"name": "ab"}', headers={"content-type": content_type}
    )
    assert answer.status_code == 201


def test_a_header_longer_than_allowed_names_the_header() -> None:
    answer = _client().post("/by-hand", json={"name": "ab"}, headers={"X-Key": "abcd"})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"loc": ["header", "x-key"], "msg": "String should have at most 3 characters"}
    ]
    assert _client().post("/by-hand", json={"name": "ab"}, headers={"X-Key": "abc"}).json()[
        "data"
    ] == {"k": "abc"}


def test_the_openapi_document_shows_the_body_and_the_header() -> None:
    operation = _client().app.openapi()["paths"]["/by-hand"]["post"]  # type: ignore[attr-defined]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["name"] and schema["properties"]["name"]["maxLength"] == 5
    assert operation["parameters"] == [
        {
            "name": "X-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 3},
        }
    ]


def test_a_body_with_nested_models_is_refused_at_import() -> None:
    class Nested(BaseModel):
        inner: Inner

    with pytest.raises(ValueError, match="nests models"):
        documented(Nested, {})
