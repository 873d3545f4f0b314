"""A scripted hijacked stream for FrameStream tests: one canned read per receive, at a set pace."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import anyio
import anyio.abc

from aiodocker_engine.streams._output import MULTIPLEXED, FrameStream
from aiodocker_engine.transport._base import Response, UpgradedStream


def frames_of(size: int) -> bytes:
    """Whole stdout frames adding up to `size` bytes on the wire."""
    payload = size - 8
    return struct.pack(">BxxxL", 1, payload) + b"x" * payload


class ScriptedStream(anyio.abc.ByteStream):
    """Serves one scripted read per receive(), each `gap` seconds after the call (the
    source's pace), and logs reads and the lingers asked of receive_some()."""

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

    async def receive_some(self, max_bytes: int = 65536, linger: float = 0.0) -> bytes:
        if linger:
            self.log.append(f"linger {linger}")
        return await self.receive(max_bytes)

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


def scripted_output(reads: list[bytes], gap: float = 0.0) -> tuple[FrameStream, ScriptedStream]:
    """A FrameStream whose hijacked connection serves `reads`, `gap` seconds apart."""
    stream = ScriptedStream(reads, gap)

    async def opener() -> Response:
        return UpgradedResponse(stream)

    return FrameStream(opener, api_version=lambda: (1, 41)), stream


class BodyResponse(Response):
    """A multiplexed log body served as scripted reads, each a list of parts; without
    `parts` it offers only `aiter_raw` (the base class then makes one-part lists)."""

    status = 200
    reason = "OK"
    headers: Mapping[str, str] = {"content-type": MULTIPLEXED}

    def __init__(self, reads: list[list[bytes]], *, parts: bool = True) -> None:
        self.reads = reads
        self.closed = False
        if not parts:
            self.aiter_parts = super().aiter_parts  # type: ignore[method-assign]

    async def _each_read(self) -> AsyncIterator[list[bytes | memoryview]]:
        for read in self.reads:
            await anyio.lowlevel.checkpoint()
            yield list(read)

    def aiter_parts(self) -> AsyncIterator[list[bytes | memoryview]]:
        return self._each_read()

    async def _each_part(self) -> AsyncIterator[bytes | memoryview]:
        for read in self.reads:
            for part in read:
                await anyio.lowlevel.checkpoint()
                yield part

    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        return self._each_part()

    def upgraded(self) -> UpgradedStream:
        raise AssertionError("a log body is not upgraded")

    async def aclose(self) -> None:
        self.closed = True
        await anyio.lowlevel.checkpoint()


def scripted_logs(
    reads: list[list[bytes]], *, parts: bool = True
) -> tuple[FrameStream, BodyResponse]:
    """A FrameStream reading a log body that arrives as `reads`."""
    response = BodyResponse(reads, parts=parts)

    async def opener() -> Response:
        return response

    return FrameStream(opener, api_version=lambda: (1, 41)), response
