"""UpgradedStream.receive_some: leftover first, then the inner stream's own or plain receive;
and the inner stream's own receive_some handed out for bulk readers."""

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
    async def receive_some(self, max_bytes: int = 65536, linger: float = 0.0) -> bytes | memoryview:
        self.calls.append(f"receive_some {linger}")
        return memoryview(await super().receive(max_bytes)).toreadonly()


async def test_leftover_comes_first_then_the_inner_streams_own_receive_some() -> None:
    inner = _ChunksWithViews(b"bulk")
    upgraded = UpgradedStream(inner, b"read with the head")
    assert await upgraded.receive_some() == b"read with the head"
    got = await upgraded.receive_some()
    assert isinstance(got, memoryview) and bytes(got) == b"bulk"
    assert inner.calls == ["receive_some 0.0", "receive"]


async def test_an_inner_stream_without_receive_some_is_read_with_receive() -> None:
    inner = _Chunks(b"plain")
    upgraded = UpgradedStream(inner)
    assert await upgraded.receive_some() == b"plain"
    with pytest.raises(anyio.EndOfStream):
        await upgraded.receive_some()
    assert inner.calls == ["receive", "receive"]


async def test_a_linger_is_passed_on_to_the_inner_streams_own_receive_some() -> None:
    inner = _ChunksWithViews(b"bulk")
    assert bytes(await UpgradedStream(inner).receive_some(10, 0.25)) == b"bulk"
    assert inner.calls == ["receive_some 0.25", "receive"]


async def test_without_an_own_receive_some_a_linger_is_a_plain_wait() -> None:
    upgraded = UpgradedStream(_Chunks(b"plain"))
    began = anyio.current_time()
    assert await upgraded.receive_some(linger=0.1) == b"plain"
    assert anyio.current_time() - began >= 0.1


async def test_the_inner_receive_some_is_handed_out_only_once_the_leftover_is_out() -> None:
    inner = _ChunksWithViews(b"bulk")
    upgraded = UpgradedStream(inner, b"read with the head")
    assert upgraded.direct_receive_some() is None
    assert await upgraded.receive_some() == b"read with the head"
    direct = upgraded.direct_receive_some()
    assert direct is not None and direct == inner.receive_some
    assert UpgradedStream(_Chunks()).direct_receive_some() is None
