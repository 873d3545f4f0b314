"""The Protocol-based asyncio Unix stream: half-close, backpressure, cancellation, EOF."""

from __future__ import annotations

import socket
from contextlib import AbstractAsyncContextManager

import anyio
import pytest

from aiodocker_engine.transport._asyncio_unix import AsyncioUnixStream, connect_unix_asyncio
from tests.transport._later import close_later, send_later, send_parts_later
from tests.transport._unix_peer import unix_peer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the stream exists for asyncio only


def peer() -> AbstractAsyncContextManager[tuple[AsyncioUnixStream, socket.socket]]:
    return unix_peer(connect_unix_asyncio)


async def test_half_close_keeps_the_read_side_open() -> None:
    async with peer() as (stream, other):
        await stream.send(b"question")
        await stream.send_eof()
        data = await anyio.to_thread.run_sync(other.recv, 100)
        assert data == b"question"
        assert await anyio.to_thread.run_sync(other.recv, 100) == b""  # our EOF arrived
        await anyio.to_thread.run_sync(other.sendall, b"answer after eof")
        other.shutdown(socket.SHUT_WR)
        assert await stream.receive() == b"answer after eof"
        with pytest.raises(anyio.EndOfStream):
            await stream.receive()


async def test_a_slow_reader_pauses_the_transport_instead_of_buffering_everything() -> None:
    async with peer() as (stream, other):
        other.setblocking(False)
        sent = 0
        chunk = b"x" * 65536
        with anyio.move_on_after(2):
            while sent < 64 * 1024 * 1024:
                try:
                    sent += other.send(chunk)
                except BlockingIOError:
                    await anyio.sleep(0.01)
        # The peer got stuck: we stopped reading at the high-water mark.
        assert sent < 64 * 1024 * 1024
        assert stream._protocol.reading_paused
        assert stream._protocol.buffered < 16 * 1024 * 1024
        received = 0
        while received < sent:
            received += len(await stream.receive(1 << 20))
        assert received == sent


async def test_cancelled_receive_loses_no_data() -> None:
    async with peer() as (stream, other):
        with anyio.move_on_after(0.05):
            await stream.receive()
        await anyio.to_thread.run_sync(other.sendall, b"later")
        assert await stream.receive() == b"later"


async def test_receive_honours_max_bytes() -> None:
    async with peer() as (stream, other):
        await anyio.to_thread.run_sync(other.sendall, b"abcdef")
        await anyio.sleep(0.05)
        assert await stream.receive(4) == b"abcd"
        assert await stream.receive(4) == b"ef"


async def test_closed_stream_refuses_use() -> None:
    async with peer() as (stream, _other):
        await stream.aclose()
        with pytest.raises(anyio.ClosedResourceError):
            await stream.send(b"x")
        with pytest.raises(anyio.ClosedResourceError):
            await stream.receive()


async def test_a_lingering_receive_reads_what_collected_meanwhile_in_one_piece() -> None:
    async with peer() as (stream, other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(send_parts_later, other, [b"one ", b"two ", b"three"])
            began = anyio.current_time()
            got = await stream.receive_some(linger=1.0)
            assert anyio.current_time() - began >= 1.0
        assert got == b"one two three"
        assert not stream._protocol.chunks  # nothing went through the transport
        # The transport stays paused while reads find input; a read without a linger
        # that finds none resumes it.
        assert stream._protocol.reading_paused
        async with anyio.create_task_group() as tg:
            tg.start_soon(send_later, other, b"plain")
            with anyio.fail_after(5):
                assert await stream.receive() == b"plain"
        assert not stream._protocol.reading_paused


async def test_closing_while_waiting_for_a_burst_ends_the_wait_and_frees_the_watch() -> None:
    async with peer() as (stream, other):
        async with anyio.create_task_group() as tg:
            tg.start_soon(close_later, stream, 0.2)
            with anyio.fail_after(5), pytest.raises(anyio.ClosedResourceError):
                await stream.receive_some(linger=0.01)
        assert stream._watch_fd == -1
        # No duplicate descriptor keeps the connection open: the peer sees it closed.
        other.settimeout(5)
        assert other.recv(10) == b""


async def test_reads_after_a_linger_honour_max_bytes_and_lose_nothing() -> None:
    async with peer() as (stream, other):
        payload = bytes(range(256)) * 400
        await anyio.to_thread.run_sync(other.sendall, payload)
        await anyio.sleep(0.05)
        got = bytes(await stream.receive_some(1000, linger=0.01))
        assert got == payload[:1000]
        other.shutdown(socket.SHUT_WR)
        rest = bytearray()
        with anyio.fail_after(5), pytest.raises(anyio.EndOfStream):
            while True:
                rest += await stream.receive_some(30000, linger=0.001)
        assert got + rest == payload


async def test_eof_during_a_linger_ends_the_stream() -> None:
    async with peer() as (stream, other):
        other.shutdown(socket.SHUT_WR)
        with anyio.fail_after(5), pytest.raises(anyio.EndOfStream):
            await stream.receive_some(linger=0.05)


async def test_a_reset_during_a_linger_breaks_the_stream() -> None:
    async with peer() as (stream, other):
        await stream.send(b"unread by the peer")
        await anyio.sleep(0.05)
        other.close()  # closing with unread input resets the connection
        with anyio.fail_after(5), pytest.raises((anyio.BrokenResourceError, anyio.EndOfStream)):
            await stream.receive_some(linger=0.05)


async def test_a_linger_keeps_the_backpressure_pause() -> None:
    async with peer() as (stream, other):
        stream._protocol.reading_paused = True  # as the high-water mark sets it
        stream._transport.pause_reading()
        await anyio.to_thread.run_sync(other.sendall, b"held")
        with anyio.fail_after(5):
            assert await stream.receive_some(linger=0.01) == b"held"
        assert stream._protocol.reading_paused  # the read found input: still paused


async def test_a_linger_is_skipped_when_input_is_queued_already() -> None:
    async with peer() as (stream, other):
        await anyio.to_thread.run_sync(other.sendall, b"queued")
        with anyio.fail_after(5):
            while not stream._protocol.chunks:  # noqa: ASYNC110 - the protocol sets no event
                await anyio.sleep(0.01)
        with anyio.fail_after(30):  # a linger not skipped would wait 60 s
            assert await stream.receive_some(linger=60) == b"queued"
        assert not stream._protocol.reading_paused


async def test_bulk_input_is_then_read_directly_until_the_socket_runs_dry() -> None:
    async with peer() as (stream, other):
        payload = bytes(range(256)) * 1024  # 256 KiB
        await anyio.to_thread.run_sync(other.sendall, payload[:100_000])
        with anyio.fail_after(5):
            got = bytearray(await stream.receive(1 << 20))
            while len(got) < 100_000:
                got += await stream.receive(1 << 20)
        # A bulk chunk came through the transport: it is paused, the socket is read directly.
        assert stream._protocol.reading_paused
        await anyio.to_thread.run_sync(other.sendall, payload[100_000:])
        await anyio.sleep(0.05)
        assert not stream._protocol.chunks
        with anyio.fail_after(5):
            while len(got) < len(payload):
                got += await stream.receive(1 << 20)
        assert got == payload
        assert stream._protocol.reading_paused  # each read found input
        async with anyio.create_task_group() as tg:
            tg.start_soon(send_later, other, b"trickle")
            with anyio.fail_after(5):
                assert await stream.receive() == b"trickle"
        assert not stream._protocol.reading_paused  # ran dry: the transport reads again


async def test_a_cancel_at_the_direct_reads_checkpoint_loses_nothing() -> None:
    async with peer() as (stream, other):
        await anyio.to_thread.run_sync(other.sendall, b"b" * 100_000)
        with anyio.fail_after(5):
            got = bytearray()
            while len(got) < 100_000:
                got += await stream.receive(1 << 20)
        assert stream._protocol.reading_paused
        await anyio.to_thread.run_sync(other.sendall, b"kept")
        await anyio.sleep(0.05)
        with anyio.CancelScope() as scope:
            scope.cancel()
            await stream.receive()
        assert scope.cancelled_caught
        with anyio.fail_after(5):
            assert await stream.receive() == b"kept"


async def test_receive_some_reads_bulk_input_directly_into_a_reused_buffer() -> None:
    async with peer() as (stream, other):
        payload = bytes(range(256)) * 1024  # 256 KiB
        await anyio.to_thread.run_sync(other.sendall, payload[:100_000])
        with anyio.fail_after(5):
            got = [await stream.receive_some(1 << 20)]
            while sum(map(len, got)) < 100_000:
                got.append(await stream.receive_some(1 << 20))
        assert stream._protocol.reading_paused  # bulk came: later reads are direct
        await anyio.to_thread.run_sync(other.sendall, payload[100_000:])
        await anyio.sleep(0.05)
        with anyio.fail_after(5):
            while sum(map(len, got)) < len(payload):
                got.append(await stream.receive_some(1 << 20))
        assert isinstance(got[-1], memoryview) and got[-1].readonly
        assert b"".join(got) == payload  # views kept across reads were never overwritten
        other.shutdown(socket.SHUT_WR)
        with pytest.raises(anyio.EndOfStream):
            await stream.receive_some()


async def test_a_cancel_while_waiting_for_a_burst_unwatches_and_loses_nothing() -> None:
    async with peer() as (stream, other):
        with anyio.move_on_after(0.2):
            await stream.receive_some(linger=0.01)  # nothing comes: waits for a burst
        watch = stream._watch_fd
        assert watch >= 0
        assert not stream._loop.remove_reader(watch)  # no reader was left behind
        await anyio.to_thread.run_sync(other.sendall, b"after the cancel")
        with anyio.fail_after(5):
            assert await stream.receive_some(linger=0.01) == b"after the cancel"
