"""Things a test starts in a task group to happen a moment later, while it waits."""

from __future__ import annotations

import socket

import anyio
import anyio.abc


async def send_later(peer: socket.socket, data: bytes, delay: float = 0.05) -> None:
    await anyio.sleep(delay)
    await anyio.to_thread.run_sync(peer.sendall, data)


async def send_parts_later(
    peer: socket.socket, parts: list[bytes], delay: float = 0.02, gap: float = 0.02
) -> None:
    """Send each part on its own, the first after `delay`, then one every `gap` seconds."""
    await anyio.sleep(delay)
    for index, part in enumerate(parts):
        if index:
            await anyio.sleep(gap)
        await anyio.to_thread.run_sync(peer.sendall, part)


async def close_later(stream: anyio.abc.ByteStream, delay: float = 0.05) -> None:
    await anyio.sleep(delay)
    await stream.aclose()
