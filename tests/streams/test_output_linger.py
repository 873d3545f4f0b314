"""FrameStream's read coalescing: which reads make the next one wait, how long, and that
none is lost."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import anyio
import anyio.abc
import pytest

from aiodocker_engine.streams._output import MULTIPLEXED, FrameStream
from aiodocker_engine.transport import _pacing
from aiodocker_engine.transport._base import Response, UpgradedStream
from aiodocker_engine.transport._pacing import ReadPacer

pytestmark = pytest.mark.anyio


def frames_of(size: int) -> bytes:
    """Whole stdout frames adding up to `size` bytes on the wire."""
    payload = size - 8
    return struct.pack(">BxxxL", 1, payload) + b"x" * payload


class ScriptedStream(anyio.abc.ByteStream):
    """Serves one scripted read per receive(), each `gap` seconds after the call (the
    source's pace), and logs receive and linger calls."""

    def __init__(self, reads: list[bytes], gap: float) -> None:
        self.reads = list(reads)
        self.gap = gap
        self.log: list[str] = []

    async def receive(self, max_bytes: int = 65536) -> bytes:
        await anyio.sleep(self.gap)
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


async def drain(reads: list[bytes], gap: float = 0.005) -> tuple[int, list[str]]:
    stream = ScriptedStream(reads, gap)

    async def opener() -> Response:
        return UpgradedResponse(stream)

    total = 0
    async with FrameStream(opener, api_version=lambda: (1, 41)) as output:
        async for frame in output:
            total += len(frame.data) + 8
    return total, stream.log


async def test_only_reads_of_the_daemons_small_write_sizes_make_the_next_read_wait() -> None:
    small, bulk, big, full = 100, 8 * 1024, 200 * 1024, 256 * 1024
    reads = [frames_of(small), frames_of(bulk), frames_of(full), frames_of(big), frames_of(bulk)]
    total, log = await drain(reads)
    assert total == small + bulk + full + big + bulk
    # 8 KiB in 5 ms is a slow source: even the longest wait collects little.
    wait = f"linger {_pacing._MAX}"
    assert log == [
        "read 100",  # interactive-sized: the next read goes at once
        "read 8192",
        wait,  # bulk in a small write: let more collect
        "read 262144",  # it filled the read buffer: more is likely waiting already
        "read 204800",  # as much as a Unix socket holds: the source was waiting on us
        "read 8192",
        wait,
    ]


async def test_a_fast_source_is_never_made_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    # 150 KiB reads 50 us apart (3 GB/s): a wait sized to collect the target would be
    # shorter than the smallest worth taking.
    ticks = iter(range(10**6))
    monkeypatch.setattr(_pacing, "_clock", lambda: next(ticks) * 0.00005)
    reads = [frames_of(150 * 1024)] * 20
    total, log = await drain(reads, gap=0)
    assert total == 20 * 150 * 1024
    assert not [entry for entry in log if entry.startswith("linger")]


def test_the_wait_is_sized_to_collect_the_target_at_the_rate_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(_pacing, "_clock", lambda: now[0])
    pacer = ReadPacer()
    # 32 KiB seen over 0.1 ms (about 330 MB/s): wait 0.4 ms to collect 128 KiB more.
    now[0] += 0.0001
    pacer.after_read(32 * 1024)
    assert pacer.wait == pytest.approx(0.0004)
    # 32 KiB over 10 ms: the longest wait.
    now[0] += 0.01
    pacer.after_read(32 * 1024)
    assert pacer.wait == _pacing._MAX
    # 150 KiB over 0.1 ms (1.5 GB/s): a wait under 0.2 ms is not worth taking.
    now[0] += 0.0001
    pacer.after_read(150 * 1024)
    assert pacer.wait == 0.0
    # Tiny and big reads never wait, however slow the source.
    for size in (100, 200 * 1024):
        now[0] += 1.0
        pacer.after_read(size)
        assert pacer.wait == 0.0
