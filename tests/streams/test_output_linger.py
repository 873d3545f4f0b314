"""FrameStream's read coalescing: which reads make the next one wait, and that none is lost."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import anyio
import anyio.abc
import pytest

from aiodocker_engine.streams import _output
from aiodocker_engine.streams._output import MULTIPLEXED, FrameStream
from aiodocker_engine.transport._base import Response, UpgradedStream

pytestmark = pytest.mark.anyio


def frames_of(size: int) -> bytes:
    """Whole stdout frames adding up to `size` bytes on the wire."""
    payload = size - 8
    return struct.pack(">BxxxL", 1, payload) + b"x" * payload


class ScriptedStream(anyio.abc.ByteStream):
    """Serves one scripted read per receive() and logs receive and linger calls."""

    def __init__(self, reads: list[bytes]) -> None:
        self.reads = list(reads)
        self.log: list[str] = []

    async def receive(self, max_bytes: int = 65536) -> bytes:
        await anyio.lowlevel.checkpoint()
        if not self.reads:
            raise anyio.EndOfStream
        data = self.reads.pop(0)
        self.log.append(f"read {len(data)}")
        return data

    async def linger(self, seconds: float) -> None:
        self.log.append(f"linger {seconds}")
        await anyio.lowlevel.checkpoint()

    async def send(self, item: bytes) -> None:
        await anyio.lowlevel.checkpoint()

    async def send_eof(self) -> None:
        await anyio.lowlevel.checkpoint()

    async def aclose(self) -> None:
        await anyio.lowlevel.checkpoint()

    @property
    def extra_attributes(self) -> Mapping[Any, Callable[[], Any]]:
        return {}


class UpgradedResponse(Response):
    status = 101
    reason = "UPGRADED"
    headers: Mapping[str, str] = {"content-type": MULTIPLEXED}

    def __init__(self, stream: ScriptedStream) -> None:
        self._stream = stream

    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        raise AssertionError("an upgraded response has no body")

    def upgraded(self) -> UpgradedStream:
        return UpgradedStream(self._stream)

    async def aclose(self) -> None:
        await anyio.lowlevel.checkpoint()


async def drain(reads: list[bytes]) -> tuple[int, list[str]]:
    stream = ScriptedStream(reads)

    async def opener() -> Response:
        return UpgradedResponse(stream)

    total = 0
    async with FrameStream(opener, api_version=lambda: (1, 41)) as output:
        async for frame in output:
            total += len(frame.data) + 8
    return total, stream.log


async def test_only_reads_of_the_daemons_small_write_sizes_make_the_next_read_wait() -> None:
    small, bulk, full = 100, 8 * 1024, 256 * 1024
    total, log = await drain([frames_of(small), frames_of(bulk), frames_of(full), frames_of(bulk)])
    assert total == small + bulk + full + bulk
    wait = f"linger {_output._LINGER_SECONDS}"
    assert log == [
        "read 100",  # interactive-sized: the next read goes at once
        "read 8192",
        wait,  # bulk in a small write: let more collect
        "read 262144",  # a full read: more is likely waiting already
        "read 8192",
        wait,
    ]


async def test_lingering_loses_and_reorders_nothing() -> None:
    sizes = [3000, 9000, 70000, 50, 20000, 4096, 65536, 2048]
    total, log = await drain([frames_of(size) for size in sizes])
    assert total == sum(sizes)
    assert [entry for entry in log if entry.startswith("read")] == [f"read {s}" for s in sizes]
