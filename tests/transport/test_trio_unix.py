"""The plain-trio Unix stream: half-close, EOF, and a close from another task."""

from __future__ import annotations

import socket
from contextlib import AbstractAsyncContextManager

import anyio
import pytest

from aiodocker_engine.transport._pacing import SKIP_LINGER_FROM
from aiodocker_engine.transport._trio_unix import TrioUnixStream, connect_unix_trio
from tests.transport._later import close_later, send_later, send_parts_later
from tests.transport._unix_peer import unix_peer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "trio"  # the stream exists for trio only


def peer() -> AbstractAsyncContextManager[tuple[TrioUnixStream, socket.socket]]:
    return unix_peer(connect_unix_trio)


async def test_half_close_keeps_the_read_side_open() -> None:
    async with peer() as (stream, other):
        await stream.send(b"question")
        await stream.send_eof()
        assert await anyio.to_thread.run_sync(other.recv, 100) == b"question"
        assert await anyio.to_thread.run_sync(other.recv, 100) == b""
        await anyio.to_thread.run_sync(other.sendall, b"answer")
        other.shutdown(socket.SHUT_WR)
        assert await stream.receive() == b"answer"
        with pytest.raises(anyio.EndOfStream):
            await stream.receive()


async def test_closing_from_another_task_wakes_a_blocked_receive() -> None:
    async with peer() as (stream, _other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(close_later, stream)
            with pytest.raises(anyio.ClosedResourceError):
                await stream.receive()


async def test_connect_to_a_missing_socket_raises_oserror() -> None:
    with pytest.raises(FileNotFoundError):
        await connect_unix_trio("/nonexistent/dir/docker.sock")


async def test_a_linger_is_skipped_only_when_much_input_is_waiting_already() -> None:
    async with peer() as (stream, other):
        await anyio.to_thread.run_sync(other.sendall, b"a little")
        await anyio.sleep(0.02)
        began = anyio.current_time()
        assert await stream.receive_some(linger=0.2) == b"a little"
        assert anyio.current_time() - began >= 0.2  # the full wait
        much = b"x" * SKIP_LINGER_FROM
        await anyio.to_thread.run_sync(other.sendall, much)
        await anyio.sleep(0.02)
        with anyio.fail_after(30):  # the source is ahead: no wait (a linger would take 60 s)
            assert await stream.receive_some(1 << 20, linger=60) == much


async def test_a_lingering_receive_reads_what_collected_and_still_sees_eof() -> None:
    async with peer() as (stream, other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(send_parts_later, other, [b"one ", b"two ", b"three"])
            first = await stream.receive_some(4, linger=1.0)
        assert first == b"one "  # max_bytes holds on the read after the wait
        assert await stream.receive_some() == b"two three"
        other.shutdown(socket.SHUT_WR)
        with pytest.raises(anyio.EndOfStream):
            await stream.receive_some(linger=0.01)


async def test_a_linger_with_nothing_collected_falls_back_to_waiting() -> None:
    async with peer() as (stream, other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(send_later, other, b"later")
            with anyio.fail_after(5):
                assert await stream.receive_some(linger=0.01) == b"later"


async def test_receive_some_reads_bulk_input_into_a_reused_buffer() -> None:
    async with peer() as (stream, other):
        payload = bytes(range(256)) * 200  # 50 KiB, bulk
        await anyio.to_thread.run_sync(other.sendall, payload)
        await anyio.sleep(0.05)
        first = await stream.receive_some(1 << 20)
        assert isinstance(first, memoryview) and first.readonly and first == payload
        await anyio.to_thread.run_sync(other.sendall, b"small")
        assert await stream.receive_some() == b"small"  # exact bytes below the bulk size
        other.shutdown(socket.SHUT_WR)
        with pytest.raises(anyio.EndOfStream):
            await stream.receive_some()
        assert bytes(first) == payload  # still viewed: its buffer was not reused
