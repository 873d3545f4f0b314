"""Raw byte responses (image save, container export, archives) as lazily opened async iterators.

A `BytesStream` opens its response on first use, yields body chunks as they arrive (as
`bytes`; no chunk is held after it is yielded), and closes the response when the body
ends, on error, or when the `async with` block is left. `read()` gathers everything,
`write_to(path)` streams it to a file through anyio's thread-backed file API.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import anyio

from aiodocker_engine.streams._lazy import LazyStream
from aiodocker_engine.streams._messages import Opener
from aiodocker_engine.transport._base import Response

__all__ = ["BytesStream"]


class BytesStream(LazyStream[bytes]):
    """An async iterator of body chunks; also an async context manager that closes the response."""

    def __init__(self, opener: Opener, *, what: str = "") -> None:
        self._opener = opener
        self._what = what
        self._response: Response | None = None
        self._body: AsyncIterator[bytes | memoryview] | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._response else "not started")
        what = f" {self._what}" if self._what else ""
        return f"<{type(self).__name__}{what} {state}>"

    @property
    def response(self) -> Response | None:
        """The HTTP response, once open."""
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

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        if self._body is None:
            # Not in the try below: an open that fails may close the stream itself
            # (ArchiveStream's stat check), which is no other task's aclose().
            try:
                await self.open()
            except BaseException:
                await self.aclose()
                raise
        assert self._body is not None
        try:
            while True:
                part = await self._body.__anext__()
                if part:
                    return bytes(part)
        except StopAsyncIteration:
            await self.aclose()
            raise
        except BaseException as exc:
            closed_meanwhile = self._closed
            await self.aclose()
            if closed_meanwhile and isinstance(exc, Exception):
                raise StopAsyncIteration from None  # another task's aclose()
            raise

    async def read(self) -> bytes:
        """The whole body in memory (for small results; iterate or `write_to` for big ones)."""
        return b"".join([chunk async for chunk in self])

    async def write_to(self, path: str | os.PathLike[str]) -> int:
        """Stream the body into a file (created or truncated); returns the bytes written."""
        written = 0
        async with self, await anyio.open_file(path, "wb") as out:
            async for chunk in self:
                await out.write(chunk)
                written += len(chunk)
        return written

    async def aclose(self) -> None:
        """Close the response; unread bytes are dropped (and the connection with them),
        and iteration ends (also in a task waiting for the next chunk)."""
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()
        else:
            await anyio.lowlevel.checkpoint()
