"""An in-process fake engine on a Unix socket, for faults and protocol edges only.

Handlers receive the parsed request and the raw connection, so a test can answer
anything: a normal response, a truncated one, a hijacked stream, or nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import anyio.abc
from anyio.streams.buffered import BufferedByteReceiveStream


@dataclass
class FakeRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection_id: int


Handler = Callable[[FakeRequest, anyio.abc.ByteStream], Awaitable[bool]]
"""Answers one request; returns False to close the connection afterwards."""


@dataclass
class FakeEngine:
    path: str
    handler: Handler
    requests: list[FakeRequest] = field(default_factory=list)
    connections_opened: int = 0
    open_connections: int = 0

    @property
    def host(self) -> str:
        return f"unix://{self.path}"

    async def _serve_connection(self, stream: anyio.abc.ByteStream) -> None:
        self.connections_opened += 1
        self.open_connections += 1
        conn_id = self.connections_opened
        reader = BufferedByteReceiveStream(stream)
        try:
            while True:
                try:
                    head = await reader.receive_until(b"\r\n\r\n", 65536)
                except (anyio.IncompleteRead, anyio.EndOfStream, anyio.BrokenResourceError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = b""
                if "content-length" in headers:
                    body = await reader.receive_exactly(int(headers["content-length"]))
                elif headers.get("transfer-encoding") == "chunked":
                    parts = []
                    while True:
                        size = int(await reader.receive_until(b"\r\n", 100), 16)
                        if size == 0:
                            await reader.receive_until(b"\r\n", 100)
                            break
                        parts.append(await reader.receive_exactly(size))
                        await reader.receive_exactly(2)
                    body = b"".join(parts)
                request = FakeRequest(method, target, headers, body, conn_id)
                self.requests.append(request)
                if not await self.handler(request, stream):
                    return
        except (
            anyio.BrokenResourceError,
            anyio.ClosedResourceError,
            anyio.IncompleteRead,
            anyio.EndOfStream,
            OSError,
        ):
            return
        finally:
            self.open_connections -= 1
            await stream.aclose()


def response(
    status: int = 200,
    body: bytes = b"",
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    chunked: bool = False,
) -> bytes:
    """Serialise a complete response."""
    headers = {"Api-Version": "1.41", **(headers or {})}
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def ok_json(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
    """Default handler: 200 with a small JSON body naming the target."""
    await stream.send(response(200, b'{"target": "%s"}' % request.target.encode()))
    return True


@asynccontextmanager
async def fake_engine(handler: Handler = ok_json) -> AsyncIterator[FakeEngine]:
    """Serve `handler` on a fresh Unix socket for the duration of the block."""
    with tempfile.TemporaryDirectory(prefix="fake-engine-") as tmp:
        path = os.path.join(tmp, "engine.sock")
        engine = FakeEngine(path, handler)
        listener = await anyio.create_unix_listener(path)
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(listener.serve, engine._serve_connection)
                try:
                    yield engine
                finally:
                    # Let served connections see their client's EOF and end on their own:
                    # cancelling anyio's asyncio Unix stream while its reader callback is
                    # already queued makes that callback fail (InvalidStateError).
                    with anyio.move_on_after(1, shield=True):
                        while engine.open_connections:  # noqa: ASYNC110 - no event here
                            await anyio.sleep(0.005)
                    tg.cancel_scope.cancel()
        finally:
            await listener.aclose()


def open_fds() -> int:
    """How many file descriptors this process has open (Linux)."""
    return len(os.listdir("/proc/self/fd"))
