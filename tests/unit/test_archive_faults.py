"""Archive answers the daemon never sends: a missing or malformed path-stat header."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio.abc
import pytest

from aiodocker_engine import Docker, errors
from tests.fake_engine import FakeRequest, fake_engine, response

pytestmark = pytest.mark.anyio

TAR = b"x" * 1024
Handler = Callable[[FakeRequest, anyio.abc.ByteStream], Awaitable[bool]]


def _archive_answer(headers: dict[str, str]) -> Handler:
    async def handle(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(response(200, TAR, content_type="application/x-tar", headers=headers))
        return True

    return handle


BAD_HEADERS = {
    "missing": {},
    "not base64": {"X-Docker-Container-Path-Stat": "%%%not-base64"},
    "not json": {"X-Docker-Container-Path-Stat": "bm90IGpzb24="},
}


@pytest.mark.parametrize("headers", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
@pytest.mark.parametrize("use", ["async with", "read", "async for"])
async def test_a_bad_stat_header_raises_however_the_stream_is_used(
    headers: dict[str, str], use: str
) -> None:
    # Without `async with`, the stream's own close on the failed check was taken for
    # another task's aclose(), and the error became an empty, clean end.
    async with (
        fake_engine(_archive_answer(headers)) as fake,
        Docker(fake.host, api_version="1.41") as docker,
    ):
        stream = docker.containers.get_archive("c", "/x")
        with pytest.raises(errors.DockerError, match=r"(?i)X-Docker-Container-Path-Stat"):
            if use == "async with":
                async with stream:
                    pass
            elif use == "read":
                await stream.read()
            else:
                async for _ in stream:
                    pass
        assert await stream.read() == b""  # closed: nothing more, and no second request
        assert [r.target for r in fake.requests if "archive" in r.target] == [
            "/v1.41/containers/c/archive?path=%2Fx"
        ]


async def test_stat_path_keeps_the_heads_not_found_when_the_get_for_its_text_hangs() -> None:
    async def handle(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.method == "HEAD":
            await stream.send(response(404, b""))
            return True
        await anyio.sleep(30)  # the GET that would bring the daemon's text never answers
        return False

    async with (
        fake_engine(handle) as fake,
        Docker(fake.host, api_version="1.41", timeout=1) as docker,
    ):
        with anyio.fail_after(10), pytest.raises(errors.NotFound):
            await docker.containers.stat_path("c", "/missing")
