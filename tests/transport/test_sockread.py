"""read_now: exact-size reads of what a socket holds, EOF, nothing yet, and errors."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from aiodocker_engine.transport._sockread import read_now


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
