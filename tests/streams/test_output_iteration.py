"""How FrameStream hands out frames: one iterator however often `async for` starts, shared
with direct `__anext__` calls, and finished by `aclose()`."""

from __future__ import annotations

import gc
import struct
import warnings

import pytest

from tests.streams._scripted import scripted_output

pytestmark = pytest.mark.anyio


def frames(*payloads: bytes) -> bytes:
    """One read holding a stdout frame per payload."""
    return b"".join(struct.pack(">BxxxL", 1, len(p)) + p for p in payloads)


READS = [frames(b"a1", b"a2", b"a3"), frames(b"b1", b"b2", b"b3"), frames(b"c1")]
EVERY_PAYLOAD = [b"a1", b"a2", b"a3", b"b1", b"b2", b"b3", b"c1"]


async def test_a_second_async_for_goes_on_where_the_first_stopped() -> None:
    output, _ = scripted_output(READS)
    got = []
    async with output:
        async for frame in output:
            got.append(bytes(frame.data))
            if len(got) == 2:
                break
        async for frame in output:
            got.append(bytes(frame.data))
    assert got == EVERY_PAYLOAD


async def test_direct_anext_calls_and_async_for_hand_out_each_frame_once_in_order() -> None:
    output, stream = scripted_output(READS)
    got = []
    async with output:
        async for frame in output:
            got.append(bytes(frame.data))
            if len(got) == 3:  # the first read is used up, the loop is parked on its last
                break
        got.append(bytes((await output.__anext__()).data))  # reads the second
        assert stream.log == ["read 30", "read 30"]
        async for frame in output:  # the second read's last two come before the third
            got.append(bytes(frame.data))
        with pytest.raises(StopAsyncIteration):
            await output.__anext__()
    assert got == EVERY_PAYLOAD


async def test_closing_the_stream_inside_async_for_ends_the_loop() -> None:
    output, _ = scripted_output(READS)
    got = []
    async with output:
        async for frame in output:
            got.append(bytes(frame.data))
            await output.aclose()  # two more frames of this read are buffered: dropped
    assert got == [b"a1"]


async def test_a_loop_left_early_leaves_nothing_for_the_event_loop_to_finalize() -> None:
    # trio warns (ResourceWarning) about an async generator collected before it was
    # exhausted, and asyncio spawns a task to close it; aclose() finishes it instead.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output, _ = scripted_output(READS)
        async with output:
            async for _frame in output:
                break
        del output, _frame
        gc.collect()
    assert [str(w.message) for w in caught] == []
