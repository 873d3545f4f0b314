"""One keep-alive HTTP/1.1 connection: send a request, pull response events from the socket."""

from __future__ import annotations

import contextlib
import select
import ssl
import time
from collections.abc import AsyncIterable, Callable, Mapping
from typing import TypeVar

import anyio
import anyio.abc

from aiodocker_engine._sources import closing_source
from aiodocker_engine.errors import ConnectionFailed, ProtocolError
from aiodocker_engine.transport._base import ReceiveSome, Request
from aiodocker_engine.transport._http11 import (
    CHUNKED_BODY_END,
    NEED_DATA,
    Data,
    Event,
    ResponseHead,
    ResponseParser,
    chunk_header,
    encode_request_head,
)

__all__ = ["HTTPConnection"]

_Got = TypeVar("_Got")

READ_SIZE = 256 * 1024
# Bodies up to this size are sent in the same write as the head.
_COALESCE_LIMIT = 64 * 1024
_EMPTY_BODY = {"Content-Length": "0"}


class _BodyCutShort(Exception):
    """The daemon stopped reading the request body (see `_send_body_part`)."""


class HTTPConnection:
    """A socket plus its parser; owned by one request at a time (the pool enforces it)."""

    __slots__ = (
        "_fd",
        "_receive_some",
        "body_cut_short",
        "host_header",
        "idle_since",
        "parser",
        "requests",
        "stream",
        "timed_out",
    )

    def __init__(self, stream: anyio.abc.ByteStream, host_header: str) -> None:
        self.stream = stream
        self.host_header = host_header
        self.parser = ResponseParser()
        self.idle_since = time.monotonic()
        self.requests = 0
        self.timed_out = False  # set by the trio watchdog when it closed us
        self.body_cut_short = False  # the daemon stopped reading the request body
        self._fd = _fileno(stream)
        # Our Unix streams read bulk input into a few reused buffers (`ReadBuffers`):
        # a log stream read as fresh bytes costs a page fault per 10 KiB or so (measured
        # on asyncio: 50,000-66,000 per 512 MiB of 16 KiB log frames, 140-500 pooled).
        self._receive_some: ReceiveSome | None = getattr(stream, "receive_some", None)

    def __repr__(self) -> str:
        return f"<HTTPConnection fd={self._fd} {self.parser.state.value} requests={self.requests}>"

    def is_dropped(self) -> bool:
        """True when the idle socket shows data or EOF: the daemon closed or broke it.

        An idle keep-alive socket must be silent; readability means EOF or garbage.
        Streams without a file descriptor (ssh pipes) are trusted.
        """
        if self._fd < 0:
            return False
        try:
            poller = select.poll()
            poller.register(self._fd, select.POLLIN)
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return True

    async def send_request(self, request: Request) -> None:
        self.parser.start(request.method)
        self.requests += 1
        headers = dict(request.headers) if request.headers else {}
        body = request.body
        if request.upgrade:
            headers["Connection"] = "Upgrade"
            headers.setdefault("Upgrade", "tcp")
        if body is None:
            await self._send_head(self._bodiless_head(request.method, request.target, headers))
        elif isinstance(body, bytes | bytearray | memoryview):
            headers["Content-Length"] = str(len(body))
            head = encode_request_head(request.method, request.target, self.host_header, headers)
            if len(body) <= _COALESCE_LIMIT:
                await self._send_head(head + body)
            else:
                await self._send_head(head)
                with contextlib.suppress(_BodyCutShort):
                    await self._send_body_part(bytes(body))
        else:
            headers["Transfer-Encoding"] = "chunked"
            await self._send_head(
                encode_request_head(request.method, request.target, self.host_header, headers)
            )
            with contextlib.suppress(_BodyCutShort):
                await self._send_chunked(body)

    async def _send_head(self, data: bytes) -> None:
        """Send a request head (with a small body); a broken socket is ConnectionFailed
        naming its own error (the pool sends the request again where that is safe)."""
        try:
            await self.stream.send(data)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise broken(exc, "the connection to the engine broke (sending the request)") from exc

    async def _send_body_part(self, data: bytes) -> None:
        """Send part of a request body; a daemon that stopped reading it may have answered.

        Go's net/http answers an error found before the body is read (a missing container
        or path: 404), reads at most 256 KiB more, then closes: the send breaks while the
        answer waits in the socket. So the break is noted and ends the body (_BodyCutShort,
        which send_request drops): reading the response comes next and gives that answer,
        or ConnectionFailed when there is none. The connection is never reused after it.
        Only our own sends are caught here: an error of the caller's body source (a file
        that cannot be read) propagates as it is.
        """
        try:
            await self.stream.send(data)
        except (anyio.BrokenResourceError, OSError) as exc:
            self.body_cut_short = True
            raise _BodyCutShort from exc

    async def _send_chunked(self, body: AsyncIterable[bytes]) -> None:
        send = self._send_body_part
        async with closing_source(body) as chunks:
            async for chunk in chunks:
                if not isinstance(chunk, bytes | bytearray | memoryview):
                    raise TypeError(
                        f"a request body source yielded {type(chunk).__name__}: chunks must be "
                        "bytes"
                    )
                if not chunk:
                    continue
                if len(chunk) <= _COALESCE_LIMIT:
                    await send(chunk_header(len(chunk)) + chunk + b"\r\n")
                else:
                    await send(chunk_header(len(chunk)))
                    await send(bytes(chunk))
                    await send(b"\r\n")
        await send(CHUNKED_BODY_END)

    async def fetch(self, request: Request) -> tuple[ResponseHead, list[bytes | memoryview]]:
        """Send a bodiless request and read the whole response: its head and body parts.

        The buffered fast path of ordinary calls (inspect, list, ping, start). An answer
        that came in one read is parsed in one step; others go event by event. A `101`
        is refused: it was not asked for. `parser.response_begun` tells a failure before
        the response from one in its middle.
        """
        parser = self.parser
        parser.start(request.method)
        self.requests += 1
        await self._send_head(self._bodiless_head(request.method, request.target, request.headers))
        data = await self._receive()
        whole = parser.parse_whole(data)
        if whole is not None:
            return whole
        parser.feed(data)
        head = await self.next_event()
        if type(head) is not ResponseHead:
            raise ProtocolError(f"expected a response head, got {head!r}")
        parts: list[bytes | memoryview] = []
        while True:
            event = parser.next_event()
            if type(event) is Data:
                parts.append(event.data)
            elif event is NEED_DATA:
                parser.feed(await self._receive())
            else:
                return head, parts

    def _bodiless_head(self, method: str, target: str, headers: Mapping[str, str] | None) -> bytes:
        """The request head of a request without a body (POST and PUT say so)."""
        if method in ("POST", "PUT"):
            headers = {**headers, "Content-Length": "0"} if headers else _EMPTY_BODY
        return encode_request_head(method, target, self.host_header, headers)

    async def _receive(self) -> bytes:
        try:
            return await self.stream.receive(READ_SIZE)
        except anyio.EndOfStream:
            return b""
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise broken(exc) from exc

    async def next_event(self) -> Event:
        """The next response event, reading from the socket as often as needed."""
        return await self._pull(self.parser.next_event)

    async def next_body_parts(self) -> list[bytes | memoryview] | Event:
        """Every body part received by the next read that brings any, uncopied; else the
        event that ends the body."""
        return await self._pull(self.parser.next_body_parts)

    async def _pull(self, pull: Callable[[], _Got]) -> _Got:
        """`pull()` from the parser again after each read, until it needs no more data."""
        got = pull()
        while got is NEED_DATA:
            data = await self._receive_bulk()
            if type(data) is memoryview:
                self.parser.feed_pooled(data)
            else:
                self.parser.feed(data)
            got = pull()
        return got

    async def _receive_bulk(self) -> bytes | memoryview:
        receive_some = self._receive_some
        if receive_some is None:
            return await self._receive()
        try:
            return await receive_some(READ_SIZE, 0.0)
        except anyio.EndOfStream:
            return b""
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise broken(exc) from exc

    async def aclose(self) -> None:
        """Close the socket; shielded so a cancelled caller still releases the descriptor."""
        with anyio.CancelScope(shield=True):
            with contextlib.suppress(OSError, anyio.BrokenResourceError, ProtocolError):
                await self.stream.aclose()


CLIENT_CERT_HINT = (
    "the daemon wants a client certificate it trusts: check cert.pem and key.pem "
    "(DOCKER_CERT_PATH or TLSConfig(client_cert=..., client_key=...))"
)
# TLS alerts a daemon sends when it refuses the client's certificate, or gets none.
_CLIENT_CERT_ALERTS = frozenset(
    {
        "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        "SSLV3_ALERT_BAD_CERTIFICATE",
        "TLSV1_ALERT_UNKNOWN_CA",
        "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
    }
)


def client_certificate_refused(exc: BaseException) -> bool:
    """Whether `exc` is the TLS alert of a daemon refusing our client certificate. With
    TLS 1.3 it comes after our side of the handshake is done: on the first read."""
    return isinstance(exc, ssl.SSLError) and getattr(exc, "reason", None) in _CLIENT_CERT_ALERTS


def broken(
    exc: BaseException, what: str = "the connection to the engine broke"
) -> ConnectionFailed:
    """`what`, with the socket's own error as the hint: anyio carries it (say, a reset) as
    the cause of a bare BrokenResourceError."""
    cause = exc.__cause__ if isinstance(exc, anyio.BrokenResourceError) else None
    shown = cause if isinstance(cause, OSError) else exc
    if client_certificate_refused(shown):
        return ConnectionFailed(what, hint=f"{CLIENT_CERT_HINT} ({shown})")
    return ConnectionFailed(what, hint=str(shown) or type(shown).__name__)


def _fileno(stream: anyio.abc.ByteStream) -> int:
    sock = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
    return sock.fileno() if sock is not None else -1
