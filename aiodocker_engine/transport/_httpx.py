"""HttpxTransport: send through any httpx.AsyncClient (proxies, custom auth, respx mocks).

Slower than PoolTransport (httpx's pool and Request/Response layer cost about
110 µs a request, DESIGN), but it lets users plug in what httpx offers. Upgraded
(hijacked) streams use httpcore's `network_stream` extension of a 101 response.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import anyio
import anyio.abc
import httpx

from aiodocker_engine.errors import ConnectionFailed, DockerError, ProtocolError, Timeout
from aiodocker_engine.transport._base import Request, Response, UpgradedStream
from aiodocker_engine.transport._host import EngineAddress

__all__ = ["HttpxTransport"]


class HttpxTransport:
    """Send requests through `client`, to `base_url` (default: the client's own base_url,
    else http://docker, which suits a client whose transport is a Unix socket).

    Without a client, one is made for `address` (Unix socket, TCP or TLS). The
    transport closes a client it made itself, never one it was given. The client's
    connect timeout is kept; its read, write and pool timeouts are not used, since
    `Docker(timeout=...)` bounds calls, and streams that follow (logs, events, attach)
    or wait must not end when the daemon is quiet for a while.
    """

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        address: EngineAddress | None = None,
        base_url: str | None = None,
        max_connections: int = 100,
    ) -> None:
        self._owns_client = client is None
        if client is not None and base_url is None and str(client.base_url):
            base_url = str(client.base_url)
        if client is None:
            limits = httpx.Limits(max_connections=max_connections)
            if address is not None and address.scheme == "unix":
                transport = httpx.AsyncHTTPTransport(uds=address.path, limits=limits)
            elif address is not None and address.scheme == "tcp":
                transport = httpx.AsyncHTTPTransport(
                    verify=address.tls_context or False, limits=limits
                )
                scheme = "https" if address.tls_context else "http"
                base_url = f"{scheme}://{address.bracketed_host}:{address.port}"
                base_url += address.base_path
            elif address is not None:
                raise DockerError(f"HttpxTransport cannot reach {address.url}: use PoolTransport")
            else:
                transport = httpx.AsyncHTTPTransport(limits=limits)
            client = httpx.AsyncClient(transport=transport, timeout=None)
        self._client = client
        self._base = (base_url or "http://docker").rstrip("/")
        self._timeout = httpx.Timeout(None, connect=client.timeout.connect)

    def __repr__(self) -> str:
        return f"<HttpxTransport {self._base}>"

    async def request(self, request: Request, *, buffered: bool = False) -> Response:
        headers: dict[str, str] = dict(request.headers or {})
        if request.upgrade:
            headers["Connection"] = "Upgrade"
            headers.setdefault("Upgrade", "tcp")
        content: Any = request.body
        if content is None and request.method in ("POST", "PUT"):
            content = b""
        built = self._client.build_request(
            request.method,
            self._base + request.target,
            headers=headers,
            content=content,
            timeout=self._timeout,
        )
        try:
            response = await self._client.send(built, stream=True)
        except httpx.TransportError as exc:
            raise _mapped(
                exc,
                f"cannot reach the engine through httpx ({type(exc).__name__})",
                "check the client's transport and the engine address",
            ) from exc
        wrapped = HttpxResponse(response)
        if buffered and response.status_code != 101:
            try:
                await wrapped.read_into_buffer()
            except BaseException:
                await wrapped.aclose()
                raise
        return wrapped

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
        else:
            await anyio.lowlevel.checkpoint()


def _mapped(exc: httpx.TransportError, message: str, hint: str) -> DockerError:
    """The error the pool transport raises for the same failure: a timeout (of the
    caller's own httpx client, say) is `errors.Timeout`, bytes that are not HTTP (or a
    message cut short) `ProtocolError`, anything else `ConnectionFailed`."""
    shown = str(exc) or hint
    if isinstance(exc, httpx.TimeoutException):
        return Timeout(f"{message}: {shown}" if shown else message)
    if isinstance(exc, httpx.ProtocolError):
        return ProtocolError(message, hint=shown)
    return ConnectionFailed(message, hint=shown)


class HttpxResponse(Response):
    """An httpx response behind the Response interface."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status = response.status_code
        self.reason = response.reason_phrase
        self.headers: Mapping[str, str] = {k.lower(): v for k, v in response.headers.items()}
        self._body: bytes | None = None
        self._claimed = False

    async def read_into_buffer(self) -> None:
        self._body = await self._translate(self._response.aread)

    @property
    def content(self) -> bytes:
        if self._body is None:
            raise DockerError("the response body was not buffered; use read() or aiter_raw()")
        return self._body

    async def read(self) -> bytes:
        if self._body is None:
            await self.read_into_buffer()
        assert self._body is not None
        return self._body

    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        return _HttpxBody(self)

    async def _translate(self, call: Callable[[], Any]) -> Any:
        try:
            return await call()
        except httpx.TransportError as exc:
            raise _mapped(exc, "the connection to the engine broke", "") from exc

    def upgraded(self) -> UpgradedStream:
        stream = self._response.extensions.get("network_stream")
        if self.status != 101 or stream is None or self._claimed:
            raise ProtocolError(f"response {self.status} is not an unclaimed upgraded stream")
        self._claimed = True
        return UpgradedStream(_HttpcoreByteStream(stream))

    async def aclose(self) -> None:
        if self.status == 101 and not self._claimed:
            stream = self._response.extensions.get("network_stream")
            if stream is not None:
                with anyio.CancelScope(shield=True):
                    await stream.aclose()
        if not self._claimed:
            with anyio.CancelScope(shield=True):
                await self._response.aclose()
        else:
            await anyio.lowlevel.checkpoint()


class _HttpxBody:
    __slots__ = ("_iterator", "_owner")

    def __init__(self, owner: HttpxResponse) -> None:
        self._owner = owner
        self._iterator: AsyncIterator[bytes] | None = None

    def __aiter__(self) -> _HttpxBody:
        return self

    async def __anext__(self) -> bytes:
        owner = self._owner
        if owner._body is not None:
            body, owner._body = owner._body, b""
            if body:
                return body
            raise StopAsyncIteration
        if self._iterator is None:
            self._iterator = owner._response.aiter_raw()
        result: bytes = await owner._translate(self._iterator.__anext__)
        return result


class _HttpcoreByteStream(anyio.abc.ByteStream):
    """httpcore's network stream as an anyio ByteStream (send_eof via the raw socket)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def receive(self, max_bytes: int = 65536) -> bytes:
        data: bytes = await self._stream.read(max_bytes)
        if not data:
            raise anyio.EndOfStream
        return data

    async def send(self, item: bytes) -> None:
        await self._stream.write(item)

    async def send_eof(self) -> None:
        sock = self._stream.get_extra_info("socket")
        if sock is None:
            raise DockerError("this httpx transport cannot half-close its stream")
        sock.shutdown(socket.SHUT_WR)
        await anyio.lowlevel.checkpoint()

    async def aclose(self) -> None:
        await self._stream.aclose()
