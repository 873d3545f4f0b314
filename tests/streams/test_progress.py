"""Progress streams: in-band errors raise, results and totals come from real daemon transcripts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from aiodocker_engine import errors
from aiodocker_engine.models import ProgressMessage
from aiodocker_engine.streams._progress import (
    ProgressError,
    ProgressResult,
    ProgressStream,
    ProgressTotals,
)
from aiodocker_engine.transport._base import Response, UpgradedStream

pytestmark = pytest.mark.anyio

DIGEST = "sha256:" + "d" * 64
IMAGE_ID = "sha256:" + "1" * 64

# Shapes as Docker 20.10 sends them.
PULL: list[dict[str, object]] = [
    {"status": "Pulling from aiodocker/app", "id": "v1"},
    {"status": "Pulling fs layer", "progressDetail": {}, "id": "aaa"},
    {"status": "Already exists", "progressDetail": {}, "id": "bbb"},
    {"status": "Downloading", "progressDetail": {"current": 100, "total": 400}, "id": "aaa"},
    {"status": "Downloading", "progressDetail": {"current": 400, "total": 400}, "id": "aaa"},
    {"status": "Download complete", "progressDetail": {}, "id": "aaa"},
    {"status": "Extracting", "progressDetail": {"current": 50, "total": 400}, "id": "aaa"},
    {"status": "Pull complete", "progressDetail": {}, "id": "aaa"},
    {"status": f"Digest: {DIGEST}"},
    {"status": "Status: Downloaded newer image for 127.0.0.1:5000/aiodocker/app:v1"},
]
PUSH: list[dict[str, object]] = [
    {"status": "The push refers to repository [127.0.0.1:5000/aiodocker/app]"},
    {"status": "Preparing", "progressDetail": {}, "id": "ccc"},
    {"status": "Pushing", "progressDetail": {"current": 512, "total": 1000}, "id": "ccc"},
    {"status": "Pushing", "progressDetail": {"current": 1536, "total": 1000}, "id": "ccc"},
    {"status": "Pushed", "progressDetail": {}, "id": "ccc"},
    {"status": f"v1: digest: {DIGEST} size: 528"},
    {"progressDetail": {}, "aux": {"Tag": "v1", "Digest": DIGEST, "Size": 528}},
]
BUILD: list[dict[str, object]] = [
    {"stream": "Step 1/2 : FROM busybox"},
    {"stream": "\n"},
    {"stream": " ---> 925dbd82e8b4\n"},
    {"aux": {"ID": IMAGE_ID}},
    {"stream": "Successfully built 111111111111\n"},
]
BUILD_FAILURE: list[dict[str, object]] = [
    {"stream": "Step 2/2 : RUN false"},
    {"stream": "\n"},
    {"stream": " ---> Running in 0123456789ab\n"},
    {"stream": "some output before it failed\n"},
    {
        "errorDetail": {
            "code": 1,
            "message": "The command '/bin/sh -c false' returned a non-zero code: 1",
        },
        "error": "The command '/bin/sh -c false' returned a non-zero code: 1",
    },
    {"stream": "never seen\n"},
]


class FakeResponse(Response):
    """A 200 response whose body is given chunks; records whether it was closed."""

    def __init__(self, chunks: list[bytes], status: int = 200) -> None:
        self.status = status
        self.reason = "OK"
        self.headers = {"content-type": "application/json"}
        self._chunks = chunks
        self.closed = False

    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        return self

    def __aiter__(self) -> AsyncIterator[bytes | memoryview]:
        return self

    async def __anext__(self) -> bytes:
        # A class, not an async generator: an abandoned generator would be finalised late.
        if not self._chunks:
            raise StopAsyncIteration
        return self._chunks.pop(0)

    def upgraded(self) -> UpgradedStream:
        raise NotImplementedError

    async def aclose(self) -> None:
        self.closed = True


def _body(messages: list[dict[str, object]], *, split: int | None = None) -> list[bytes]:
    data = b"".join(json.dumps(m).encode() + b"\r\n" for m in messages)
    if split is None:
        return [data]
    return [data[i : i + split] for i in range(0, len(data), split)]


def _stream(
    messages: list[dict[str, object]], *, split: int | None = None
) -> tuple[ProgressStream[ProgressMessage], list[FakeResponse]]:
    opened: list[FakeResponse] = []

    async def opener() -> Response:
        response = FakeResponse(_body(messages, split=split))
        opened.append(response)
        return response

    return ProgressStream(opener, ProgressMessage), opened


@pytest.mark.parametrize("split", [None, 1, 7, 64])
async def test_awaiting_a_pull_returns_its_digest_and_status(split: int | None) -> None:
    stream, opened = _stream(PULL, split=split)
    result = await stream
    assert result.digest == DIGEST
    assert result.status == "Status: Downloaded newer image for 127.0.0.1:5000/aiodocker/app:v1"
    assert result.messages == len(PULL)
    assert opened[0].closed
    assert stream.totals.current == stream.totals.total == 400
    assert stream.totals.done == 2  # "Already exists" counts as done


async def test_push_result_and_totals_clamp_to_the_layer_size() -> None:
    stream, _ = _stream(PUSH)
    fractions = []
    async for _ in stream:
        fractions.append(stream.totals.fraction)
    assert stream.result.digest == DIGEST
    assert stream.result.aux == [{"Tag": "v1", "Digest": DIGEST, "Size": 528}]
    assert fractions[2] == 0.512 and fractions[3] == 1.0
    assert repr(stream.totals) == "<ProgressTotals 1000/1000 bytes, 1/1 layers done>"


async def test_build_result_has_the_image_id_and_the_log() -> None:
    result = await _stream(BUILD)[0]
    assert result.image_id == IMAGE_ID
    assert (
        result.log
        == "Step 1/2 : FROM busybox\n ---> 925dbd82e8b4\nSuccessfully built 111111111111\n"
    )


@pytest.mark.parametrize("split", [None, 3])
async def test_in_band_error_raises_when_awaited_with_the_log(split: int | None) -> None:
    stream, opened = _stream(BUILD_FAILURE, split=split)
    with pytest.raises(errors.StreamError) as caught:
        await stream
    exc = caught.value
    assert isinstance(exc, ProgressError)
    assert exc.message == "The command '/bin/sh -c false' returned a non-zero code: 1"
    assert exc.code == 1
    assert "some output before it failed" in exc.log and "never seen" not in exc.log
    assert "some output before it failed" in str(exc)
    assert opened[0].closed


async def test_in_band_error_raises_while_iterating_after_earlier_messages() -> None:
    stream, opened = _stream(BUILD_FAILURE)
    seen: list[ProgressMessage] = []
    with pytest.raises(ProgressError):
        async with stream:
            async for message in stream:
                seen.append(message)
    assert len(seen) == 4 and opened[0].closed
    assert [m async for m in stream] == []  # closed: nothing more


async def test_legacy_error_field_alone_also_raises() -> None:
    stream, _ = _stream([{"status": "Loading"}, {"error": "open /var/lib/docker/tmp: no space"}])
    with pytest.raises(ProgressError, match="no space") as caught:
        await stream
    assert caught.value.code is None


def test_load_and_import_results() -> None:
    loaded = ProgressResult()
    loaded.add(ProgressMessage(stream="Loaded image: busybox:latest\n"))
    loaded.add(ProgressMessage(stream=f"Loaded image ID: {IMAGE_ID}\n"))
    assert loaded.images == ["busybox:latest", IMAGE_ID] and loaded.image_id == IMAGE_ID
    imported = ProgressResult()
    imported.add(ProgressMessage(status="Importing", id="x"))
    imported.add(ProgressMessage(status=IMAGE_ID))
    assert imported.image_id == IMAGE_ID
    by_podman = ProgressResult()  # Podman repeats the id as the message's id
    by_podman.add(ProgressMessage(status=IMAGE_ID, id=IMAGE_ID, progress=""))
    assert by_podman.image_id == IMAGE_ID
    layer = ProgressResult()  # a layer's status is no image id
    layer.add(ProgressMessage(status=IMAGE_ID, id="a1b2c3"))
    assert layer.image_id is None


def test_build_log_is_bounded() -> None:
    result = ProgressResult()
    for _ in range(600):
        result.add(ProgressMessage(stream="x" * 1023 + "\n"))
    assert len(result.log) == 256 * 1024


def test_totals_without_sizes_have_no_fraction() -> None:
    totals = ProgressTotals()
    assert totals.fraction is None
    totals.update(ProgressMessage(status="Waiting", id="a"))
    totals.update(ProgressMessage(status="no id"))
    assert list(totals.layers) == ["a"] and totals.fraction is None


async def test_awaiting_twice_returns_the_same_result() -> None:
    stream, opened = _stream(BUILD)
    first = await stream
    second = await stream
    assert first is second and len(opened) == 1
