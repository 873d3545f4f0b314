"""The trio watchdog closes only what is still overdue when it gets to it."""

from __future__ import annotations

from typing import Any

import pytest
import trio

from aiodocker_engine.transport._watchdog import PERIOD, TrioWatchdog

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "trio"


class FakeConnection:
    """What the watchdog touches of an HTTPConnection; closing it runs `on_close` first."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.timed_out = False
        self.closed = trio.Event()
        self.on_close: Any = None

    def __repr__(self) -> str:
        return f"<{self.name}>"

    async def aclose(self) -> None:
        if self.on_close is not None:
            self.on_close()
        await trio.lowlevel.checkpoint()  # as the real close: other tasks run meanwhile
        self.closed.set()


async def test_requests_that_end_or_move_on_while_it_closes_another_are_left_alone() -> None:
    watchdog = TrioWatchdog()
    first, ended, reused = (FakeConnection(name) for name in ("first", "ended", "reused"))
    now = trio.current_time()
    for conn in (first, ended, reused):
        watchdog.watch(conn, now)  # type: ignore[arg-type]

    def meanwhile() -> None:
        watchdog.unwatch(ended)  # type: ignore[arg-type]  # its answer came just in time
        watchdog.watch(reused, now + 60)  # type: ignore[arg-type]  # and went to a new request

    first.on_close = meanwhile
    with trio.fail_after(5):
        await first.closed.wait()
        await trio.sleep(3 * PERIOD)  # more rounds: nothing else is overdue
    assert (first.timed_out, ended.timed_out, reused.timed_out) == (True, False, False)
    assert not ended.closed.is_set() and not reused.closed.is_set()
    assert repr(watchdog) == "<TrioWatchdog running, 1 in flight>"
    watchdog.unwatch(reused)  # type: ignore[arg-type]
