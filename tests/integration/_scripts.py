"""Shell snippets for test containers that wait for a condition instead of sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio

from aiodocker_engine import Docker


def until_tty_size(size: str, *, tries: int = 400) -> str:
    """Poll `stty size` until it reads `size` (e.g. ``"40 100"``), for up to 20 s; print it.

    A resize sent right after start lands some time later; printing whatever the size is
    after the last try lets the test show what the terminal really had.
    """
    return (
        f'i=0; while [ "$(stty size 2>/dev/null)" != "{size}" ] && [ $i -lt {tries} ]; '
        "do sleep 0.05; i=$((i+1)); done; stty size"
    )


def ready_then(trap: str, then: str) -> str:
    """Install the shell `trap`, print ``ready``, then run `then`.

    PID 1 ignores a signal it has no handler for, so a signal sent before the trap is in
    place is lost: wait for ``ready`` in the logs first (`printed`).
    """
    return f"{trap}; echo ready; {then}"


async def printed(docker: Docker, container: str, text: bytes) -> None:
    """Follow the container's output until `text` shows up, for up to 30 s (AssertionError
    if it ends first)."""
    seen = b""
    with anyio.fail_after(30):
        async with docker.containers.logs(container, follow=True) as logs:
            async for frame in logs:
                seen += bytes(frame.data)
                if text in seen:
                    return
    raise AssertionError(f"the container ended without printing {text!r}; it printed {seen!r}")


class Release:
    """Stdin that sends one line only once `release()` is called: a process that reads
    it (`read x`) waits until then, so a test can see which output came before."""

    def __init__(self) -> None:
        self._event = anyio.Event()

    def release(self) -> None:
        self._event.set()

    async def stdin(self) -> AsyncIterator[bytes]:
        await self._event.wait()
        yield b"go\n"


async def closed_by_another_task(stream: Any, *, after_first: bool) -> list[str]:
    """Iterate `stream` in a task and `aclose()` it from here while that task waits for
    the next item (after the first one, if `after_first`); what the task saw: "item"s,
    then "ended" if its `async for` ended cleanly (an exception fails the test)."""
    outcome: list[str] = []
    first = anyio.Event()

    async def watch() -> None:
        async for _ in stream:
            outcome.append("item")
            first.set()
        outcome.append("ended")

    async with stream:
        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                tg.start_soon(watch)
                if after_first:
                    await first.wait()
                await anyio.wait_all_tasks_blocked()  # waiting for the next item
                await stream.aclose()
    return outcome
