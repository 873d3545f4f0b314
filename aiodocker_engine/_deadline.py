"""The cheapest correct deadline scope for the running backend.

anyio's `fail_after` costs about 20 µs a call, a fifth of a whole request's client
time, so the request path uses each backend's own primitive instead:

- asyncio (Python 3.11+): one `loop.call_at` timer that cancels the task, with the
  same bookkeeping as `asyncio.timeout` (the cancel is counted, `uncancel()` on exit,
  and only a CancelledError that our timer caused becomes TimeoutError), so it
  composes with anyio's cancel scopes exactly as `asyncio.timeout` does;
- trio: trio's own CancelScope with a deadline (anyio's scopes on trio are trio's);
- Python 3.10 on asyncio: anyio's `fail_after`.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

import anyio

__all__ = ["Deadline"]


class Deadline:
    """`async with Deadline(seconds):` raises TimeoutError when the block runs too long.

    `seconds=None` sets no deadline and costs nothing.
    """

    __slots__ = (
        "_anyio_scope",
        "_cancelling",
        "_fired",
        "_handle",
        "_seconds",
        "_task",
        "_trio_scope",
    )

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._fired = False
        self._cancelling = 0
        self._trio_scope: Any = None
        self._anyio_scope: AbstractContextManager[object] | None = None

    def _fire(self) -> None:
        assert self._task is not None
        self._fired = True
        self._task.cancel()

    async def __aenter__(self) -> None:
        seconds = self._seconds
        if seconds is None:
            return
        loop = asyncio._get_running_loop()
        if loop is None:
            import trio

            scope = trio.CancelScope(deadline=trio.current_time() + seconds)
            scope.__enter__()
            self._trio_scope = scope
            return
        if sys.version_info >= (3, 11):
            task = asyncio.current_task(loop)
            assert task is not None
            self._task = task
            self._cancelling = task.cancelling()
            self._handle = loop.call_at(loop.time() + seconds, self._fire)
        else:
            fallback: AbstractContextManager[object] = anyio.fail_after(seconds)
            fallback.__enter__()
            self._anyio_scope = fallback

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        handle = self._handle
        if handle is not None:
            self._handle = None
            handle.cancel()
            if self._fired and sys.version_info >= (3, 11):
                assert self._task is not None
                # As asyncio.timeout: our cancel is taken back; if the CancelledError is
                # ours alone (no outer cancel pending), it becomes TimeoutError.
                if self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
                    raise TimeoutError from exc
            return None
        if self._trio_scope is not None:
            scope, self._trio_scope = self._trio_scope, None
            suppressed = bool(scope.__exit__(exc_type, exc, tb))
            if scope.cancelled_caught:
                raise TimeoutError from exc
            return suppressed
        if self._anyio_scope is not None:
            fallback, self._anyio_scope = self._anyio_scope, None
            return fallback.__exit__(exc_type, exc, tb)
        return None
