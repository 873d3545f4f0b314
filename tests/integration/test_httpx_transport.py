"""HttpxTransport does what PoolTransport does: requests, errors, streams, hijacked attach."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import respx

from aiodocker_engine import Docker, HttpxTransport, errors
from aiodocker_engine.testing import Engine
from aiodocker_engine.transport._host import parse_host

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


@pytest.fixture
async def httpx_docker(docker_engine: Engine, anyio_backend: object) -> AsyncIterator[Docker]:
    transport = HttpxTransport(address=parse_host(docker_engine.host))
    async with Docker(transport=transport) as client:
        yield client


async def test_negotiates_and_decodes_through_httpx(httpx_docker: Docker) -> None:
    version = await httpx_docker.system.version()
    assert httpx_docker.api_version == version.api_version
    assert (await httpx_docker.system.ping()).os_type == "linux"


async def test_errors_map_the_same_way(httpx_docker: Docker) -> None:
    with pytest.raises(errors.NotFound, match="no-such-container-httpx"):
        await httpx_docker.containers.inspect("no-such-container-httpx")


async def test_logs_stream_and_attach_hijack_through_httpx(
    httpx_docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    created = await httpx_docker.containers.create(
        image=docker_test_image,
        cmd=["cat"],
        open_stdin=True,
        stdin_once=True,
        attach_stdin=True,
        labels=docker_test_labels,
    )
    try:
        async with httpx_docker.containers.attach(created.id, stdin=True) as stream:
            await httpx_docker.containers.start(created.id)
            await stream.write(b"through httpx\n")
            await stream.close_stdin()
            out, err = await stream.collect()
        assert (out, err) == (b"through httpx\n", b"")
        assert (await httpx_docker.containers.wait(created.id)).status_code == 0
        async with httpx_docker.containers.logs(created.id, tty=False) as logs:
            assert await logs.collect() == (b"through httpx\n", b"")
    finally:
        await httpx_docker.containers.remove(created.id, force=True)


async def test_streamed_request_body_through_httpx(
    httpx_docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))

    async def chunks() -> AsyncIterator[bytes]:
        yield buf.getvalue()

    created = await httpx_docker.containers.create(
        image=docker_test_image, cmd=["true"], labels=docker_test_labels
    )
    try:
        await httpx_docker.containers.put_archive(created.id, "/tmp", chunks())
        stat = await httpx_docker.containers.stat_path(created.id, "/tmp/hello.txt")
        assert stat.size == 5
    finally:
        await httpx_docker.containers.remove(created.id, force=True)


async def test_request_shape_with_respx(anyio_backend: Any) -> None:
    """Users can mock the engine with respx when they plug in their own httpx client."""
    with respx.mock(base_url="http://docker", assert_all_called=True) as mock:
        route = mock.get("/v1.41/containers/json").respond(
            200, json=[{"Id": "abc", "Names": ["/x"], "State": "running"}]
        )
        async with Docker(transport=HttpxTransport(httpx.AsyncClient()), api_version="1.41") as d:
            listed = await d.containers.list(all=True, filters={"label": ["a=b"]})
        assert [c.id for c in listed] == ["abc"]
        request = route.calls.last.request
        assert request.url.params["all"] == "1"
        assert request.url.params["filters"] == '{"label":["a=b"]}'
