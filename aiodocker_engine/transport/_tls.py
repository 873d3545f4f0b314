"""A client TLS stream that can half-close: stdin's end on a hijacked attach or exec over TLS.

anyio's TLSStream has no `send_eof`, and TCP's own half-close cannot pass through TLS.
The docker CLI ends stdin on a TLS connection with Go's `tls.Conn.CloseWrite`, which
sends a close_notify alert and keeps the connection open; dockerd's read of stdin then
ends (Go returns EOF after a close_notify) while the container's output keeps coming.
`send_eof` here does the same.

OpenSSL sends close_notify on the first `SSL_shutdown`, but Python's `unwrap()` at once
calls it again to read the peer's close_notify, and a record read during shutdown is
discarded (`ssl3_read_bytes` with SSL_SENT_SHUTDOWN). So the plaintext the TLS object can
already decrypt is taken out first and handed out by `receive` before anything newer;
what is left then is at most a partial record, which OpenSSL keeps. Reading after our
close_notify is allowed: `SSL_read` delivers application data until the peer's own.
"""

from __future__ import annotations

import ssl

import anyio
import anyio.abc
import anyio.lowlevel
from anyio.streams.tls import TLSStream

__all__ = ["HalfClosingTLSStream", "connect_tls"]


class HalfClosingTLSStream(TLSStream):
    """anyio's TLSStream with `send_eof` (see the module docstring)."""

    _held: bytes = b""  # plaintext decrypted before our close_notify, not yet received

    async def receive(self, max_bytes: int = 65536) -> bytes:
        held = self._held
        if held:
            self._held = held[max_bytes:]
            await anyio.lowlevel.checkpoint()
            return held[:max_bytes]
        try:
            return await super().receive(max_bytes)
        except ssl.SSLZeroReturnError:
            # The peer's close_notify after ours: Python reports it as an error once
            # both sides sent one (a b"" read only while ours is unsent).
            raise anyio.EndOfStream from None

    async def send_eof(self) -> None:
        ssl_object = self._ssl_object
        decrypted = [self._held]
        while True:
            try:
                data = ssl_object.read(65536)
            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                break  # all that is here is out (or the peer closed: receive says so)
            except ssl.SSLError as exc:
                raise anyio.BrokenResourceError from exc
            if not data:
                break
            decrypted.append(data)
        self._held = b"".join(decrypted)
        try:
            ssl_object.unwrap()
        except ssl.SSLWantReadError:
            pass  # the peer's close_notify is not awaited: its output keeps coming
        except ssl.SSLError as exc:
            raise anyio.BrokenResourceError from exc
        if self._write_bio.pending:
            await self.transport_stream.send(self._write_bio.read())


async def connect_tls(
    host: str, port: int, *, ssl_context: ssl.SSLContext, hostname: str | None
) -> HalfClosingTLSStream:
    """Connect over TCP and complete the TLS handshake (errors as anyio.connect_tcp's)."""
    stream = await anyio.connect_tcp(host, port)
    try:
        wrapped = await HalfClosingTLSStream.wrap(
            stream,
            server_side=False,
            hostname=hostname or host,
            ssl_context=ssl_context,
            standard_compatible=False,
        )
    except BaseException:
        await anyio.aclose_forcefully(stream)
        raise
    assert isinstance(wrapped, HalfClosingTLSStream)
    return wrapped
