"""UpgradedStream.receive_some: leftover first, then the inner stream's own or plain receive."""

from __future__ import annotations

import anyio
import anyio.abc
import pytest

from aiodocker_engine.transport._base import UpgradedStream

pytestmark = pytest.mark.anyio


class _Chunks(anyio.abc.ByteStream):
    """A stream that hands out given chunks, with or without a `receive_some` of its own."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = list(chunks)
        self.calls: list[str] = []

    async def receive(self, max_bytes: int = 65536) -> bytes:
        self.calls.append("receive")
        await anyio.lowlevel.checkpoint()
        if not self.chunks:
            raise anyio.EndOfStream
        return self.chunks.pop(0)

    async def send(self, item: bytes) -> None:
        raise NotImplementedError  # never sent to in these tests

    async def send_eof(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        self.chunks = []


class _ChunksWithViews(_Chunks):
    async def receive_some(self, max_bytes: int = 65536) -> bytes | memoryview:
        self.calls.append("receive_some")
        return memoryview(await super().receive(max_bytes)).toreadonly()


async def test_leftover_comes_first_then_the_inner_streams_own_receive_some() -> None:
    inner = _ChunksWithViews(b"bulk")
    upgraded = UpgradedStream(inner, b"read with the head")
    assert await upgraded.receive_some() == b"read with the head"
    got = await upgraded.receive_some()
    assert isinstance(got, memoryview) and bytes(got) == b"bulk"
    assert inner.calls == ["receive_some", "receive"]


async def test_an_inner_stream_without_receive_some_is_read_with_receive() -> None:
    inner = _Chunks(b"plain")
    upgraded = UpgradedStream(inner)
    assert await upgraded.receive_some() == b"plain"
    with pytest.raises(anyio.EndOfStream):
        await upgraded.receive_some()
    assert inner.calls == ["receive", "receive"]
