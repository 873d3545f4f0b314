"""Websocket attach against a daemon that never finishes the handshake."""

from __future__ import annotations

import anyio
import anyio.abc
import pytest

from aiodocker_engine import Docker, errors
from tests.fake_engine import FakeRequest, fake_engine, response

pytestmark = pytest.mark.anyio


async def test_a_handshake_that_never_comes_raises_timeout_and_closes_the_connection() -> None:
    client_closed = anyio.Event()

    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/_ping":
            await stream.send(response(200, b"OK", headers={"Api-Version": "1.41"}))
            return True
        # The upgrade request is read and never answered; the client must hang up.
        try:
            await stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            client_closed.set()
        return False

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, timeout=0.3) as docker:
            stream = docker.containers.attach_websocket("c1")
            with anyio.fail_after(10), pytest.raises(errors.Timeout, match="no handshake"):
                await stream.open()
            assert "closed" in repr(stream)
            with anyio.fail_after(10):
                await client_closed.wait()
        assert engine.requests[-1].target.startswith("/v1.41/containers/c1/attach/ws")
