"""How long a bulk stream lets input collect before its next read.

A container writing as fast as it can reaches an attach or exec stream in the
daemon's small writes: 4 to 32 KiB on Docker 20.10. Each read costs a wakeup, which
costs more CPU than the bytes it brings, so a bulk read waits a moment first and
takes several writes at once.

Not used for logs: the daemon writes each log line on its own, and a Unix socket's
buffer is charged per write (~800 bytes of overhead each), so it fills after some
30 KiB of lines; any wait on asyncio (1 ms timer granularity) then stalls the daemon.
Measured on 64 MiB of 100-byte lines, pacing logs read 5x fewer times but took up to
1.8x the wall time on asyncio, for no clear CPU gain.

The wait is sized from the source's average rate over the last several reads (bytes
over time, waits included), to collect about `_TARGET` bytes: half of what a Unix
socket holds (~200 KiB), capped at `_MAX`, skipped below `_MIN`. An average, not the
last read's rate: the daemon sends in bursts (measured on Docker 20.10: some 200 KiB
within 2 ms, then gaps of 1-2 ms), so single reads swing between "slow" and "fast".

A source we hold back shows a rate of at most what a socket holds per wait, so a rate
alone can lock a fast source into waits: measured with a local server that refills
the socket within 0.5 ms of each read, the waits settled at 0.75 ms and cut its
throughput from 3 GB/s to 250 MB/s. So a read that found the socket (nearly) full
halves the wait, whatever the rate says: such a source is let go within four reads.
The daemon fills the socket within 2 ms about half the time, so its reads then
alternate between waits of 2 ms and 1 ms. And nothing waits when `SKIP_LINGER_FROM`
bytes are waiting already. Tiny reads (interactive output, an event now and then)
never wait, and a gap between reads counts as at most `_GAP_MAX`, so a pause does not
make the following burst wait long.

Measured on 256 MiB of attach output from the daemon (with the streams' wait for the
next burst, see `receive_some`): about 1,600 reads of 165 KiB, against 2,000-2,300 of
110-130 KiB when the wait followed the last read's rate and full reads never waited.
"""

from __future__ import annotations

import time

__all__ = ["SKIP_LINGER_FROM", "ReadPacer"]

_MAX = 0.002
_MIN = 0.0005
_TARGET = 128 * 1024
_FROM = 2 * 1024
_FULL = 192 * 1024  # a read this big found the socket (nearly) full
_GAP_MAX = 4 * _MAX
_DECAY = 0.75  # the weight of the past per read: an average over about four reads
_clock = time.monotonic

#: A read does not wait when this much input is waiting already: the source is then
#: ahead of the reader, and waiting would stall it on a full socket.
SKIP_LINGER_FROM = 96 * 1024


class ReadPacer:
    """Call `after_read(size)` after each read; `wait` is then how long the next one waits."""

    __slots__ = ("_bytes", "_last_read_at", "_seconds", "wait")

    def __init__(self) -> None:
        self._last_read_at = _clock()
        self._bytes = 0.0
        self._seconds = 0.0
        self.wait = 0.0

    def after_read(self, size: int) -> None:
        now = _clock()
        elapsed, self._last_read_at = now - self._last_read_at, now
        if size < _FROM:
            self._bytes = self._seconds = 0.0  # interactive: the next burst starts afresh
            self.wait = 0.0
            return
        seen = self._bytes = self._bytes * _DECAY + size
        took = self._seconds = self._seconds * _DECAY + min(elapsed, _GAP_MAX)
        wait = _TARGET * took / seen
        if size >= _FULL and wait > self.wait / 2:
            # The socket filled up: the source may have waited on us for part of the
            # wait, so the rate seen is too low. Halve the wait, whatever the rate says.
            wait = self.wait / 2
        self.wait = (wait if wait < _MAX else _MAX) if wait >= _MIN else 0.0
