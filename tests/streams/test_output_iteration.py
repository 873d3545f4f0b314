"""How FrameStream hands out frames: one iterator however often `async for` starts, shared
with direct `__anext__` calls, and finished by `aclose()`."""

from __future__ import annotations

import gc
import itertools
import struct
import warnings

import anyio
import pytest

from tests.streams._scripted import scripted_logs, scripted_output

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


LARGE = [frames(bytes([65 + i]) * 16_384) for i in range(4)]


async def test_log_frames_are_views_of_the_large_parts_of_a_read() -> None:
    # A read's large parts reach the decoder as they are: frames stay views of them.
    output, response = scripted_logs([LARGE[:3], LARGE[3:]])
    async with output:
        got = [frame async for frame in output]
    assert [bytes(f.data) for f in got] == [bytes([65 + i]) * 16_384 for i in range(4)]
    for frame, part in zip(got, LARGE, strict=True):
        assert isinstance(frame.data, memoryview) and frame.data.obj is part
    assert response.closed


@pytest.mark.parametrize("parts", [True, False])
async def test_log_frames_come_out_whole_and_in_order_however_the_reads_are_cut(
    parts: bool,
) -> None:
    # Small frames joined per read, large ones apart, a frame cut across parts and reads;
    # and a response that only iterates raw chunks (as the httpx transport's).
    wire = frames(b"s1", b"s2") + LARGE[0] + frames(b"s3") + LARGE[1] + frames(b"s4")
    cuts = [0, 5, 13, 9000, 16_420, 16_430, 30_000, len(wire)]
    pieces = [wire[a:b] for a, b in itertools.pairwise(cuts)]
    output, _ = scripted_logs([pieces[:2], pieces[2:5], pieces[5:]], parts=parts)
    async with output:
        got = [bytes(frame.data) async for frame in output]
    assert got == [b"s1", b"s2", b"A" * 16_384, b"s3", b"B" * 16_384, b"s4"]


async def test_a_stdin_the_daemon_broke_is_a_connection_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The read side says ConnectionFailed; so does the write side (it leaked anyio's)."""
    from aiodocker_engine import errors
    from tests.streams._scripted import ScriptedStream

    async def broken_pipe(self: ScriptedStream, item: bytes) -> None:
        raise anyio.BrokenResourceError from BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(ScriptedStream, "send", broken_pipe)
    output, _ = scripted_output(READS)
    async with output:
        with pytest.raises(errors.ConnectionFailed, match="Broken pipe"):
            await output.write(b"x")
        with pytest.raises(errors.ConnectionFailed):
            await output.write_all(b"y", close=False)
