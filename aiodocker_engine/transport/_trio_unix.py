"""A Unix-socket byte stream for trio: trio's socket behind anyio's ByteStream API.

Why: anyio's trio stream wraps every send and receive in a resource guard and an
error-translating context manager, a few microseconds each, twice per request. The
checks it makes matter little here: one task owns a connection at a time (the pool
enforces it), and errors are translated below in the same way.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import anyio.abc
import trio

__all__ = ["connect_unix_trio"]


class TrioUnixStream(anyio.abc.ByteStream):
    """anyio's ByteStream interface over a connected trio Unix socket."""

    def __init__(self, sock: trio.socket.SocketType) -> None:
        self._sock = sock

    async def receive(self, max_bytes: int = 65536) -> bytes:
        try:
            data = await self._sock.recv(max_bytes)
        except trio.ClosedResourceError as exc:
            raise anyio.ClosedResourceError from exc
        except OSError as exc:
            raise anyio.BrokenResourceError from exc
        if not data:
            raise anyio.EndOfStream
        return data

    async def linger(self, seconds: float) -> None:
        """Wait `seconds` for input to collect, unless some is waiting already (see `linger`)."""
        poller = select.poll()
        poller.register(self._sock.fileno(), select.POLLIN)
        if poller.poll(0):
            # Input is already waiting: the reader, not the source, is the slow side.
            await trio.lowlevel.checkpoint()
            return
        await trio.sleep(seconds)

    async def send(self, item: bytes) -> None:
        view = memoryview(item)
        try:
            while view:
                sent = await self._sock.send(view)
                view = view[sent:]
        except trio.ClosedResourceError as exc:
            raise anyio.ClosedResourceError from exc
        except OSError as exc:
            raise anyio.BrokenResourceError from exc

    async def send_eof(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise anyio.BrokenResourceError from exc
        await trio.lowlevel.checkpoint()

    async def aclose(self) -> None:
        # Closing wakes any task blocked on the socket with ClosedResourceError.
        self._sock.close()
        await trio.lowlevel.checkpoint()

    @property
    def extra_attributes(self) -> Mapping[Any, Callable[[], Any]]:
        sock = self._sock
        return {
            anyio.abc.SocketAttribute.raw_socket: lambda: sock,
            anyio.abc.SocketAttribute.family: lambda: socket.AF_UNIX,
        }


async def connect_unix_trio(path: str) -> TrioUnixStream:
    """Connect to a Unix socket with a plain trio socket (trio only)."""
    sock = trio.socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        await sock.connect(path)
    except BaseException:
        sock.close()
        raise
    return TrioUnixStream(sock)
