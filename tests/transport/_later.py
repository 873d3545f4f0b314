"""Things a test starts in a task group to happen a moment later, while it waits."""

from __future__ import annotations

import socket
import time

import anyio
import anyio.abc


async def send_later(peer: socket.socket, data: bytes, delay: float = 0.05) -> None:
    await anyio.sleep(delay)
    await anyio.to_thread.run_sync(peer.sendall, data)


async def send_parts_later(
    peer: socket.socket, parts: list[bytes], delay: float = 0.02, gap: float = 0.02
) -> None:
    """Send each part on its own, the first after `delay`, then one every `gap` seconds.

    The parts go from one worker thread, so no event-loop round trip stretches the gaps.
    """

    def send_all() -> None:
        for index, part in enumerate(parts):
            if index:
                time.sleep(gap)
            peer.sendall(part)

    await anyio.sleep(delay)
    await anyio.to_thread.run_sync(send_all)


async def close_later(stream: anyio.abc.ByteStream, delay: float = 0.05) -> None:
    await anyio.sleep(delay)
    await stream.aclose()
