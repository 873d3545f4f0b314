"""The plain-trio Unix stream: half-close, EOF, and a close from another task."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest

from aiodocker_engine.transport._trio_unix import TrioUnixStream, connect_unix_trio
from tests.transport._later import close_later, send_later

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "trio"  # the stream exists for trio only


@asynccontextmanager
async def peer() -> AsyncIterator[tuple[TrioUnixStream, socket.socket]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.sock")
        server = socket.socket(socket.AF_UNIX)
        server.bind(path)
        server.listen(1)
        client = await connect_unix_trio(path)
        conn, _ = await anyio.to_thread.run_sync(server.accept)
        try:
            yield client, conn
        finally:
            await client.aclose()
            conn.close()
            server.close()


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


async def test_linger_waits_only_while_no_input_is_waiting() -> None:
    async with peer() as (stream, other):
        began = anyio.current_time()
        await stream.linger(0.2)
        assert anyio.current_time() - began >= 0.2  # nothing came: the full wait
        await anyio.to_thread.run_sync(other.sendall, b"waiting")
        await anyio.sleep(0.02)
        began = anyio.current_time()
        await stream.linger(10)
        assert anyio.current_time() - began < 1  # input was there: no wait
        assert await stream.receive() == b"waiting"


async def test_after_a_linger_receive_reads_what_collected_and_still_sees_eof() -> None:
    async with peer() as (stream, other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(stream.linger, 0.2)
            for part in (b"one ", b"two ", b"three"):
                await anyio.sleep(0.02)
                await anyio.to_thread.run_sync(other.sendall, part)
        assert await stream.receive(4) == b"one "  # max_bytes holds on the direct read
        assert await stream.receive() == b"two three"
        other.shutdown(socket.SHUT_WR)
        await stream.linger(0.01)
        with pytest.raises(anyio.EndOfStream):
            await stream.receive()


async def test_a_linger_with_nothing_collected_falls_back_to_waiting() -> None:
    async with peer() as (stream, other):
        await stream.linger(0.01)
        async with anyio.create_task_group() as tg:
            tg.start_soon(send_later, other, b"later")
            with anyio.fail_after(5):
                assert await stream.receive() == b"later"


async def test_closing_during_a_linger_ends_it_and_receive_reports_the_close() -> None:
    async with peer() as (stream, _other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(close_later, stream)
            with anyio.fail_after(5):
                await stream.linger(30)
        with pytest.raises(anyio.ClosedResourceError):
            await stream.receive()


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
