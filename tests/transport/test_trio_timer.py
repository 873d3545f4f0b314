"""The timerfd-backed trio timer: it waits as long as asked, cancels, and re-arms cleanly."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
import trio

from aiodocker_engine.transport._trio_timer import TrioTimer

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "trio"  # the timer exists for trio only


@pytest.fixture
def timer() -> Iterator[TrioTimer]:
    made = TrioTimer()
    yield made
    made.close()


def test_linux_gets_a_timerfd(timer: TrioTimer) -> None:
    assert timer.uses_timerfd == sys.platform.startswith("linux")


@pytest.mark.parametrize("seconds", [0.0, 0.0003, 0.02, 1.05])
async def test_sleep_waits_at_least_the_time_asked(timer: TrioTimer, seconds: float) -> None:
    began = trio.current_time()
    with trio.fail_after(seconds + 5):
        await timer.sleep(seconds)
    assert trio.current_time() - began >= seconds - 0.001  # trio's clock vs CLOCK_MONOTONIC


async def test_a_cancelled_sleep_does_not_cut_the_next_one_short(timer: TrioTimer) -> None:
    with trio.move_on_after(0.01) as scope:
        await timer.sleep(0.05)
    assert scope.cancelled_caught
    await trio.sleep(0.1)  # the abandoned expiry has fired meanwhile
    began = trio.current_time()
    await timer.sleep(0.2)
    assert trio.current_time() - began >= 0.199


async def test_close_wakes_a_sleeper(timer: TrioTimer) -> None:
    async with trio.open_nursery() as nursery:

        async def close_soon() -> None:
            await trio.sleep(0.05)
            timer.close()

        nursery.start_soon(close_soon)
        with trio.fail_after(5), pytest.raises(trio.ClosedResourceError):
            await timer.sleep(30)
