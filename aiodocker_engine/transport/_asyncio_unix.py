"""A Unix-socket byte stream for asyncio built on a Protocol, behind anyio's ByteStream API.

Why: anyio's asyncio Unix stream waits for each read with `add_reader`/`remove_reader`,
two epoll_ctl calls per receive; a Protocol keeps the descriptor registered and the
loop hands it the bytes. On trio, anyio's stream is trio's own socket and is used as is.

Theory of operation
-------------------
- Received chunks queue in `_chunks`; `receive()` pops one, or waits on a future that
  `buffer_updated`/`eof_received`/`connection_lost` resolves.
- The transport reads into one reused buffer per thread (a BufferedProtocol) and the
  bytes that came are copied out at their exact size: a fresh 256 KiB `recv` per read
  costs more in page faults than the copy (see `_sockread`).
- Bulk input skips even that copy: a chunk of `_BULK` bytes or more pauses the
  transport, and while it is paused with nothing queued, `receive()` reads the socket
  itself (`read_now`, exact size), resuming the transport only when the socket is empty.
  `receive_some()` does the same but reads bulk input into reused buffers
  (`ReadBuffers`) and returns read-only views of them: for frame streams, whose
  decoder takes views.
- Backpressure: past `_HIGH_WATER` buffered bytes the transport stops reading until
  `receive()` drains below `_LOW_WATER`, so a slow consumer slows the daemon down.
- `receive_some(linger=...)` first pauses reading for a moment, so that a stream
  arriving in small writes is read in fewer, larger chunks (see `FrameStream`); it
  shares the backpressure flag and leaves the transport paused, so a bulk stream costs
  one timer and one direct read per call, with no epoll registration changes in
  between. When the wait ends with nothing to read, it waits for the socket to turn
  readable (through a duplicate of its descriptor: the loop refuses readers on one a
  transport owns) and lingers again, instead of letting the transport read the next
  burst's first write alone.
- `send()` writes and, when the transport asked us to pause, waits for `resume_writing`.
- Cancellation while waiting leaves the queue intact: the next `receive()` resumes.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
import anyio.abc

from aiodocker_engine.transport._pacing import SKIP_LINGER_FROM
from aiodocker_engine.transport._sockread import ReadBuffers, queued, read_now

__all__ = ["connect_unix_asyncio"]

_HIGH_WATER = 4 * 1024 * 1024
_LOW_WATER = 1024 * 1024
_BUFFER_SIZE = 256 * 1024  # what asyncio's transport reads at once, too
_BULK = 64 * 1024  # a chunk this big pauses the transport: later reads are direct
_Chunk = TypeVar("_Chunk", bound=bytes | memoryview)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():  # not cancelled meanwhile
        waiter.set_result(None)


class _ThreadBuffer(threading.local):
    """The transport's read buffer: one per thread, as an event loop runs in one."""

    def __init__(self) -> None:
        self.view = memoryview(bytearray(_BUFFER_SIZE))


_buffer = _ThreadBuffer()


class _StreamProtocol(asyncio.BufferedProtocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.eof = False
        self.error: BaseException | None = None
        self.reading_paused = False
        self.waiter: asyncio.Future[None] | None = None
        self.write_paused = False
        self.drain_waiters: list[asyncio.Future[None]] = []  # senders paused for writing

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def get_buffer(self, sizehint: int) -> memoryview:
        # The transport fills it and calls buffer_updated before anything else runs.
        return _buffer.view

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(_buffer.view[:nbytes].tobytes())

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > _HIGH_WATER and not self.reading_paused and self.transport:
            self.reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return True  # keep our side open: a half-closed peer may still read (stdin)

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        if exc is not None:
            self.error = exc
        self._wake()
        self._wake_senders()

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._wake_senders()

    def _wake_senders(self) -> None:
        waiters, self.drain_waiters = self.drain_waiters, []
        for waiter in waiters:
            _wake(waiter)


class AsyncioUnixStream(anyio.abc.ByteStream):
    """anyio's ByteStream interface over an asyncio Unix transport and protocol."""

    def __init__(self, transport: asyncio.Transport, protocol: _StreamProtocol) -> None:
        self._transport = transport
        self._protocol = protocol
        self._closed = False
        self._fd: int = transport.get_extra_info("socket").fileno()
        self._loop = asyncio.get_running_loop()
        self._watch_fd = -1  # a duplicate of _fd, made by the first _burst_collected
        self._resting: asyncio.Future[None] | None = None  # a linger's, for aclose to end
        self._buffers: ReadBuffers | None = None  # made by the first receive_some

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if await self._direct_turn(0.0):
            data = self._read_paused(max_bytes, read_now)
            if data is not None:
                return data
        return await self._receive_queued(max_bytes)

    async def receive_some(self, max_bytes: int = 65536, linger: float = 0.0) -> bytes | memoryview:
        """Like `receive`, but bulk input comes as a read-only view of a reused buffer.

        `linger` > 0 first lets input collect in the socket for that many seconds
        (unless some is queued already, or much is waiting in the socket), so that a
        stream arriving in small writes is read in fewer, larger pieces; the transport
        stays paused through it, so a bulk stream costs one timer and one direct read
        per call.
        """
        if await self._direct_turn(linger):
            buffers = self._buffers
            if buffers is None:
                buffers = self._buffers = ReadBuffers()
            chunk = self._read_paused(max_bytes, buffers.read, resume=not linger)
            if chunk is None and linger:
                if await self._burst_collected(linger):
                    chunk = self._read_paused(max_bytes, buffers.read)
                else:
                    self._resume()  # the queue then reports a close, or waits
            if chunk is not None:
                return chunk
        return await self._receive_queued(max_bytes)

    async def _direct_turn(self, linger: float) -> bool:
        """True when the socket is to be read directly: the transport is paused and
        nothing is queued. Checkpoints first, as anyio's streams are one, so that a
        cancel never loses bytes already taken from the socket: with `linger`, by
        pausing the transport and waiting that long (unless much input is waiting in
        the socket already, see `SKIP_LINGER_FROM`)."""
        protocol = self._protocol
        if protocol.chunks:
            return False
        if linger:
            if not protocol.reading_paused:
                self._pause()
                if not protocol.reading_paused:
                    return False  # closing: the queue reports it
            if queued(self._fd) < SKIP_LINGER_FROM:
                await self._rest(linger)
                # Paused meanwhile, so nothing was queued; a close or a backpressure
                # resume by another task shows here.
                return protocol.reading_paused and not protocol.chunks
        elif not protocol.reading_paused:
            return False
        await asyncio.sleep(0)
        return True

    async def _receive_queued(self, max_bytes: int) -> bytes:
        """The next chunk the transport read, waiting for one."""
        protocol = self._protocol
        while not protocol.chunks:
            if self._closed:
                raise anyio.ClosedResourceError
            if protocol.error is not None:
                raise anyio.BrokenResourceError from protocol.error
            if protocol.eof:
                raise anyio.EndOfStream
            waiter = asyncio.get_running_loop().create_future()
            protocol.waiter = waiter
            try:
                await waiter
            finally:
                protocol.waiter = None
        chunk = protocol.chunks.popleft()
        if len(chunk) > max_bytes:
            protocol.chunks.appendleft(chunk[max_bytes:])
            chunk = chunk[:max_bytes]
        protocol.buffered -= len(chunk)
        if protocol.reading_paused:
            if protocol.buffered < _LOW_WATER:
                self._resume()
        elif len(chunk) >= _BULK and not protocol.chunks:
            self._pause()  # bulk input: read it directly, without the buffer copy
        return chunk

    def _pause(self) -> None:
        if not self._closed and not self._transport.is_closing():
            self._protocol.reading_paused = True
            self._transport.pause_reading()

    def _read_paused(
        self, max_bytes: int, read: Callable[[int, int], _Chunk | None], *, resume: bool = True
    ) -> _Chunk | None:
        """Read the socket of a paused transport directly; None when it has nothing now.

        Nothing to read (or EOF, or an error) resumes the transport (unless `resume` is
        false), whose own read then sees the same condition again and reports it the
        usual way.
        """
        if self._closed or self._transport.is_closing():
            return None
        try:
            data = read(self._fd, max_bytes)
        except OSError:
            data = None
        if not data:
            if resume:
                self._resume()
            return None
        return data

    async def _burst_collected(self, linger: float) -> bool:
        """Wait until the paused transport's socket turns readable, then `linger` more,
        so that a bulk stream reads the next burst whole rather than its first write
        alone; False when the stream was closed meanwhile (or no descriptor was left
        to watch with).

        Watches a duplicate of the descriptor: the loop refuses readers on the one a
        transport owns.
        """
        if self._closed or self._transport.is_closing():
            return False
        loop = self._loop
        watch = self._watch_fd
        if watch < 0:
            try:
                watch = self._watch_fd = os.dup(self._fd)
            except OSError:
                return False  # out of descriptors: the transport reads as usual
        waiter = self._resting = loop.create_future()
        loop.add_reader(watch, _wake, waiter)
        try:
            await waiter
        finally:
            self._resting = None
            if self._watch_fd >= 0:
                loop.remove_reader(watch)
        if not self._closed:
            await self._rest(linger)
        return not self._closed

    async def _rest(self, seconds: float) -> None:
        """`asyncio.sleep`, a little leaner (it runs once per read of a bulk stream), and
        ended early by `aclose`."""
        waiter = self._resting = self._loop.create_future()
        timer = self._loop.call_later(seconds, _wake, waiter)
        try:
            await waiter
        finally:
            self._resting = None
            timer.cancel()  # a no-op once it fired

    def _resume(self) -> None:
        self._protocol.reading_paused = False
        if not self._transport.is_closing():
            self._transport.resume_reading()

    async def send(self, item: bytes) -> None:
        if self._closed:
            raise anyio.ClosedResourceError
        protocol = self._protocol
        if protocol.error is not None or self._transport.is_closing():
            raise anyio.BrokenResourceError from protocol.error
        self._transport.write(item)
        if protocol.write_paused:
            waiter = asyncio.get_running_loop().create_future()
            protocol.drain_waiters.append(waiter)
            await waiter  # (a cancelled one stays listed until the next wake: harmless)
            if protocol.error is not None:
                raise anyio.BrokenResourceError from protocol.error
        else:
            # Keep `send` a checkpoint, as anyio's streams are.
            await asyncio.sleep(0)

    async def send_eof(self) -> None:
        if not self._transport.is_closing():
            self._transport.write_eof()
        await asyncio.sleep(0)

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            # abort(), not close(): close() waits for the write buffer to drain, and stdin
            # that a process never read would keep the socket open until garbage collection.
            self._transport.abort()
            watch, self._watch_fd = self._watch_fd, -1
            if watch >= 0:  # the duplicate would keep the connection open
                self._loop.remove_reader(watch)
                os.close(watch)
        self._protocol._wake()
        if self._resting is not None:
            _wake(self._resting)
        await asyncio.sleep(0)

    @property
    def extra_attributes(self) -> Mapping[Any, Callable[[], Any]]:
        sock = self._transport.get_extra_info("socket")
        return {
            anyio.abc.SocketAttribute.raw_socket: lambda: sock,
            anyio.abc.SocketAttribute.family: lambda: socket.AF_UNIX,
        }


async def connect_unix_asyncio(path: str) -> AsyncioUnixStream:
    """Connect to a Unix socket with a Protocol-based transport (asyncio only)."""
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_unix_connection(_StreamProtocol, path)
    assert isinstance(transport, asyncio.Transport)
    return AsyncioUnixStream(transport, protocol)
