"""Session: the BuildKit session endpoint, a connection upgraded to h2c for gRPC call-backs.

Theory of operation
-------------------
`POST /session` with `Upgrade: h2c` (BuildKit's session manager refuses any other
protocol, so the pool's hijack, which asks for `Upgrade: tcp`, cannot be used) hands
the connection over to gRPC: after `101` the *daemon* is the HTTP/2 client and opens
with the HTTP/2 connection preface; the caller is the gRPC server that exposes the
session's services (file sync, auth, secrets) to the builder. This module only makes
the connection:

1. a fresh raw connection is opened outside the pool (like websocket attach);
2. the request head is written with the transport's own HTTP/1.1 codec
   (`encode_request_head`), and the `X-Docker-Expose-Session-*` headers that name the
   session and the gRPC methods it serves (one header line per method, as BuildKit
   reads them);
3. the response head is parsed with the transport's `ResponseParser`: `101` gives an
   `UpgradedStream` that starts with any bytes read past the head; an error status is
   read to its end and raised as the matching `APIError`.

The client timeout bounds the handshake only; the session lives until it is closed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import anyio
import anyio.abc

from aiodocker_engine import errors
from aiodocker_engine._deadline import Deadline
from aiodocker_engine._error_text import daemon_message
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.transport._base import UpgradedStream
from aiodocker_engine.transport._http11 import (
    NEED_DATA,
    Data,
    EndOfMessage,
    ResponseHead,
    ResponseParser,
    Upgrade,
    encode_request_head,
)

__all__ = ["SessionApi", "SessionStream"]

_ID_HEADER = "X-Docker-Expose-Session-Uuid"
_NAME_HEADER = "X-Docker-Expose-Session-Name"
_KEY_HEADER = "X-Docker-Expose-Session-Sharedkey"
_METHOD_HEADER = "X-Docker-Expose-Session-Grpc-Method"
_MAX_ERROR_BODY = 64 * 1024


class SessionStream(anyio.abc.ByteStream):
    """The upgraded session connection: `async with docker.session.dial() as stream:`.

    A raw two-way byte stream (`receive`, `send`, `send_eof`, `aclose`); what flows on
    it is HTTP/2 with the daemon as the client. `session_id` names the session in
    build requests (`images.build(session=...)`). Leaving the block closes it.
    """

    def __init__(
        self, api: SessionApi, *, session_id: str, headers: dict[str, str], methods: Sequence[str]
    ) -> None:
        self._api = api
        self.session_id = session_id
        self._headers = headers
        self._methods = tuple(methods)
        self._stream: UpgradedStream | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._stream else "not started")
        return f"<SessionStream {self.session_id} {state}>"

    async def open(self) -> None:
        """Send the upgrade request and wait for `101` (normally done by `async with`)."""
        if self._closed:
            raise errors.DockerError("the session is closed")
        if self._stream is None:
            self._stream = await self._api._upgrade(self._headers, self._methods)
        else:
            await anyio.lowlevel.checkpoint()

    def _open_stream(self) -> UpgradedStream:
        if self._stream is None or self._closed:
            raise errors.DockerError("the session is not open: use `async with` first")
        return self._stream

    async def receive(self, max_bytes: int = 65536) -> bytes:
        return await self._open_stream().receive(max_bytes)

    async def send(self, item: bytes) -> None:
        await self._open_stream().send(item)

    async def send_eof(self) -> None:
        await self._open_stream().send_eof()

    async def aclose(self) -> None:
        self._closed = True
        stream, self._stream = self._stream, None
        if stream is not None:
            with anyio.CancelScope(shield=True):
                await stream.aclose()
        else:
            await anyio.lowlevel.checkpoint()

    async def __aenter__(self) -> SessionStream:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class SessionApi(ApiGroup):
    """The interactive session endpoint: `docker.session` (API 1.31+; BuildKit)."""

    def dial(
        self,
        *,
        session_id: str | None = None,
        name: str = "aiodocker_engine",
        shared_key: str = "",
        grpc_methods: Sequence[str] = (),
    ) -> SessionStream:
        """A session connection upgraded to h2c; use it as an async context manager.

        `session_id` defaults to a fresh random id; `grpc_methods` lists the full gRPC
        method names the caller serves ("/moby.filesync.v1.FileSync/DiffCopy"), which
        the daemon's builder may then call. A session id already in use raises
        BadRequest. Upstream marks the endpoint deprecated (gRPC on the socket itself
        replaces it) but every daemon up to API 1.55 serves it.
        """
        ident = session_id or uuid.uuid4().hex
        headers = {_ID_HEADER: ident, _NAME_HEADER: name, _KEY_HEADER: shared_key}
        return SessionStream(self, session_id=ident, headers=headers, methods=grpc_methods)

    async def _upgrade(self, headers: dict[str, str], methods: Sequence[str]) -> UpgradedStream:
        docker = self._docker
        raw, target = await docker._open_raw("Session", "/session", {})
        try:
            async with Deadline(docker.timeout):
                return await self._handshake(raw, target, headers, methods)
        except BaseException as exc:
            with anyio.CancelScope(shield=True):
                await raw.aclose()
            if isinstance(exc, TimeoutError) and not isinstance(exc, errors.DockerError):
                raise errors.Timeout(
                    f"POST /session got no answer within {docker.timeout} s"
                ) from exc
            raise

    async def _handshake(
        self,
        raw: anyio.abc.ByteStream,
        target: str,
        headers: dict[str, str],
        methods: Sequence[str],
    ) -> UpgradedStream:
        address = self._docker._address
        host = address.host_header if address is not None else "docker"
        sent = {"Connection": "Upgrade", "Upgrade": "h2c", "Content-Length": "0", **headers}
        head = encode_request_head("POST", target, host, sent)
        method_lines = "".join(f"{_METHOD_HEADER}: {_header_value(m)}\r\n" for m in methods)
        await raw.send(head[:-2] + method_lines.encode() + b"\r\n")

        parser = ResponseParser()
        parser.start("POST")
        status_head: ResponseHead | None = None
        body = bytearray()
        while True:
            event = parser.next_event()
            if event is NEED_DATA:
                try:
                    data = await raw.receive(65536)
                except anyio.EndOfStream:
                    data = b""
                parser.feed(data)
            elif isinstance(event, Upgrade):
                return UpgradedStream(raw, event.leftover)
            elif isinstance(event, ResponseHead):
                status_head = event
            elif isinstance(event, Data):
                if len(body) < _MAX_ERROR_BODY:
                    body += event.data
            elif isinstance(event, EndOfMessage):
                break
        assert status_head is not None
        if status_head.status < 400:
            raise errors.ProtocolError(
                f"POST /session: expected 101 Switching Protocols, got {status_head.status}"
            )
        raise errors.error_for_status(
            status_head.status,
            daemon_message(bytes(body), status_head.reason),
            method="POST",
            path=target.split("?", 1)[0],
        )


def _header_value(value: Any) -> str:
    text = str(value)
    if "\r" in text or "\n" in text:
        raise ValueError(f"session header value must not contain line breaks: {text!r}")
    return text
