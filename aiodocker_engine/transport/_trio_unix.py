"""A Unix-socket byte stream for trio: trio's socket behind anyio's ByteStream API.

Why: anyio's trio stream wraps every send and receive in a resource guard and an
error-translating context manager, a few microseconds each, twice per request. The
checks it makes matter little here: one task owns a connection at a time (the pool
enforces it), and errors are translated below in the same way.

`receive()` reads with `read_now` (an exact-size read, see `_sockread`) and waits
with `wait_readable`, as trio's recv does; `receive_some()` reads bulk input into
reused buffers instead (`ReadBuffers`), for frame streams, whose decoder takes views.
`receive_some(linger=...)` first waits on a `TrioTimer` (no Cancelled exception per
wait) with the socket unread, and then skips its own checkpoint, since the wait was one.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
import anyio.abc
import trio

from aiodocker_engine.transport._pacing import SKIP_LINGER_FROM
from aiodocker_engine.transport._sockread import ReadBuffers, queued, read_now
from aiodocker_engine.transport._trio_timer import TrioTimer

__all__ = ["connect_unix_trio"]

_Chunk = TypeVar("_Chunk", bound=bytes | memoryview)


class TrioUnixStream(anyio.abc.ByteStream):
    """anyio's ByteStream interface over a connected trio Unix socket."""

    def __init__(self, sock: trio.socket.SocketType) -> None:
        self._sock = sock
        self._timer: TrioTimer | None = None  # made by the first linger
        self._buffers: ReadBuffers | None = None  # made by the first receive_some

    async def receive(self, max_bytes: int = 65536) -> bytes:
        return await self._receive(max_bytes, read_now, 0.0)

    async def receive_some(self, max_bytes: int = 65536, linger: float = 0.0) -> bytes | memoryview:
        """Like `receive`, but bulk input comes as a read-only view of a reused buffer.

        `linger` > 0 first lets input collect in the socket for that many seconds (unless
        much is waiting already), so that a stream arriving in small writes is read in
        fewer, larger pieces.
        """
        buffers = self._buffers
        if buffers is None:
            buffers = self._buffers = ReadBuffers()
        return await self._receive(max_bytes, buffers.read, linger)

    async def _receive(
        self, max_bytes: int, read: Callable[[int, int], _Chunk | None], linger: float
    ) -> _Chunk:
        # As trio's own recv: read at once if input is there, else wait for it. Once
        # read, only a shielded checkpoint may follow, so a cancel never loses bytes.
        if linger and self._lingers():
            # The wait is this receive's checkpoint.
            timer = self._timer
            if timer is None:
                timer = self._timer = TrioTimer()
            with contextlib.suppress(trio.ClosedResourceError):  # closed: the read says so
                await timer.sleep(linger)
            data = self._read_now(max_bytes, read)
            if data is not None:
                return data
        else:
            await trio.lowlevel.checkpoint_if_cancelled()
            data = self._read_now(max_bytes, read)
            if data is not None:
                await trio.lowlevel.cancel_shielded_checkpoint()
                return data
        while True:
            try:
                await trio.lowlevel.wait_readable(self._sock)
            except trio.ClosedResourceError as exc:
                raise anyio.ClosedResourceError from exc
            if linger and self._timer is not None:
                # A bulk stream in a pause: let the next burst collect too, rather than
                # read its first write alone.
                with contextlib.suppress(trio.ClosedResourceError):
                    await self._timer.sleep(linger)
            data = self._read_now(max_bytes, read)
            if data is not None:
                return data

    def _lingers(self) -> bool:
        """Whether a linger is worth it: not when much input is waiting already (see
        `SKIP_LINGER_FROM`), nor on a closed socket (the read then reports it)."""
        fd = self._sock.fileno()
        return fd >= 0 and queued(fd) < SKIP_LINGER_FROM

    def _read_now(self, max_bytes: int, read: Callable[[int, int], _Chunk | None]) -> _Chunk | None:
        """What is in the socket now (see `_sockread`), or None when nothing is."""
        fd = self._sock.fileno()
        if fd < 0:
            raise anyio.ClosedResourceError
        try:
            data = read(fd, max_bytes)
        except OSError as exc:
            raise anyio.BrokenResourceError from exc
        if data is not None and not data:
            raise anyio.EndOfStream
        return data

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
        # Closing wakes any task blocked on the socket or the timer with ClosedResourceError.
        self._sock.close()
        if self._timer is not None:
            self._timer.close()
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
