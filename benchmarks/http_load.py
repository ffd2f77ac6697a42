"""Closed-loop HTTP clients for the dispatch benchmark: claim → submit over keep-alive.

All clients run on one event loop (uvloop) in the benchmark's process, each on its own
connection, with requests written as bytes and answers read by their Content-Length. The
server under test shares two cores with them: the standard library's `http.client`, one
thread per client, parsed every answer's headers with the email package and took about
7 % of the machine's CPU (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import uvloop

_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CLOSING = re.compile(rb"\r\nconnection:[ \t]*close", re.IGNORECASE)
ANSWER_SECONDS = 60  # an answer not back by then fails its cycle
# after a failed cycle: a server that refuses connections is not hammered in a tight loop
PAUSE_AFTER_FAILURE = 0.05
# what one failed cycle may raise (TimeoutError is an OSError); anything else is a bug of
# the benchmark and ends it
FAILURES = (OSError, EOFError, asyncio.IncompleteReadError, ValueError, KeyError, RuntimeError)


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    project_id: int
    body: bytes  # the submit's JSON


def request(path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """One POST as it goes on the wire."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Connection:
    """One keep-alive connection, reopened after a failure."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self) -> None:
        self._streams = await asyncio.open_connection(self.target.host, self.target.port)

    async def post(self, wire: bytes) -> tuple[int, bytes]:
        """Send one request; its status and body (TimeoutError after ANSWER_SECONDS)."""
        async with asyncio.timeout(ANSWER_SECONDS):
            return await self._exchange(wire)

    async def _exchange(self, wire: bytes) -> tuple[int, bytes]:
        if self._streams is None:
            await self.open()
        assert self._streams is not None
        reader, writer = self._streams
        writer.write(wire)
        head = await reader.readuntil(b"\r\n\r\n")
        found = _LENGTH.search(head)
        if found is None:
            raise RuntimeError(f"an answer without Content-Length: {head[:200]!r}")
        body = await reader.readexactly(int(found.group(1)))
        if _CLOSING.search(head):
            self.close()  # the server ends the connection: the next request opens another
        return int(head[9:12]), body

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def _cycle(conn: Connection, auth: dict[str, str], claim: bytes) -> float:
    """One claim → submit; the claim's latency in seconds."""
    started = time.perf_counter()
    status, data = await conn.post(claim)
    took = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"claim answered {status}: {data[:200]!r}")
    aid = json.loads(data)["id"]
    headers = {**auth, "Content-Type": "application/json", "Idempotency-Key": f"h{aid}"}
    submit = request(f"/api/v1/assignments/{aid}/submit", headers, conn.target.body)
    status, data = await conn.post(submit)
    if status >= 300:
        raise RuntimeError(f"submit answered {status}: {data[:200]!r}")
    return took


async def _client(
    conn: Connection,
    token: str,
    deadline: float,
    record: Callable[[float], None],
    failed: Callable[[], None],
) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    claim = request(f"/api/v1/projects/{conn.target.project_id}/next", auth)
    while time.perf_counter() < deadline:
        try:
            record(await _cycle(conn, auth, claim))
        except FAILURES:  # counted and shown; the next cycle starts on a new connection
            failed()
            conn.close()
            await asyncio.sleep(PAUSE_AFTER_FAILURE)
    conn.close()


def run(
    target: Target,
    tokens: list[str],
    seconds: float,
    record: Callable[[float], None],
    failed: Callable[[], None],
) -> None:
    """One client per token, looping for `seconds` once every connection is open."""

    async def main() -> None:
        conns = [Connection(target) for _ in tokens]
        # connected before the clock starts; one that fails to connect tries again in its
        # first cycle, where a second failure is counted
        await asyncio.gather(*(c.open() for c in conns), return_exceptions=True)
        deadline = time.perf_counter() + seconds
        pairs = zip(conns, tokens, strict=True)
        await asyncio.gather(*(_client(c, t, deadline, record, failed) for c, t in pairs))

    uvloop.run(main())
