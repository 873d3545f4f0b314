"""Deadline: TimeoutError on expiry, and never mistaken for an outer cancellation."""

from __future__ import annotations

import anyio
import pytest

from aiodocker_engine._deadline import Deadline

pytestmark = pytest.mark.anyio


async def test_expiry_raises_timeout_error() -> None:
    with pytest.raises(TimeoutError):
        async with Deadline(0.05):
            await anyio.sleep(5)


async def test_a_block_that_finishes_in_time_is_untouched_and_the_task_stays_usable() -> None:
    async with Deadline(5):
        await anyio.sleep(0.01)
    await anyio.sleep(0.01)  # no cancellation left pending on the task


async def test_no_deadline_costs_nothing_and_never_fires() -> None:
    async with Deadline(None):
        await anyio.sleep(0.01)


async def test_outer_cancel_scope_wins_and_is_not_turned_into_timeout() -> None:
    with anyio.move_on_after(0.05) as outer:
        async with Deadline(5):
            await anyio.sleep(5)
    assert outer.cancelled_caught


async def test_inner_deadline_inside_an_outer_one() -> None:
    with pytest.raises(TimeoutError):
        async with Deadline(5):
            async with Deadline(0.05):
                await anyio.sleep(5)
    with anyio.move_on_after(5) as outer:
        with pytest.raises(TimeoutError):
            async with Deadline(0.05):
                await anyio.sleep(5)
        await anyio.sleep(0.01)
    assert not outer.cancelled_caught


async def test_shielded_cleanup_after_expiry_completes() -> None:
    cleaned = False
    with pytest.raises(TimeoutError):
        async with Deadline(0.05):
            try:
                await anyio.sleep(5)
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.sleep(0.02)
                    cleaned = True
    assert cleaned
