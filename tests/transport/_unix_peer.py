"""Our Unix stream connected to a plain blocking socket (driven from a thread by tests)."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
import anyio.abc

_Stream = TypeVar("_Stream", bound=anyio.abc.ByteStream)


@asynccontextmanager
async def unix_peer(
    connect: Callable[[str], Awaitable[_Stream]],
) -> AsyncIterator[tuple[_Stream, socket.socket]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.sock")
        server = socket.socket(socket.AF_UNIX)
        server.bind(path)
        server.listen(1)
        client = await connect(path)
        conn, _ = await anyio.to_thread.run_sync(server.accept)
        try:
            yield client, conn
        finally:
            await client.aclose()
            conn.close()
            server.close()
