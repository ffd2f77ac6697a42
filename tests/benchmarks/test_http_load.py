"""The dispatch benchmark's HTTP clients, against a small server of the test's own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from benchmarks import http_load


@dataclass
class FakeServer:
    """Answers claims with a new id and submits with 201; every second connection is
    dropped at its third request, unanswered."""

    port: int = 0
    submits: list[tuple[str, str, bytes]] = field(default_factory=list)  # path, key, body
    next_id: int = 0
    connections: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await self._serve(reader, writer)  # until the client closes its connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        drop = self.connections % 2 == 0
        served = 0
        while head := await reader.readuntil(b"\r\n\r\n"):
            served += 1
            if drop and served == 3:
                writer.close()
                return
            length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
            body = await reader.readexactly(length)
            path = head.split(b" ")[1].decode()
            if path.endswith("/next"):
                self.next_id += 1
                status, answer = "200 OK", json.dumps({"id": self.next_id}).encode()
            else:
                key = re.search(rb"Idempotency-Key: (\S+)", head).group(1).decode()  # type: ignore[union-attr]
                self.submits.append((path, key, body))
                status, answer = "201 Created", b"{}"
            # lower case, as uvicorn writes it
            writer.write(f"HTTP/1.1 {status}\r\ncontent-length: {len(answer)}\r\n\r\n".encode())
            writer.write(answer)
            await writer.drain()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    start = asyncio.start_server(fake.handle, "127.0.0.1", 0)
    listening = asyncio.run_coroutine_threadsafe(start, loop).result(5)
    fake.port = listening.sockets[0].getsockname()[1]
    yield fake
    loop.call_soon_threadsafe(listening.close)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_a_request_is_written_with_its_length() -> None:
    wire = http_load.request("/x", {"Authorization": "Bearer t"}, b'{"a": 1}')
    head, body = wire.split(b"\r\n\r\n")
    assert head.split(b"\r\n") == [
        b"POST /x HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Authorization: Bearer t",
        b"Content-Length: 8",
    ]
    assert body == b'{"a": 1}'


def test_clients_loop_claim_then_submit_and_count_dropped_connections(server: FakeServer) -> None:
    claims: list[float] = []
    failures: list[None] = []
    target = http_load.Target("127.0.0.1", server.port, 7, b'{"response": {}}')
    http_load.run(target, ["a", "b", "c"], 0.5, claims.append, lambda: failures.append(None))

    assert len(claims) > 10 and all(seconds >= 0 for seconds in claims)
    # a dropped connection costs its cycle, is counted, and the client goes on on a new one
    assert failures and server.connections > 3
    # every recorded cycle submitted what it claimed, with its own idempotency key
    assert len(server.submits) >= len(claims)
    for path, key, body in server.submits:
        aid = re.fullmatch(r"/api/v1/assignments/(\d+)/submit", path).group(1)  # type: ignore[union-attr]
        assert key == f"h{aid}" and body == b'{"response": {}}'
