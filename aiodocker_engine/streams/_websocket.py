"""Websocket attach: the `websockets` sans-I/O protocol driven over our own anyio connection.

Theory of operation
-------------------
`GET /containers/{id}/attach/ws` upgrades to a websocket whose binary (or text)
messages carry the container's raw output, stdout and stderr merged, as the daemon
copies the streams without multiplexing headers. Messages we send become stdin.

The `websockets` package is used only as a protocol engine (`ClientProtocol`): it
turns bytes into events and messages into bytes. The socket is ours (Unix, TCP or
TLS, opened by the transport's connector), so this works on asyncio and trio alike,
and over the same kind of connection as every other request.

A websocket cannot be half-closed: `close_stdin()` sends a close frame, after which
the daemon ends the session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import anyio
import anyio.abc
from websockets.client import ClientProtocol
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode
from websockets.http11 import Response as WsResponse
from websockets.uri import parse_uri

from aiodocker_engine import errors
from aiodocker_engine._error_text import daemon_message
from aiodocker_engine.streams._frames import Frame, StdStream
from aiodocker_engine.streams._lazy import LazyStream

__all__ = ["WebSocketStream"]

RawOpener = Callable[[], Awaitable[anyio.abc.ByteStream]]
Resizer = Callable[[int, int], Awaitable[None]]
_READ_SIZE = 256 * 1024


class WebSocketStream(LazyStream[Frame]):
    """Attach over a websocket: frames out (all on STDOUT), `write()` in, `resize()`."""

    def __init__(
        self,
        open_raw: RawOpener,
        *,
        host: str,
        resizer: Resizer | None = None,
        max_message: int | None = 16 * 1024 * 1024,
        handshake_timeout: float | None = None,
    ) -> None:
        self._open_raw = open_raw
        self._handshake_timeout = handshake_timeout
        self._host = host
        self._max_message = max_message
        self._target = ""
        self._protocol: ClientProtocol | None = None
        self._resizer = resizer
        self._stream: anyio.abc.ByteStream | None = None
        self._pending: list[Frame] = []
        self._closed = False
        self._eof = False
        self._flushing: anyio.Lock | None = None  # made on the first send

    def set_target(self, target: str) -> None:
        """The versioned request target; set by the opener once the version is known."""
        self._target = target
        self._protocol = ClientProtocol(
            parse_uri(f"ws://{self._host}{target}"), max_size=self._max_message
        )

    @property
    def _ws(self) -> ClientProtocol:
        if self._protocol is None:
            raise errors.DockerError("the websocket is not open")
        return self._protocol

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._stream else "not started")
        return f"<WebSocketStream {self._target.split('?', 1)[0]} {state}>"

    @property
    def tty(self) -> bool:
        """Websocket attach output is never multiplexed: treat it as raw."""
        return True

    @property
    def is_hijacked(self) -> bool:
        return True

    async def open(self) -> None:
        """Connect and complete the websocket handshake (normally done by `async with`)."""
        if self._stream is not None:
            await anyio.lowlevel.checkpoint()
            return
        if self._closed:
            raise errors.DockerError("the stream is closed")
        try:
            # Connect and handshake within the client timeout, as any call's head is.
            with anyio.fail_after(self._handshake_timeout):
                self._stream = await self._open_raw()
                await self._handshake()
        except TimeoutError as exc:
            await self.aclose()
            if isinstance(exc, errors.DockerError):
                raise
            raise errors.Timeout(
                f"websocket attach: no handshake within {self._handshake_timeout} s "
                "(Docker(timeout=...))"
            ) from exc
        except BaseException:
            await self.aclose()
            raise

    async def _handshake(self) -> None:
        request = self._ws.connect()
        self._ws.send_request(request)
        await self._flush()
        while True:
            for event in self._ws.events_received():
                if isinstance(event, WsResponse):
                    self._check_handshake(event)
                    return
                self._take(event)
            await self._read_more()
            if self._eof:
                raise errors.ConnectionFailed("the daemon closed the websocket handshake")

    def _check_handshake(self, response: WsResponse) -> None:
        exc = self._ws.handshake_exc
        if exc is None:
            return
        if isinstance(exc, InvalidStatus):
            refusal = exc.response
            message = daemon_message(bytes(refusal.body or b""), refusal.reason_phrase)
            path = self._target.split("?", 1)[0]  # as every other call's error
            raise errors.error_for_status(
                refusal.status_code, message or str(exc), method="GET", path=path
            )
        if isinstance(exc, InvalidHandshake):
            raise errors.ProtocolError(f"websocket handshake failed: {exc}")
        raise errors.ProtocolError(f"websocket handshake failed: {exc!r}") from exc

    async def _flush(self) -> None:
        # One flush at a time (a write and a pong may meet), each taking what is queued
        # once it holds the lock: the bytes go out in the order they were queued.
        if self._flushing is None:
            self._flushing = anyio.Lock()
        async with self._flushing:
            await self._send_queued()

    async def _send_queued(self) -> None:
        assert self._stream is not None
        for data in self._ws.data_to_send():
            if data:
                await self._stream.send(data)
            else:
                # websockets asks for a half-close after a close handshake.
                with contextlib.suppress(
                    OSError, anyio.BrokenResourceError, anyio.ClosedResourceError
                ):
                    await self._stream.send_eof()

    async def _read_more(self) -> None:
        stream = self._stream
        if stream is None:  # closed by another task
            self._eof = True
            return
        try:
            data = await stream.receive(_READ_SIZE)
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError):
            self._ws.receive_eof()
            self._eof = True
        else:
            self._ws.receive_data(data)
        await self._flush()  # pongs and close replies

    def _take(self, event: object) -> None:
        if isinstance(event, WsFrame) and event.opcode in (
            Opcode.BINARY,
            Opcode.TEXT,
            Opcode.CONT,
        ):
            if event.data:
                self._pending.append(Frame(StdStream.STDOUT, bytes(event.data)))
        elif isinstance(event, WsFrame) and event.opcode is Opcode.CLOSE:
            self._eof = True

    async def __anext__(self) -> Frame:
        if self._pending:
            return self._pending.pop(0)
        if self._stream is None and not self._closed:
            await self.open()
        while not self._pending:
            if self._eof or self._closed:
                await self.aclose()
                raise StopAsyncIteration
            try:
                await self._read_more()
            except BaseException as exc:
                closed_meanwhile = self._closed
                await self.aclose()
                if closed_meanwhile and isinstance(exc, Exception):
                    raise StopAsyncIteration from None  # another task's aclose()
                raise
            for event in self._ws.events_received():
                self._take(event)
        return self._pending.pop(0)

    async def write(self, data: bytes) -> None:
        """Send bytes to the container's stdin as one binary message."""
        if self._stream is None or self._closed:
            raise errors.DockerError("the websocket is not open")
        self._ws.send_binary(data)
        await self._flush()

    async def close_stdin(self) -> None:
        """Send a close frame: a websocket has no half-close, so the session ends."""
        if self._stream is None or self._closed:
            raise errors.DockerError("the websocket is not open")
        self._ws.send_close()
        await self._flush()

    async def resize(self, h: int, w: int) -> None:
        """Resize the container's TTY (through the REST endpoint)."""
        if self._resizer is None:
            raise errors.DockerError("this stream cannot be resized")
        await self._resizer(h, w)

    async def collect(self) -> tuple[bytes, bytes]:
        """Read to the end; return (output, b"") since the streams arrive merged."""
        out = bytearray()
        async for frame in self:
            out += frame.data
        return bytes(out), b""

    async def aclose(self) -> None:
        """Close the connection (no close handshake is waited for); unread output is
        dropped, and iteration ends (also in a task waiting for the next frame)."""
        self._closed = True
        self._pending.clear()
        stream, self._stream = self._stream, None
        if stream is not None:
            with anyio.CancelScope(shield=True):
                with contextlib.suppress(OSError, anyio.BrokenResourceError):
                    await stream.aclose()
        else:
            await anyio.lowlevel.checkpoint()
