"""A Unix-socket byte stream for trio: trio's socket behind anyio's ByteStream API.

Why: anyio's trio stream wraps every send and receive in a resource guard and an
error-translating context manager, a few microseconds each, twice per request. The
checks it makes matter little here: one task owns a connection at a time (the pool
enforces it), and errors are translated below in the same way.

`receive()` reads with `read_now` (an exact-size read, see `_sockread`) and waits
with `wait_readable`, as trio's recv does; `receive_some()` reads bulk input into
reused buffers instead (`ReadBuffers`), for frame streams, whose decoder takes views.
`linger()` waits on a `TrioTimer` (no Cancelled exception per wait) and leaves the
socket unread; the `receive()` right after it skips its own checkpoint, since the wait
was one.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
import anyio.abc
import trio

from aiodocker_engine.transport._sockread import ReadBuffers, read_now
from aiodocker_engine.transport._trio_timer import TrioTimer

__all__ = ["connect_unix_trio"]

_Chunk = TypeVar("_Chunk", bound=bytes | memoryview)


class TrioUnixStream(anyio.abc.ByteStream):
    """anyio's ByteStream interface over a connected trio Unix socket."""

    def __init__(self, sock: trio.socket.SocketType) -> None:
        self._sock = sock
        self._timer: TrioTimer | None = None  # made by the first linger
        self._poller: select.poll | None = None
        self._rested = False  # linger slept and no receive followed yet
        self._buffers: ReadBuffers | None = None  # made by the first receive_some

    async def receive(self, max_bytes: int = 65536) -> bytes:
        return await self._receive(max_bytes, read_now)

    async def receive_some(self, max_bytes: int = 65536) -> bytes | memoryview:
        """Like `receive`, but bulk input comes as a read-only view of a reused buffer."""
        buffers = self._buffers
        if buffers is None:
            buffers = self._buffers = ReadBuffers()
        return await self._receive(max_bytes, buffers.read)

    async def _receive(self, max_bytes: int, read: Callable[[int, int], _Chunk | None]) -> _Chunk:
        # As trio's own recv: read at once if input is there, else wait for it. Once
        # read, only a shielded checkpoint may follow, so a cancel never loses bytes.
        if self._rested:
            self._rested = False  # the linger was this receive's checkpoint
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
            data = self._read_now(max_bytes, read)
            if data is not None:
                return data

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

    async def linger(self, seconds: float) -> None:
        """Wait `seconds` for input to collect, unless some is waiting already (see `linger`)."""
        poller = self._poller
        if poller is None:
            poller = self._poller = select.poll()
            poller.register(self._sock.fileno(), select.POLLIN)
        if poller.poll(0):
            # Input is already waiting: the reader, not the source, is the slow side.
            await trio.lowlevel.checkpoint()
            return
        timer = self._timer
        if timer is None:
            timer = self._timer = TrioTimer()
        try:
            await timer.sleep(seconds)
        except trio.ClosedResourceError:
            return  # closed meanwhile by another task: receive() reports it
        self._rested = True

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
