"""Address forms on the wire: a tcp:// path prefix, masked passwords, ssh failures."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import anyio.abc
import pytest

from aiodocker_engine import Docker, HttpxTransport, errors
from aiodocker_engine.transport._host import parse_host
from tests.fake_engine import FakeEngine, FakeRequest, response

pytestmark = pytest.mark.anyio


async def _answer(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
    body = b"OK" if request.target.endswith("/_ping") else b"[]"
    await stream.send(response(200, body))
    return True


@asynccontextmanager
async def tcp_engine() -> AsyncIterator[tuple[FakeEngine, int]]:
    """The fake engine on a TCP port of 127.0.0.1."""
    engine = FakeEngine("", _answer)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, engine._serve_connection)
            try:
                yield engine, port
            finally:
                tg.cancel_scope.cancel()
    finally:
        await listener.aclose()


@pytest.mark.parametrize("kind", ["pool", "httpx"])
async def test_a_tcp_path_prefixes_every_request(kind: str) -> None:
    # As the Go client's base path: tcp://proxy:2375/docker sends /docker/v1.41/...
    async with tcp_engine() as (engine, port):
        url = f"tcp://127.0.0.1:{port}/docker/"
        if kind == "pool":
            docker = Docker(url)
        else:
            docker = Docker(transport=HttpxTransport(address=parse_host(url)))
        async with docker:
            assert await docker.containers.list() == []
    assert [r.target for r in engine.requests] == ["/docker/_ping", "/docker/v1.41/containers/json"]


async def test_a_password_in_the_address_never_shows() -> None:
    async with tcp_engine() as (_, port):
        pass  # a port nothing listens on any more
    async with Docker(f"tcp://admin:s3cret@127.0.0.1:{port}", timeout=5) as docker:
        assert "s3cret" not in repr(docker) and "admin:***@" in repr(docker)
        with pytest.raises(errors.ConnectionFailed) as caught:
            await docker.system.ping()
    assert "s3cret" not in str(caught.value) and "admin:***@" in str(caught.value)


async def test_a_failing_ssh_says_what_ssh_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssh = tmp_path / "ssh"
    ssh.write_text(
        "#!/bin/sh\necho 'ssh: Could not resolve hostname nowhere: Name or service not known' >&2\n"
        "exit 255\n"
    )
    ssh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    async with Docker("ssh://me@nowhere", timeout=10) as docker:
        with anyio.fail_after(10), pytest.raises(errors.ConnectionFailed) as caught:
            await docker.system.ping()
    assert "ssh exited with status 255: ssh: Could not resolve hostname nowhere" in str(
        caught.value
    )
