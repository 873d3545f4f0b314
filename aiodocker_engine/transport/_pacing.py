"""How long a bulk stream lets input collect before its next read.

A container writing as fast as it can reaches an attach or exec stream in the
daemon's small writes: 4 to 32 KiB on Docker 20.10, about 50 MB/s. Each read costs a
wakeup, which on its own costs more CPU than the bytes it brings (tens of
microseconds), so after such a read the next one waits a moment, and several writes
are read at once.

Not used for logs: the daemon writes each log line on its own, and a Unix socket's
buffer is charged per write (~800 bytes of overhead each), so it fills after some
30 KiB of lines; any wait on asyncio (1 ms timer granularity) then stalls the daemon.
Measured on 64 MiB of 100-byte lines, pacing logs read 5x fewer times but took up to
1.8x the wall time on asyncio, for no clear CPU gain.

The wait is sized from the rate the last read showed, to collect about `_TARGET`
bytes, inside a Unix socket's ~208 KiB buffer, so a fast source is not stalled;
capped at `_MAX`, skipped below `_MIN`. Tiny reads (interactive output, an event now
and then) never wait, nor do big ones: a read of `_BELOW` or more means the buffer
was (nearly) full and the source was waiting on us, its rate is then unknown, and on
asyncio, whose timers have 1 ms granularity, any wait would cap a fast source at
about 200 MB/s. Measured on 256 MiB of attach output: 18,000 reads become about
2,000, for half the client CPU, and less wall time on a busy host.
"""

from __future__ import annotations

import time

__all__ = ["ReadPacer"]

_MAX = 0.002
_MIN = 0.0002
_TARGET = 128 * 1024
_FROM = 2 * 1024
_BELOW = 192 * 1024
_clock = time.monotonic


class ReadPacer:
    """Call `after_read(size)` after each read; `wait` is then how long the next one waits."""

    __slots__ = ("_last_read_at", "wait")

    def __init__(self) -> None:
        self._last_read_at = _clock()
        self.wait = 0.0

    def after_read(self, size: int) -> None:
        now = _clock()
        elapsed, self._last_read_at = now - self._last_read_at, now
        if not _FROM <= size < _BELOW:
            self.wait = 0.0
            return
        wait = min(_MAX, _TARGET * elapsed / size)
        self.wait = wait if wait >= _MIN else 0.0
