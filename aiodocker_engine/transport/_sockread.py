"""Read what a non-blocking socket holds: exact-size bytes, or into reused buffers.

Why: `sock.recv(n)` and `os.read(fd, n)` allocate n bytes, then shrink the object to
what arrived. glibc serves allocations of 128 KiB or more with a fresh mmap, so a
256 KiB read faults in every page it fills and unmaps them again when the chunk dies:
measured on Linux, 34 page faults and ~130 us more CPU per 128 KiB read than an
exact-size read (asyncio's selector transport reads 256 KiB at a time, so every
stream built on it pays this). Asking the kernel first (FIONREAD, one ioctl) makes
the allocation exact (`read_now`).

Exact sizes still fault when they vary: bulk reads of 100-200 KiB make glibc's heap
grow and trim around them (measured 5,000-20,000 minor faults per 256 MiB of attach
output; 3-20% of the client's CPU in A/B runs). `ReadBuffers` reads bulk input into a few
buffers kept per stream and hands out read-only views of them; a buffer is reused
only once no view of it is alive anywhere, so data a caller keeps never changes
(while a caller keeps views of all of them, reads are exact-size bytes again).
"""

from __future__ import annotations

import fcntl
import os
import sys
import termios

__all__ = ["ReadBuffers", "queued", "read_now"]

_FIONREAD = termios.FIONREAD
_INT_SIZE = b"\0\0\0\0"
_BYTEORDER = sys.byteorder
_PROBE = 4096  # read size when the queue looked empty: EOF, or input that just came


def queued(fd: int) -> int:
    """Bytes waiting in the socket (0 when the kernel cannot tell)."""
    try:
        return int.from_bytes(fcntl.ioctl(fd, _FIONREAD, _INT_SIZE), _BYTEORDER)
    except OSError:
        return 0  # a socket type without FIONREAD: a plain read tells all


def read_now(fd: int, max_bytes: int) -> bytes | None:
    """What the socket holds now (up to `max_bytes`), b"" at EOF, None when nothing yet.

    Errors from the read are raised as `OSError`, as `os.read` raises them.
    """
    return _read_exact(fd, queued(fd), max_bytes)


def _read_exact(fd: int, waiting: int, max_bytes: int) -> bytes | None:
    try:
        return os.read(fd, min(waiting or _PROBE, max_bytes))
    except BlockingIOError:
        return None


def _refs(buffers: list[bytearray], index: int) -> int:
    return sys.getrefcount(buffers[index])


# What `_refs` counts for a buffer that only its pool holds, measured the same way (so
# interpreter details of reference counting cancel out). None: no reference counts
# (not CPython), and every read is then an exact-size read.
_UNVIEWED: int | None = _refs([bytearray()], 0) if hasattr(sys, "getrefcount") else None


class ReadBuffers:
    """Bulk reads into up to `count` reused buffers of `size` bytes; see the module doc.

    `read` returns what `read_now` returns, except that input of `bulk_from` bytes or
    more comes back as a read-only memoryview of a pooled buffer while one is free.
    Buffers are made on first need, so a stream that never sees bulk input holds none.
    While one is free, reads go straight into it, and smaller input is copied out.
    """

    __slots__ = ("_buffers", "_bulk_from", "_count", "_size")

    def __init__(self, *, size: int = 256 * 1024, count: int = 3, bulk_from: int = 32 * 1024):
        self._buffers: list[bytearray] = []
        self._size = size
        self._count = count
        self._bulk_from = bulk_from

    @property
    def held(self) -> int:
        """How many buffers the pool holds now."""
        return len(self._buffers)

    def read(self, fd: int, max_bytes: int) -> bytes | memoryview | None:
        """What the socket holds now (up to `max_bytes`), b"" at EOF, None when nothing yet."""
        # Once the pool has a free buffer, read into it without asking the kernel first:
        # the FIONREAD ioctl was 4-5% of a bulk stream's samples (py-spy, logs of 16 KiB
        # frames). What turns out small is copied out, and the buffer stays free.
        buffer = self._free_buffer()
        if buffer is None:
            waiting = queued(fd)
            if waiting < self._bulk_from or (buffer := self._new_buffer()) is None:
                return _read_exact(fd, waiting, max_bytes)
        view = memoryview(buffer)
        try:
            got = os.readv(fd, [view[: min(max_bytes, self._size)]])
        except BlockingIOError:
            return None
        if got < self._bulk_from:
            return view[:got].tobytes()  # b"" at EOF
        # Every view cut from this one shares its hold on the buffer, which is
        # therefore not reused until the last of them is gone.
        return view[:got].toreadonly()

    def _free_buffer(self) -> bytearray | None:
        """A buffer of the pool that nothing views; None when there is none."""
        if _UNVIEWED is None:
            return None
        buffers = self._buffers
        for index in range(len(buffers)):
            if _refs(buffers, index) == _UNVIEWED:
                return buffers[index]
        return None

    def _new_buffer(self) -> bytearray | None:
        """A new buffer if the pool has room; None when it is full and all are viewed
        (a caller keeps data: it then gets exact-size reads, which pin no spare room)."""
        buffers = self._buffers
        if _UNVIEWED is None or len(buffers) >= self._count:
            return None
        buffers.append(bytearray(self._size))
        return buffers[-1]
