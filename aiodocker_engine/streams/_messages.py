"""Streaming JSON responses (events, stats, progress) as async iterators of typed messages.

A `MessageStream` is both an async iterator and an async context manager. It opens
its response lazily on first use, so a method can return it without awaiting.
Leaving the `async with` block, reaching the end, or an error closes the response
(and so the connection, unless the body ended cleanly and it can go back to the pool).
Breaking out of a bare `async for` cannot be noticed: the connection comes back only at
the pool's next request after the stream was collected (`PoolResponse.watch_abandon`).
Use `async with` or `aclose()` to release it at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

import anyio

from aiodocker_engine.streams._jsonstream import JsonStreamDecoder
from aiodocker_engine.streams._lazy import LazyStream
from aiodocker_engine.transport._base import Response

__all__ = ["MessageStream", "Opener"]

T = TypeVar("T")

Opener = Callable[[], Awaitable[Response]]
"""Sends the request and returns the response once its head arrived (errors raised)."""


class MessageStream(LazyStream[T], Generic[T]):
    """An async iterator of `T` decoded from a newline/concatenated JSON response body."""

    def __init__(self, opener: Opener, type_: type[T] | Any) -> None:
        self._opener = opener
        self._type = type_
        self._decoder: JsonStreamDecoder[T] = JsonStreamDecoder(type_)
        self._response: Response | None = None
        self._body: AsyncIterator[bytes | memoryview] | None = None
        self._pending: deque[T] = deque()
        self._closed = False

    def __repr__(self) -> str:
        name = getattr(self._type, "__name__", repr(self._type))
        state = "closed" if self._closed else ("open" if self._response else "not started")
        return f"<{type(self).__name__}[{name}] {state}>"

    @property
    def response(self) -> Response | None:
        """The HTTP response, once the stream is open (for headers such as Content-Type)."""
        return self._response

    async def open(self) -> None:
        """Send the request now (normally done by the first iteration or `async with`)."""
        if self._response is None:
            if self._closed:
                raise RuntimeError("the stream is closed")
            self._response = await self._opener()
            self._body = self._response.aiter_raw()
        else:
            await anyio.lowlevel.checkpoint()

    async def __anext__(self) -> T:
        if self._pending:
            await anyio.lowlevel.checkpoint()
            return self._pending.popleft()
        if self._closed:
            raise StopAsyncIteration
        if self._body is None:
            # Not in the try below: a failed open is no other task's aclose().
            try:
                await self.open()
            except BaseException:
                await self.aclose()
                raise
        assert self._body is not None
        try:
            while not self._pending:
                try:
                    part = await self._body.__anext__()
                except StopAsyncIteration:
                    self._pending.extend(self._decoder.eof())
                    await self._close_response()
                    if not self._pending:
                        raise
                    break
                self._pending.extend(self._decoder.feed(part))
        except StopAsyncIteration:
            raise
        except BaseException as exc:
            closed_meanwhile = self._closed
            await self.aclose()
            if closed_meanwhile and isinstance(exc, Exception):
                # Another task's aclose() broke the read under us: the end it asked for,
                # not a broken connection.
                raise StopAsyncIteration from None
            raise
        return self._pending.popleft()

    async def aclose(self) -> None:
        """Close the response; messages not yet read are dropped, and iteration ends
        (also in a task that is waiting for the next message)."""
        self._pending.clear()
        await self._close_response()

    async def _close_response(self) -> None:
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()
        else:
            await anyio.lowlevel.checkpoint()
