"""PoolTransport: a bounded keep-alive pool of HTTP/1.1 connections over anyio streams.

Theory of operation
-------------------
Bookkeeping (which connection is idle, how many are out, who waits) changes only
in synchronous methods, so it is never left half-done by a cancellation; closing
sockets happens afterwards, under a shielded cancel scope.

1. `checked_out + len(idle) <= max_connections` at all times. A slot is taken
   before connecting and given back if the connect fails.
2. Waiters queue FIFO. A released connection, or the slot of a discarded one,
   is handed straight to the first waiter, so newcomers cannot barge past them.
3. A connection returns to the idle stack (LIFO: the warmest is reused first)
   only when its response ended cleanly and both sides keep it alive.
   Anything else (a half-read body, an error, a cancellation) closes it.
4. An idle connection older than `keepalive_expiry`, or whose socket turned
   readable while idle (the daemon closed it), is closed when next seen.
5. An upgraded (hijacked) connection leaves the pool: it no longer counts
   against `max_connections`, and closing it is the stream owner's job. So does a
   `detach` request's once its head is in (a registered container wait).
6. A request that failed on a reused connection before any byte of an answer is
   sent once more, on a new connection; never twice, never after an answer began.
7. Connections belong to the event loop (or trio run) that made them; the first
   request in another one forgets them and starts the bookkeeping afresh.
8. A streamed response collected while still holding its connection (its stream was
   dropped unclosed) lists it through a finalizer; the next request gives the slot
   back and closes the socket, in its own task.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

import anyio
import anyio.abc

from aiodocker_engine._deadline import Deadline
from aiodocker_engine.errors import ConnectionFailed, DockerError, ProtocolError
from aiodocker_engine.transport._base import Request, Response, UpgradedStream
from aiodocker_engine.transport._connection import HTTPConnection
from aiodocker_engine.transport._http11 import EndOfMessage, Event, ResponseHead, Upgrade
from aiodocker_engine.transport._watchdog import TrioWatchdog

__all__ = ["PoolTransport"]

Connector = Callable[[], Awaitable[anyio.abc.ByteStream]]
_NO_CONNECTIONS: list[HTTPConnection] = []  # never mutated: `_take` builds a new list
_Item = TypeVar("_Item")


class _Waiter:
    __slots__ = ("connection", "event", "granted")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.granted = False
        self.connection: HTTPConnection | None = None


class PoolTransport:
    """The default transport: keep-alive connections to one engine endpoint.

    `connector` opens a new byte stream (Unix, TCP, TLS or an ssh pipe). Requests
    beyond `max_connections` wait in FIFO order. `aclose()` closes every idle
    connection; responses still open close theirs when they are released.
    """

    def __init__(
        self,
        connector: Connector,
        *,
        host_header: str = "docker",
        max_connections: int = 100,
        keepalive_expiry: float = 60.0,
    ) -> None:
        if max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {max_connections}")
        self._connector = connector
        self._host_header = host_header
        self.max_connections = max_connections
        self.keepalive_expiry = keepalive_expiry
        self._idle: list[HTTPConnection] = []
        self._checked_out = 0
        self._waiters: deque[_Waiter] = deque()
        self._closed = False
        self._watchdog = TrioWatchdog()
        self._owner: object = None  # the event loop (or trio run) the connections live in
        # Connections of streamed responses collected unclosed (see `PoolResponse`).
        self._abandoned: list[HTTPConnection] = []

    def __repr__(self) -> str:
        return (
            f"<PoolTransport [{self._checked_out} active, {len(self._idle)} idle"
            f" | {len(self._waiters)} queued]>"
        )

    @property
    def num_active(self) -> int:
        return self._checked_out

    @property
    def num_idle(self) -> int:
        return len(self._idle)

    # -- bookkeeping: synchronous, never interrupted -------------------------------

    def _take(
        self, fresh: bool = False
    ) -> tuple[HTTPConnection | None, bool, list[HTTPConnection]]:
        """Try to get a connection now: (idle connection, may connect, stale ones to close).

        `fresh`: for the one replay after a kept-alive connection turned out dropped. Its
        idle peers are as suspect (the daemon restarted, or timed them all out), and the
        replay must reach the daemon: they are all closed and a new one is made.
        """
        stale: list[HTTPConnection] = _NO_CONNECTIONS
        if self._waiters:
            return None, False, stale
        if fresh and self._idle:
            stale, self._idle = self._idle, []
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            idle = now - conn.idle_since
            # The poll costs a syscall; a socket idle for under a second is trusted, and
            # if the daemon closed it anyway, `request` retries once on a new one.
            if idle > self.keepalive_expiry or (idle > 1.0 and conn.is_dropped()):
                stale = [*stale, conn]
                continue
            self._checked_out += 1
            return conn, False, stale
        if self._checked_out < self.max_connections:
            self._checked_out += 1
            return None, True, stale
        return None, False, stale

    def _take_warm(self) -> HTTPConnection | None:
        """The warmest idle connection when it can be used without checks, else None.

        The common case under load, taken without an await; `_acquire` does the rest.
        """
        idle = self._idle
        if idle and not self._waiters:
            age = time.monotonic() - idle[-1].idle_since
            if age <= 1.0 and age <= self.keepalive_expiry:
                self._checked_out += 1
                return idle.pop()
        return None

    def _give_back(self, conn: HTTPConnection | None) -> None:
        """Return a connection (None: just its slot) to the first waiter or the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            waiter.granted = True
            waiter.connection = conn
            waiter.event.set()
            return
        self._checked_out -= 1
        if conn is not None and not self._closed:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)

    def _release(self, conn: HTTPConnection) -> bool:
        """Called when a response ends: True when the connection went back for reuse."""
        if conn.parser.reusable and not conn.body_cut_short and not self._closed:
            self._give_back(conn)
            return True
        self._give_back(None)
        return False

    def _detach(self) -> None:
        """An upgraded connection leaves the pool and frees its slot."""
        self._give_back(None)

    # -- acquiring -----------------------------------------------------------------

    async def _acquire(
        self, deadline: float | None = None, *, fresh: bool = False
    ) -> tuple[HTTPConnection, bool]:
        """A connection for one request, and whether it was reused (may retry on failure).

        `deadline` (trio clock) bounds only a wait for a free connection: the one place
        where a cancel scope is still needed, and the rare one. Every await after a slot
        was taken gives it back when interrupted: a native asyncio cancel (`task.cancel()`,
        `asyncio.timeout`) passes through anyio's shields.
        """
        if self._closed:
            raise ConnectionFailed("the client is closed")
        conn, may_connect, stale = self._take(fresh)
        if stale:
            try:
                for old in stale:
                    await old.aclose()
            except BaseException:
                if conn is not None or may_connect:
                    self._give_back(conn)
                raise
        if conn is not None:
            return conn, True
        if not may_connect:
            waiter = _Waiter()
            self._waiters.append(waiter)
            try:
                if deadline is None:
                    await waiter.event.wait()
                else:
                    with anyio.fail_after(max(deadline - anyio.current_time(), 0)):
                        await waiter.event.wait()
            except BaseException:
                if waiter.granted:
                    # Granted while being cancelled: pass the grant on, don't leak it.
                    self._give_back(waiter.connection)
                elif waiter in self._waiters:  # (aclose may have taken the queue)
                    self._waiters.remove(waiter)
                raise
            if not waiter.granted:
                raise ConnectionFailed("the client was closed while this request waited")
            if waiter.connection is not None:
                if not waiter.connection.is_dropped():
                    return waiter.connection, True
                try:
                    await waiter.connection.aclose()
                except BaseException:
                    self._give_back(None)  # the slot came with it
                    raise
        try:
            stream = await self._connector()
        except BaseException:
            self._give_back(None)
            raise
        return HTTPConnection(stream, self._host_header), False

    async def _discard(self, conn: HTTPConnection) -> None:
        self._give_back(None)
        await conn.aclose()

    # -- requests ------------------------------------------------------------------

    async def request(
        self,
        request: Request,
        *,
        buffered: bool = False,
        timeout: float | None = None,  # noqa: ASYNC109 - cheaper than a scope (see below)
    ) -> Response:
        """Send `request`; return when the head (or with `buffered`, the whole body) is in.

        `timeout` bounds all of it (TimeoutError). On asyncio it is a cheap loop timer;
        on trio the watchdog enforces it (see `_watchdog.py`), with a cancel scope only
        while waiting for a free connection.
        """
        loop = self._running_loop()
        if self._abandoned:
            await self._reclaim()
        if timeout is None:
            deadline = None
        elif loop is not None:
            async with Deadline(timeout):
                return await self._dispatch(request, buffered, None)
        else:
            deadline = _trio_clock() + timeout
        return await self._dispatch(request, buffered, deadline)

    def _running_loop(self) -> asyncio.AbstractEventLoop | None:
        """The running asyncio loop (None on trio), after adopting it if it is new."""
        loop = asyncio._get_running_loop()
        owner = loop if loop is not None else _trio_token()
        if owner is not self._owner:
            self._adopt(owner)
        return loop

    def _adopt(self, owner: object) -> None:
        """The first request in another event loop (or trio run) than the last one's: a
        client used again after `asyncio.run` returned, say. Connections made there can
        only be driven by their own loop, which is gone: reusing one would send a request
        whose answer nobody reads. So they are forgotten (their sockets close when
        collected, with the ResourceWarning of a client that was not closed), and the
        bookkeeping starts afresh."""
        if self._owner is not None:
            self._idle = []
            self._abandoned = []
            self._checked_out = 0
            self._waiters.clear()
            self._watchdog = TrioWatchdog()
        self._owner = owner

    async def _reclaim(self) -> None:
        """Give back the slots of streams dropped without being closed (a bare `async
        for` left with `break`) and close their sockets, here, in a task of the loop."""
        abandoned, self._abandoned = self._abandoned, []
        for _ in abandoned:
            self._give_back(None)
        for conn in abandoned:
            await conn.aclose()

    def _dispatch(
        self, request: Request, buffered: bool, deadline: float | None
    ) -> Awaitable[Response]:
        if buffered and request.body is None and not request.upgrade:
            return self._fetch(request, deadline)
        return self._request(request, buffered, deadline)

    async def _failed(self, conn: HTTPConnection, exc: BaseException, replayable: bool) -> bool:
        """Clean up after a request failed on `conn`: True when it may be sent again."""
        self._watchdog.unwatch(conn)
        await self._discard(conn)
        if conn.timed_out:
            raise TimeoutError("the request outlived its deadline") from exc
        # A kept-alive socket the daemon closed meanwhile fails before any byte of the
        # response: send again once, on a fresh connection (Go's transport does the same
        # for a server that closed an idle connection, whatever the method).
        return replayable and _is_dropped_connection(exc)

    async def _fetch(self, request: Request, deadline: float | None) -> Response:
        """Bodiless buffered requests, the common case, with the fewest steps."""
        replayed = False
        while True:
            conn = None if replayed else self._take_warm()
            reused = True
            if conn is None:
                conn, reused = await self._acquire(deadline, fresh=replayed)
            if deadline is not None:
                self._watchdog.watch(conn, deadline)
            try:
                head, parts = await conn.fetch(request)
            except BaseException as exc:
                # Sent again, once, only if no byte of a response came: else the daemon
                # may have acted.
                replay = reused and not replayed and not conn.parser.response_begun
                if await self._failed(conn, exc, replay):
                    replayed = True
                    continue
                raise
            break
        if deadline is not None:
            self._watchdog.unwatch(conn)
        if not self._release(conn):
            await conn.aclose()
        return BufferedResponse(head, parts)

    async def _request(self, request: Request, buffered: bool, deadline: float | None) -> Response:
        replayable = not request.body or isinstance(request.body, bytes)
        replayed = False
        while True:
            conn, reused = await self._acquire(deadline, fresh=replayed)
            if deadline is not None:
                self._watchdog.watch(conn, deadline)
            try:
                await conn.send_request(request)
                event = await conn.next_event()
            except BaseException as exc:
                replay = reused and replayable and not replayed and not conn.parser.response_begun
                if await self._failed(conn, exc, replay):
                    replayed = True
                    continue
                raise
            break
        if isinstance(event, Upgrade) and request.upgrade:
            self._watchdog.unwatch(conn)
            self._detach()
            return PoolResponse(self, conn, event.head, upgraded=event.leftover)
        if not isinstance(event, ResponseHead):  # (an upgrade nobody asked for, too)
            self._watchdog.unwatch(conn)
            await self._discard(conn)
            raise ProtocolError(f"expected a response head, got {event!r}")
        if request.detach and not buffered:
            self._watchdog.unwatch(conn)
            self._detach()
            return PoolResponse(self, conn, event, detached=True)
        response = PoolResponse(self, conn, event)
        if not buffered:
            self._watchdog.unwatch(conn)
            response.watch_abandon()
            return response
        try:
            await response.read_into_buffer()
        except BaseException as exc:
            await response.aclose()
            if conn.timed_out:
                raise TimeoutError("the request outlived its deadline") from exc
            raise
        finally:
            self._watchdog.unwatch(conn)
        return response

    async def open_raw(self) -> anyio.abc.ByteStream:
        """A new connection outside the pool, for protocols of their own (websocket attach).

        The caller owns it and must close it; it does not count against max_connections.
        """
        if self._closed:
            raise ConnectionFailed("the client is closed")
        return await self._connector()

    async def aclose(self) -> None:
        """Close idle connections and refuse new requests; requests waiting for a
        connection fail at once (ConnectionFailed)."""
        self._running_loop()  # connections of a finished loop cannot be closed from here
        self._closed = True
        idle, self._idle = self._idle, []
        waiters, self._waiters = self._waiters, deque()
        for waiter in waiters:
            waiter.event.set()  # not granted: its request fails at once
        for conn in idle:
            await conn.aclose()
        await anyio.lowlevel.checkpoint()


def _trio_clock() -> float:
    """trio's clock, read directly: anyio.current_time() first looks the backend up."""
    global _trio_current_time
    if _trio_current_time is None:
        import trio

        _trio_current_time = trio.current_time
    return _trio_current_time()


_trio_current_time: Callable[[], float] | None = None


def _trio_token() -> object:
    """The running trio run's token (what tells one run from another)."""
    global _trio_current_token
    if _trio_current_token is None:
        import trio

        _trio_current_token = trio.lowlevel.current_trio_token
    return _trio_current_token()


_trio_current_token: Callable[[], object] | None = None


def _is_dropped_connection(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionFailed | OSError | anyio.BrokenResourceError):
        return not isinstance(exc, ProtocolError) or "before a response arrived" in str(exc)
    return False


class _PulledIterator(Generic[_Item]):
    """Async iterator over what `pull` returns until None (a class, not a generator:
    nothing to finalise)."""

    __slots__ = ("_pull",)

    def __init__(self, pull: Callable[[], Awaitable[_Item | None]]) -> None:
        self._pull = pull

    def __aiter__(self) -> _PulledIterator[_Item]:
        return self

    async def __anext__(self) -> _Item:
        item = await self._pull()
        if item is None:
            raise StopAsyncIteration
        return item


class BufferedResponse(Response):
    """A response read whole by the fast path; its connection is already back in the pool."""

    __slots__ = ("_parts", "headers", "reason", "status")

    def __init__(self, head: ResponseHead, parts: list[bytes | memoryview]) -> None:
        self.status = head.status
        self.reason = head.reason
        self.headers: Mapping[str, str] = head.headers
        self._parts = parts

    @property
    def content(self) -> bytes | memoryview:
        """The whole body, without a copy when it came in one piece."""
        parts = self._parts
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)

    async def read(self) -> bytes:
        await anyio.lowlevel.checkpoint()
        content = self.content
        return content if isinstance(content, bytes) else bytes(content)

    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        return _PartsIterator(self._parts)

    def aiter_parts(self) -> AsyncIterator[list[bytes | memoryview]]:
        return _PartsIterator([self._parts] if self._parts else [])

    def upgraded(self) -> UpgradedStream:
        raise ProtocolError(f"response {self.status} is not an upgraded stream")

    async def aclose(self) -> None:
        await anyio.lowlevel.checkpoint()


class _PartsIterator(Generic[_Item]):
    """Async iteration over body parts (or lists of them) already received."""

    __slots__ = ("_parts",)

    def __init__(self, parts: list[_Item]) -> None:
        self._parts = iter(parts)

    def __aiter__(self) -> _PartsIterator[_Item]:
        return self

    async def __anext__(self) -> _Item:
        await anyio.lowlevel.checkpoint()
        for part in self._parts:
            return part
        raise StopAsyncIteration


class PoolResponse(Response):
    """A response on a pooled connection; see `Response` for the release rules."""

    __slots__ = (
        "_abandon",
        "_body",
        "_conn",
        "_detached",
        "_done",
        "_leftover",
        "_pool",
        "_upgraded_used",
    )

    def __init__(
        self,
        pool: PoolTransport,
        conn: HTTPConnection,
        head: ResponseHead,
        *,
        upgraded: bytes | None = None,
        detached: bool = False,
    ) -> None:
        self._pool = pool
        self._detached = detached  # left the pool at its head: closed, never given back
        self._conn: HTTPConnection | None = conn
        self.status = head.status
        self.reason = head.reason
        self.headers: Mapping[str, str] = head.headers
        self._body: list[bytes | memoryview] | None = None
        self._leftover = upgraded
        self._upgraded_used = False
        self._done = upgraded is not None
        self._abandon: weakref.finalize[Any, Any] | None = None

    def watch_abandon(self) -> None:
        """If this response is collected still holding its connection (its stream was
        dropped unclosed), list the connection for the pool to reclaim at its next
        request. The finalizer only appends to a list: the collector may run it in any
        thread, at any moment, and the loop is touched only by the pool's own task."""
        conn = self._conn
        if conn is not None:
            self._abandon = weakref.finalize(self, self._pool._abandoned.append, conn)

    def _let_go(self) -> None:
        if self._abandon is not None:
            self._abandon.detach()
            self._abandon = None

    async def read_into_buffer(self) -> None:
        parts: list[bytes | memoryview] = []
        while (more := await self._next_parts()) is not None:
            parts += more
        self._body = parts

    @property
    def content(self) -> bytes | memoryview:
        """The whole body of a buffered response, without a copy when it came in one read."""
        if self._body is None:
            raise DockerError("the response body was not buffered; use read() or aiter_raw()")
        if len(self._body) == 1:
            return self._body[0]
        return b"".join(self._body)

    async def read(self) -> bytes:
        if self._body is None:
            await self.read_into_buffer()
        else:
            await anyio.lowlevel.checkpoint()
        content = self.content
        return content if isinstance(content, bytes) else bytes(content)

    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        return _PulledIterator(self._next_part)

    def aiter_parts(self) -> AsyncIterator[list[bytes | memoryview]]:
        return _PulledIterator(self._next_parts)

    async def _next_part(self) -> bytes | memoryview | None:
        """The next body chunk (the parts of one read, joined), or None at the end (the
        connection is released then)."""
        if self._body is not None:
            if self._body:
                return self._body.pop(0)
            await anyio.lowlevel.checkpoint()
            return None
        parts = await self._next_parts()
        if parts is None:
            return None
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def _next_parts(self) -> list[bytes | memoryview] | None:
        """The parts of the next read, uncopied, or None at the end (as `_next_part`)."""
        if self._body is not None:
            held, self._body = self._body, []
            if held:
                return held
            await anyio.lowlevel.checkpoint()
            return None
        conn = None if self._done else self._conn
        if conn is None:
            await anyio.lowlevel.checkpoint()
            return None
        try:
            got = await conn.next_body_parts()
            if isinstance(got, list):
                return got
        except BaseException:
            await self._drop(conn)
            raise
        await self._end_body(conn, got)
        return None

    async def _drop(self, conn: HTTPConnection) -> None:
        if self._conn is not None:
            self._conn = None
            self._let_go()
            if self._detached:
                await conn.aclose()
            else:
                await self._pool._discard(conn)

    async def _end_body(self, conn: HTTPConnection, event: Event) -> None:
        """The body ended with `event`: release the connection (or refuse a stray event)."""
        if not isinstance(event, EndOfMessage):
            await self._drop(conn)
            raise ProtocolError(f"unexpected event in a response body: {event!r}")
        self._done = True
        self._conn = None
        self._let_go()
        if self._detached or not self._pool._release(conn):
            await conn.aclose()

    def upgraded(self) -> UpgradedStream:
        if self._leftover is None or self._conn is None or self._upgraded_used:
            raise ProtocolError(f"response {self.status} is not an unclaimed upgraded stream")
        self._upgraded_used = True
        return UpgradedStream(self._conn.stream, self._leftover)

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            await anyio.lowlevel.checkpoint()
            return
        self._let_go()
        if self._leftover is not None:
            # Upgraded: the connection already left the pool; close it unless claimed.
            if not self._upgraded_used:
                await conn.aclose()
            return
        if self._done:
            return
        if self._detached:
            await conn.aclose()
        else:
            await self._pool._discard(conn)
