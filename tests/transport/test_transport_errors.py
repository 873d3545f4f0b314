"""Both transports raise the same errors for the same faults; TLS handshakes that end early."""

from __future__ import annotations

import socket
import ssl
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.abc
import httpx
import pytest

from aiodocker_engine import Docker, HttpxTransport, errors
from aiodocker_engine.transport._connection import broken
from aiodocker_engine.transport._host import TLSConfig, parse_host
from tests.fake_engine import FakeEngine, FakeRequest, fake_engine, response

pytestmark = pytest.mark.anyio


async def faulty(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
    fault = request.target.split("/")[-2]
    if fault == "truncated":
        await stream.send(response(200, b'{"Id": "abcdef"}')[:-5])
    elif fault == "garbage":
        await stream.send(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    elif fault == "slow":  # no answer until the client gives up and hangs up
        with pytest.raises((anyio.EndOfStream, anyio.BrokenResourceError)):
            await stream.receive()
    return False


@asynccontextmanager
async def client(engine: FakeEngine, kind: str) -> AsyncIterator[Docker]:
    if kind == "pool":
        async with Docker(engine.host, api_version="1.41", timeout=0.5) as docker:
            yield docker
    elif kind == "httpx":
        transport = HttpxTransport(address=parse_host(engine.host))
        async with Docker(transport=transport, api_version="1.41", timeout=0.5) as docker:
            yield docker
    else:  # the caller's own client: Docker's timeout bounds calls, not the client's
        own = httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(uds=engine.path), timeout=60)
        transport = HttpxTransport(own)
        async with own, Docker(transport=transport, api_version="1.41", timeout=0.5) as docker:
            yield docker


@pytest.mark.parametrize("kind", ["pool", "httpx", "own httpx client"])
@pytest.mark.parametrize(
    ("fault", "raised"),
    [
        ("truncated", errors.ProtocolError),
        ("garbage", errors.ProtocolError),
        ("slow", errors.Timeout),
    ],
)
async def test_a_fault_raises_the_same_error_through_either_transport(
    kind: str, fault: str, raised: type[errors.DockerError]
) -> None:
    async with fake_engine(faulty) as engine, client(engine, kind) as docker:
        with anyio.fail_after(10), pytest.raises(raised):
            await docker.containers.inspect(fault)


@pytest.mark.parametrize("ending", ["close", "reset"])
async def test_a_tls_handshake_the_peer_ends_is_a_connection_failure(ending: str) -> None:
    async def serve(stream: anyio.abc.SocketStream) -> None:
        async with stream:
            await stream.receive()  # the ClientHello
            if ending == "reset":
                sock = stream.extra(anyio.abc.SocketAttribute.raw_socket)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, serve)
        tls = TLSConfig(verify=False)
        async with Docker(f"tcp://127.0.0.1:{port}", tls=tls, api_version="1.41") as docker:
            with anyio.fail_after(10), pytest.raises(errors.ConnectionFailed, match="TLS port"):
                await docker.system.ping()
        tg.cancel_scope.cancel()


def test_a_refused_client_certificate_says_so() -> None:
    # dockerd (Go) answers a missing or untrusted client certificate with a TLS alert
    # that a TLS 1.3 client reads only after its handshake: on the first read.
    alert = ssl.SSLError(1, "[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate")
    alert.reason = "SSLV3_ALERT_BAD_CERTIFICATE"
    wrapped = anyio.BrokenResourceError()
    wrapped.__cause__ = alert
    failure = broken(wrapped)
    assert "wants a client certificate it trusts" in str(failure)
    assert "SSLV3_ALERT_BAD_CERTIFICATE" in str(failure)
    other = ssl.SSLError(1, "[SSL: DECRYPTION_FAILED] decryption failed")
    other.reason = "DECRYPTION_FAILED"
    assert "client certificate" not in str(broken(other))
