"""What every transport speaks: Request in, Response or an upgraded raw stream out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Protocol

import anyio
import anyio.abc

__all__ = ["Body", "Request", "Response", "Transport", "UpgradedStream"]

#: A request body: nothing, bytes sent with Content-Length, or chunks sent chunked.
Body = bytes | AsyncIterable[bytes] | None


class Request:
    """One HTTP request: `target` is the full path with the version prefix and query string."""

    __slots__ = ("body", "detach", "headers", "method", "target", "upgrade")

    def __init__(
        self,
        method: str,
        target: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: Body = None,
        upgrade: bool = False,
        detach: bool = False,
    ) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.upgrade = upgrade
        # Once the head is here, the connection leaves the pool (as an upgraded one does)
        # and is closed at the end: for a long wait whose caller needs the pool meanwhile.
        self.detach = detach

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.target}>"


#: `receive_some(max_bytes, linger)` of a stream that reads bulk input into reused buffers.
ReceiveSome = Callable[[int, float], Awaitable[bytes | memoryview]]


class UpgradedStream(anyio.abc.ByteStream):
    """The raw two-way stream left after `101 UPGRADED`; bytes read with the head come first.

    Closing it closes the connection: an upgraded connection never returns to a pool.
    """

    def __init__(self, stream: anyio.abc.ByteStream, leftover: bytes = b"") -> None:
        self._stream = stream
        self._leftover = leftover

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if self._leftover:
            data, self._leftover = self._leftover, b""
            await anyio.lowlevel.checkpoint()
            return data
        return await self._stream.receive(max_bytes)

    async def receive_some(self, max_bytes: int = 65536, linger: float = 0.0) -> bytes | memoryview:
        """Like `receive`, but bulk input may come as a read-only view of a buffer that is
        reused once no view of it is alive (our Unix streams; see `_sockread`).

        `linger` > 0 first lets input collect for that many seconds, so that a stream
        arriving in small writes is read in fewer, larger pieces. Bytes read with the
        response head come first, at once.
        """
        if self._leftover:
            return await self.receive(max_bytes)
        own = self.direct_receive_some()
        if own is not None:
            return await own(max_bytes, linger)
        if linger:
            await anyio.sleep(linger)
        return await self._stream.receive(max_bytes)

    def direct_receive_some(self) -> ReceiveSome | None:
        """The inner stream's own `receive_some`, once no bytes read with the head are left
        to hand out, so that a bulk reader can skip this layer on every read; else None."""
        if self._leftover:
            return None
        own: ReceiveSome | None = getattr(self._stream, "receive_some", None)
        return own

    async def send(self, item: bytes) -> None:
        await self._stream.send(item)

    async def send_eof(self) -> None:
        await self._stream.send_eof()

    async def aclose(self) -> None:
        await self._stream.aclose()

    @property
    def extra_attributes(self) -> Mapping[Any, Callable[[], Any]]:
        return self._stream.extra_attributes


class Response(ABC):
    """A response whose head has arrived; the body is read, iterated or discarded.

    Leaving the body half-read and calling `aclose()` discards the connection, so a
    stream abandoned mid-way never corrupts the next request.
    """

    status: int
    reason: str
    headers: Mapping[str, str]

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ("" when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @abstractmethod
    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        """Yield body chunks as they arrive (views into received data where possible)."""

    def aiter_parts(self) -> AsyncIterator[list[bytes | memoryview]]:
        """Yield the body as lists of parts, each list what one read brought (never empty).

        Nothing is joined, so a consumer that takes parts one by one (a frame decoder,
        a buffered read) copies nothing, and pays one round through the layers above
        per read rather than per part. By default each chunk of `aiter_raw` is a list.
        """
        return _OnePartLists(self.aiter_raw())

    async def read(self) -> bytes:
        """Read the whole body; the connection is released when it ends."""
        parts = [bytes(part) async for part in self.aiter_raw()]
        return b"".join(parts)

    @abstractmethod
    def upgraded(self) -> UpgradedStream:
        """The raw stream of a `101` response (raises ProtocolError for any other status)."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the response: a finished body returns the connection, anything else closes it."""

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status} {self.content_type or '-'}>"


class _OnePartLists:
    """Each chunk of a body iterator as a list of one (a class, not an async generator:
    nothing for an event loop to finalize when it is left early)."""

    __slots__ = ("_chunks",)

    def __init__(self, chunks: AsyncIterator[bytes | memoryview]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> _OnePartLists:
        return self

    async def __anext__(self) -> list[bytes | memoryview]:
        return [await self._chunks.__anext__()]


class Transport(Protocol):
    """Sends requests. `request()` returns once the response head has arrived.

    With `buffered=True` the transport has read the whole body before returning,
    and `read()` costs nothing more (the fast path for ordinary calls).
    """

    async def request(self, request: Request, *, buffered: bool = False) -> Response: ...

    async def aclose(self) -> None: ...
