"""Feeding a run's stdin from a background task while the caller reads the output.

`containers.run` and `exec.run` (and their streaming forms) write stdin while the
output is read, so a process that reads all its input before writing cannot deadlock.
The caller's block must still come out with its own exceptions: anyio's task group
wraps whatever its body raises in an ExceptionGroup, which `except errors.NotFound`
would never catch. So the feeder is the only task, it never lets an error escape (it
keeps it), and a group holding one exception is unwrapped.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager, suppress

import anyio

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup

from aiodocker_engine._sources import check_source
from aiodocker_engine.errors import ConnectionFailed
from aiodocker_engine.streams._output import FrameStream

__all__ = ["Stdin", "check_stdin", "feeding_stdin"]

Stdin = bytes | AsyncIterable[bytes] | None


def check_stdin(stdin: object, what: str) -> None:
    """TypeError, before anything is sent, for stdin that is neither bytes nor async."""
    if stdin is not None:
        check_source(stdin, f"{what}: stdin")


@asynccontextmanager
async def feeding_stdin(frames: FrameStream, stdin: Stdin) -> AsyncIterator[None]:
    """Write `stdin` to `frames` (then half-close) in the background while the block runs.

    Leaving the block stops the feeder, even one waiting on a source that stalls. An
    error of the source cancels the block and is raised in its place; a process that
    stops reading (the stream broke or closed) is not an error: its exit code tells.
    """
    if stdin is None:
        yield
        return
    failed: list[Exception] = []

    async def feed(scope: anyio.CancelScope) -> None:
        try:
            with suppress(
                ConnectionFailed, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError
            ):
                await frames.write_all(stdin)
        except Exception as exc:  # the caller's source failed: end the block with it
            failed.append(exc)
            scope.cancel()

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(feed, tg.cancel_scope)
            try:
                yield
            finally:
                tg.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise
    if failed:
        raise failed[0]
