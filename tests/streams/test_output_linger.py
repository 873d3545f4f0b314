"""FrameStream's read coalescing: which reads make the next one wait, how long, and that
none is lost."""

from __future__ import annotations

import pytest

from aiodocker_engine.transport import _pacing
from aiodocker_engine.transport._pacing import ReadPacer
from tests.streams._scripted import frames_of, scripted_output

pytestmark = pytest.mark.anyio


async def drain(reads: list[bytes], gap: float = 0.005) -> tuple[int, list[str]]:
    output, stream = scripted_output(reads, gap)
    total = 0
    async with output:
        async for frame in output:
            total += len(frame.data) + 8
    return total, stream.log


async def test_tiny_reads_never_wait_and_full_ones_halve_the_wait() -> None:
    small, bulk, big, full = 100, 8 * 1024, 200 * 1024, 256 * 1024
    reads = [frames_of(n) for n in (small, bulk, full, big, small, small)]
    total, log = await drain(reads)
    assert total == bulk + full + big + 3 * small
    # Reads 5 ms apart: a source of at most 50 MB/s, slow enough to wait the longest,
    # but a read that found the socket full halves the wait.
    assert log == [
        "read 100",  # interactive-sized: the next read goes at once
        "read 8192",
        f"linger {_pacing._MAX}",
        "read 262144",
        f"linger {_pacing._MAX / 2}",
        "read 204800",
        f"linger {_pacing._MAX / 4}",
        "read 100",
        "read 100",
    ]


async def test_a_fast_source_is_never_made_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    # 150 KiB reads 50 us apart (3 GB/s): a wait sized to collect the target would be
    # shorter than the smallest worth taking.
    ticks = iter(range(10**6))
    monkeypatch.setattr(_pacing, "_clock", lambda: next(ticks) * 0.00005)
    reads = [frames_of(150 * 1024)] * 20
    total, log = await drain(reads, gap=0)
    assert total == 20 * 150 * 1024
    assert not [entry for entry in log if entry.startswith("linger")]


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pacer's clock, in seconds, set by the test: `now[0] += ...`."""
    clock = [100.0]
    monkeypatch.setattr(_pacing, "_clock", lambda: clock[0])
    return clock


def test_the_wait_is_sized_from_the_average_rate_of_the_last_reads(now: list[float]) -> None:
    pacer = ReadPacer()
    # 64 KiB per 0.5 ms (about 130 MB/s): wait 1 ms to collect 128 KiB more.
    for _ in range(3):
        now[0] += 0.0005
        pacer.after_read(64 * 1024)
        assert pacer.wait == pytest.approx(0.001)
    # A burst read right after (16 KiB within 10 us) barely moves the average.
    now[0] += 0.00001
    pacer.after_read(16 * 1024)
    assert 0.0008 < pacer.wait < 0.001
    # 32 KiB per 10 ms: the longest wait.
    for _ in range(3):
        now[0] += 0.01
        pacer.after_read(32 * 1024)
    assert pacer.wait == _pacing._MAX
    # A tiny read ends the run: no wait, and the next burst starts afresh.
    now[0] += 1.0
    pacer.after_read(100)
    assert pacer.wait == 0.0
    now[0] += 0.0001
    pacer.after_read(150 * 1024)  # 1.5 GB/s: a wait under 0.5 ms is not worth taking
    assert pacer.wait == 0.0


def test_a_source_held_back_by_the_wait_is_let_go_within_a_few_reads(now: list[float]) -> None:
    pacer = ReadPacer()
    for _ in range(8):  # a slow source first: 32 KiB per 10 ms
        now[0] += 0.01
        pacer.after_read(32 * 1024)
    assert pacer.wait == _pacing._MAX
    # Then a fast one that refills the socket 0.5 ms after each read: every read finds
    # it full. Its rate alone would keep the waits near 0.75 ms (measured on a real
    # socket: 3 GB/s cut to 250 MB/s); full reads halve them instead.
    waits = []
    for _ in range(6):
        now[0] += pacer.wait + 0.0005
        pacer.after_read(200 * 1024)
        waits.append(pacer.wait)
    assert waits == [_pacing._MAX / 2, _pacing._MAX / 4, 0.0, 0.0, 0.0, 0.0]
