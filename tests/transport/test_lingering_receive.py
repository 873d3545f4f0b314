"""receive_some(linger=...) on both Unix streams: the next burst read whole, and a close
or a cancel during the wait."""

from __future__ import annotations

import asyncio
import socket
from contextlib import AbstractAsyncContextManager

import anyio
import anyio.abc
import pytest

from aiodocker_engine.transport._asyncio_unix import AsyncioUnixStream, connect_unix_asyncio
from aiodocker_engine.transport._trio_unix import TrioUnixStream, connect_unix_trio
from tests.transport._later import close_later, send_parts_later
from tests.transport._unix_peer import unix_peer

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


def peer() -> AbstractAsyncContextManager[tuple[AsyncioUnixStream | TrioUnixStream, socket.socket]]:
    """The running backend's own Unix stream."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return unix_peer(connect_unix_trio)
    return unix_peer(connect_unix_asyncio)


async def test_a_linger_that_finds_nothing_waits_for_the_next_burst_and_reads_it_whole() -> None:
    async with peer() as (stream, other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(send_parts_later, other, [b"first ", b"second"], 1.0)
            with anyio.fail_after(10):
                # Nothing came within the linger: the burst's first write is not read
                # alone, the linger starts again from it.
                assert await stream.receive_some(linger=0.5) == b"first second"
        if isinstance(stream, AsyncioUnixStream):
            assert stream._protocol.reading_paused
            assert not stream._protocol.chunks  # nothing went through the transport
        other.shutdown(socket.SHUT_WR)
        with anyio.fail_after(5), pytest.raises(anyio.EndOfStream):
            await stream.receive_some(linger=0.01)


async def test_closing_during_a_linger_ends_it_and_the_receive_reports_the_close() -> None:
    async with peer() as (stream, _other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(close_later, stream)
            with anyio.fail_after(5), pytest.raises(anyio.ClosedResourceError):
                await stream.receive_some(linger=30)


async def test_a_cancelled_linger_loses_nothing_and_leaves_no_timer() -> None:
    async with peer() as (stream, other):
        with anyio.move_on_after(0.05):
            await stream.receive_some(linger=30)
        if isinstance(stream, AsyncioUnixStream):
            scheduled = stream._loop._scheduled  # type: ignore[attr-defined]
            assert not [timer for timer in scheduled if not timer.cancelled()]
        await anyio.to_thread.run_sync(other.sendall, b"after the cancel")
        with anyio.fail_after(5):
            assert await stream.receive_some(linger=0.01) == b"after the cancel"
