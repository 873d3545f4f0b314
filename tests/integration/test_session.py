"""The BuildKit session endpoint: the real daemon upgrades to h2c; the fake one shows errors."""

from __future__ import annotations

import anyio
import anyio.abc
import pytest

from aiodocker_engine import Docker, errors
from tests.fake_engine import FakeRequest, fake_engine, response

pytestmark = [pytest.mark.anyio]

# What an HTTP/2 client sends first (RFC 9113, 3.4): after the upgrade the daemon is the
# gRPC client of the session, so these bytes prove the connection now speaks HTTP/2.
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


@pytest.mark.aiodocker_engine
async def test_dial_upgrades_to_h2c_and_the_daemon_opens_http2(docker: Docker) -> None:
    stream = docker.session.dial(grpc_methods=["/grpc.health.v1.Health/Check"])
    assert "not started" in repr(stream)
    async with stream:
        assert "open" in repr(stream)
        received = b""
        with anyio.fail_after(20):
            while len(received) < len(H2_PREFACE):
                received += await stream.receive()
    assert received.startswith(H2_PREFACE)
    assert "closed" in repr(stream)
    with pytest.raises(errors.DockerError):
        await stream.receive()


@pytest.mark.aiodocker_engine
async def test_a_session_id_in_use_is_refused(docker: Docker) -> None:
    async with docker.session.dial() as first:
        with pytest.raises(errors.APIError, match="already exists"):
            async with docker.session.dial(session_id=first.session_id):
                pass


async def test_dial_sends_h2c_upgrade_and_session_headers(anyio_backend: str) -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/_ping":
            await stream.send(response(200, b"OK", content_type="text/plain"))
            return True
        await stream.send(
            b"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nearly"
        )
        await stream.send(await stream.receive())  # echo one chunk
        return False

    async with fake_engine(handler) as engine, Docker(engine.host) as docker:
        async with docker.session.dial(
            session_id="abc", name="ctx", shared_key="key", grpc_methods=["/a/B", "/c/D"]
        ) as stream:
            assert await stream.receive() == b"early"
            await stream.send(b"ping")
            assert await stream.receive() == b"ping"
        request = engine.requests[-1]
    assert (request.method, request.target) == ("POST", "/v1.41/session")
    assert request.headers["upgrade"] == "h2c"
    assert request.headers["connection"] == "Upgrade"
    assert request.headers["x-docker-expose-session-uuid"] == "abc"
    assert request.headers["x-docker-expose-session-name"] == "ctx"
    assert request.headers["x-docker-expose-session-sharedkey"] == "key"
    # The fake's header dict keeps the last of a repeated header; one line per method is sent.
    assert request.headers["x-docker-expose-session-grpc-method"] == "/c/D"


async def test_dial_raises_the_daemons_error(anyio_backend: str) -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/_ping":
            await stream.send(response(200, b"OK", content_type="text/plain"))
            return True
        await stream.send(response(500, b'{"message": "protocol tcp not supported"}'))
        return True

    async with fake_engine(handler) as engine, Docker(engine.host) as docker:
        with pytest.raises(errors.ServerError, match="protocol tcp not supported"):
            async with docker.session.dial():
                pass
        with pytest.raises(errors.VersionError):
            async with Docker(engine.host, api_version="1.30") as old:
                async with old.session.dial():
                    pass
