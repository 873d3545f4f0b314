"""read_now and ReadBuffers: what a socket holds, EOF, nothing yet, errors, buffer reuse."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from aiodocker_engine.transport import _sockread
from aiodocker_engine.transport._sockread import ReadBuffers, read_now


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, other = socket.socketpair()
    ours.setblocking(False)
    yield ours, other
    ours.close()
    other.close()


def test_reads_what_is_queued_up_to_max_bytes(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, other = pair
    other.sendall(b"a" * 100_000)
    first = read_now(ours.fileno(), 60_000)
    assert first == b"a" * 60_000
    assert read_now(ours.fileno(), 1 << 20) == b"a" * 40_000


def test_nothing_queued_is_none_and_eof_is_empty(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, other = pair
    assert read_now(ours.fileno(), 1024) is None
    other.sendall(b"last")
    other.shutdown(socket.SHUT_WR)
    assert read_now(ours.fileno(), 1024) == b"last"
    assert read_now(ours.fileno(), 1024) == b""


def test_a_reset_is_raised(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, other = pair
    ours.sendall(b"never read")
    other.close()  # closing with unread input resets the connection
    with pytest.raises(ConnectionResetError):
        read_now(ours.fileno(), 1024)


def test_a_pipe_without_socket_queue_sizes_still_reads() -> None:
    read_end, write_end = os.pipe()
    try:
        os.set_blocking(read_end, False)
        os.write(write_end, b"piped")
        assert read_now(read_end, 1024) == b"piped"
        assert read_now(read_end, 1024) is None
    finally:
        os.close(read_end)
        os.close(write_end)


BULK = 32 * 1024


def send_and_read(
    buffers: ReadBuffers, pair: tuple[socket.socket, socket.socket], data: bytes
) -> bytes | memoryview | None:
    """Send `data` from the far end, then read it through `buffers`."""
    ours, other = pair
    other.sendall(data)
    return buffers.read(ours.fileno(), 1 << 20)


def test_bulk_input_comes_as_a_read_only_view_and_small_input_as_bytes(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, other = pair
    buffers = ReadBuffers(bulk_from=BULK)
    bulk = send_and_read(buffers, pair, b"b" * 50_000)
    assert isinstance(bulk, memoryview) and bulk.readonly
    assert bulk == b"b" * 50_000
    assert send_and_read(buffers, pair, b"small") == b"small"
    assert buffers.read(ours.fileno(), 1 << 20) is None
    other.shutdown(socket.SHUT_WR)
    assert buffers.read(ours.fileno(), 1 << 20) == b""


def test_a_buffer_is_reused_once_no_view_of_it_is_alive(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    buffers = ReadBuffers(bulk_from=BULK)
    first = send_and_read(buffers, pair, b"1" * 40_000)
    assert isinstance(first, memoryview)
    owner = id(first.obj)  # not the object: holding it would keep the buffer busy
    del first
    second = send_and_read(buffers, pair, b"2" * 40_000)
    assert isinstance(second, memoryview) and id(second.obj) == owner
    assert buffers.held == 1


def test_data_a_caller_keeps_is_never_overwritten(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, other = pair
    buffers = ReadBuffers(count=2, bulk_from=BULK)
    kept = []
    for digit in b"0123456789":
        other.sendall(bytes([digit]) * 40_000)
        chunk = memoryview(buffers.read(ours.fileno(), 1 << 20) or b"")
        kept.append(chunk[100:200])  # a slice, as a frame holds, keeps its buffer busy
        del chunk
    assert [bytes(view) for view in kept] == [bytes([d]) * 100 for d in b"0123456789"]
    assert buffers.held == 2
    # With both buffers kept, reads fall back to exact-size bytes: no spare room pinned.
    assert [type(view.obj) for view in kept] == [bytearray] * 2 + [bytes] * 8


def test_max_bytes_bounds_a_bulk_read(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, other = pair
    buffers = ReadBuffers(size=64 * 1024, bulk_from=BULK)
    other.sendall(b"m" * 100_000)
    assert len(buffers.read(ours.fileno(), 50_000) or b"") == 50_000
    assert len(buffers.read(ours.fileno(), 1 << 20) or b"") == 50_000  # the buffer's size


def test_a_stream_without_bulk_input_holds_no_buffer(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, other = pair
    buffers = ReadBuffers()
    for _ in range(5):
        other.sendall(b"line\n")
        assert buffers.read(ours.fileno(), 1 << 20) == b"line\n"
    assert buffers.held == 0


def test_a_free_buffer_is_read_into_without_asking_the_kernel_first(
    pair: tuple[socket.socket, socket.socket], monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, other = pair
    buffers = ReadBuffers(bulk_from=BULK)
    asked: list[int] = []
    real_queued = _sockread.queued

    def counting_queued(fd: int) -> int:
        asked.append(fd)
        return real_queued(fd)

    monkeypatch.setattr(_sockread, "queued", counting_queued)
    bulk = send_and_read(buffers, pair, b"b" * 50_000)
    assert isinstance(bulk, memoryview) and len(asked) == 1  # the first buffer is made
    del bulk
    small = send_and_read(buffers, pair, b"small")
    # Small input read into the free buffer comes out as bytes, and leaves it free.
    assert type(small) is bytes and small == b"small"
    again = send_and_read(buffers, pair, b"c" * 40_000)
    assert isinstance(again, memoryview) and again == b"c" * 40_000
    assert len(asked) == 1 and buffers.held == 1
    # The only buffer is viewed now: the kernel is asked again, and small input is read
    # at its exact size without making a buffer.
    assert send_and_read(buffers, pair, b"tiny") == b"tiny"
    assert len(asked) == 2 and buffers.held == 1
    del again
    assert buffers.read(ours.fileno(), 1 << 20) is None
    other.shutdown(socket.SHUT_WR)
    assert buffers.read(ours.fileno(), 1 << 20) == b""
    assert len(asked) == 2
