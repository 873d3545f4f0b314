"""In-memory throughput of our FrameDecoder against aiodocker 0.27's multiplexed-stream parsing.

Run: ``python -m benchmarks.bench_demux_codec [--quick] [--profile]``.

The stream is alternating stdout/stderr frames of one payload size, cut into 64 KiB chunks as
socket reads would deliver it. Contenders, all fed the same chunks:

- ``FrameDecoder``: ours; ``feed`` once per chunk, frames are memoryviews into the chunks.
- ``aiodocker _ExecParser``: aiodocker's attach/exec path (``aiodocker/stream.py``), driven
  directly through ``feed_data`` with a list standing in for its flow-control queue. It appends
  every chunk to a bytearray, copies each payload out with ``bytes()``, and deletes the consumed
  prefix.
- ``aiodocker logs``: aiodocker's logs path (``aiodocker/multiplexed.py``,
  ``MultiplexedResult.fetch``) over a real ``aiohttp.StreamReader`` fed the chunks up front:
  ``readexactly(8)`` then ``readexactly(size)`` per frame, one coroutine step each. This one
  includes the asyncio machinery the logs path cannot avoid (no socket I/O, though).

MB/s counts wire bytes (headers included); times are process CPU time, best of N, so other
load on a shared machine distorts them less. End-to-end socket benchmarks live elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import time
from collections.abc import Callable
from typing import Any

from aiodocker_engine.streams import FrameDecoder

CHUNK = 64 * 1024

Result = tuple[int, int]  # frames, payload bytes
Contender = Callable[[list[bytes]], Result]


def make_chunks(frame_size: int, total: int) -> list[bytes]:
    """Alternating stdout/stderr frames of ``frame_size`` payload bytes, cut into 64 KiB reads."""
    payload = bytes(range(256)) * (frame_size // 256 + 1)
    frames = [
        bytes([1 + i % 2, 0, 0, 0]) + frame_size.to_bytes(4, "big") + payload[:frame_size]
        for i in range(2)
    ]
    count = max(2, total // (frame_size + 8))
    stream = b"".join(frames[i % 2] for i in range(count))
    return [stream[i : i + CHUNK] for i in range(0, len(stream), CHUNK)]


def ours(chunks: list[bytes]) -> Result:
    decoder = FrameDecoder()
    frames = size = 0
    for chunk in chunks:
        for frame in decoder.feed(chunk):
            frames += 1
            size += len(frame.data)
    decoder.eof()
    return frames, size


class _ListQueue:
    """Stands in for aiodocker's FlowControlDataQueue: keeps what the parser hands it."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def feed_data(self, data: Any, size: int = 0) -> None:
        self.items.append(data)

    def feed_eof(self) -> None:
        pass

    def set_exception(self, exc: BaseException) -> None:
        raise exc


def aiodocker_exec_parser(chunks: list[bytes]) -> Result:
    parser_cls: Any = importlib.import_module("aiodocker.stream")._ExecParser
    frames = size = 0
    queue = _ListQueue()
    parser = parser_cls(queue, tty=False)
    for chunk in chunks:
        parser.feed_data(chunk)
        for message in queue.items:  # what the reader task would take off the queue
            frames += 1
            size += len(message.data)
        queue.items.clear()
    parser.feed_eof()
    return frames, size


class _Protocol:
    """The little of aiohttp's protocol a StreamReader touches."""

    _reading_paused = False

    def pause_reading(self, pause_parser: bool = True) -> None:
        pass

    def resume_reading(self, resume_parser: bool = True) -> None:
        pass


class _Response:
    def __init__(self, content: Any) -> None:
        self.content = content

    async def release(self) -> None:
        pass


def aiodocker_logs(chunks: list[bytes]) -> Result:
    aiohttp: Any = importlib.import_module("aiohttp")
    multiplexed: Any = importlib.import_module("aiodocker.multiplexed")

    async def main() -> Result:
        reader = aiohttp.StreamReader(_Protocol(), 2**30, loop=asyncio.get_running_loop())
        for chunk in chunks:
            reader.feed_data(chunk)
        reader.feed_eof()
        frames = size = 0
        async for data in multiplexed.MultiplexedResult(_Response(reader), raw=False):
            frames += 1
            size += len(data)
        return frames, size

    result: Result = asyncio.run(main())
    return result


CONTENDERS: list[tuple[str, Contender]] = [
    ("FrameDecoder (ours)", ours),
    ("aiodocker _ExecParser", aiodocker_exec_parser),
    ("aiodocker logs", aiodocker_logs),
]


def best_time(contender: Contender, chunks: list[bytes], repeat: int) -> tuple[float, Result]:
    best = float("inf")
    result: Result = (0, 0)
    for _ in range(repeat):
        start = time.process_time()
        result = contender(chunks)
        best = min(best, time.process_time() - start)
    return best, result


def run(frame_sizes: list[int], total: int, repeat: int) -> None:
    for frame_size in frame_sizes:
        chunks = make_chunks(frame_size, total)
        wire = sum(map(len, chunks))
        expected = (wire // (frame_size + 8), wire // (frame_size + 8) * frame_size)
        print(
            f"\n{frame_size:,} B frames: {expected[0]:,} frames, {wire / 1e6:.1f} MB "
            f"in {len(chunks):,} reads of {CHUNK // 1024} KiB (best of {repeat})"
        )
        print(f"  {'contender':<24}{'MB/s':>10}{'ns/frame':>11}{'time vs ours':>14}")
        ours_time = 0.0
        for name, contender in CONTENDERS:
            seconds, result = best_time(contender, chunks, repeat)
            if result != expected:
                raise SystemExit(f"{name} decoded {result}, expected {expected}")
            ours_time = ours_time or seconds
            print(
                f"  {name:<24}{wire / seconds / 1e6:>10,.0f}"
                f"{seconds / expected[0] * 1e9:>11,.0f}{seconds / ours_time:>13.2f}x"
            )


def profile(total: int) -> None:
    from pyinstrument import Profiler

    chunks = make_chunks(100, total)
    profiler = Profiler(interval=0.0001)
    with profiler:
        for _ in range(5):
            ours(chunks)
    print(profiler.output_text(unicode=True, color=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 MB per case, 3 repeats")
    parser.add_argument("--profile", action="store_true", help="profile ours on 100 B frames")
    args = parser.parse_args()
    total, repeat = (4_000_000, 3) if args.quick else (32_000_000, 7)
    if args.profile:
        profile(total)
        return
    run([100, 16 * 1024], total, repeat)


if __name__ == "__main__":
    main()
