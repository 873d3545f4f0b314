"""The cheapest correct deadline scope for the running backend.

anyio's `fail_after` costs about 20 µs a call. On asyncio (Python 3.11+) the
native `asyncio.timeout` does the same job for about 6 µs and interoperates with
anyio's cancel scopes (it cancels the task once and turns that CancelledError
back into TimeoutError on exit). On trio, anyio's scopes are trio's own, so
nothing would be gained by bypassing them; Python 3.10 has no asyncio.timeout.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType

import anyio

__all__ = ["Deadline"]

if sys.version_info >= (3, 11):
    _asyncio_timeout: Callable[[float], AbstractAsyncContextManager[object]] | None = (
        asyncio.timeout
    )
else:
    _asyncio_timeout = None


class Deadline:
    """`async with Deadline(seconds):` raises TimeoutError when the block runs too long.

    `seconds=None` sets no deadline and costs nothing.
    """

    __slots__ = ("_async_scope", "_seconds", "_sync_scope")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._async_scope: AbstractAsyncContextManager[object] | None = None
        self._sync_scope: AbstractContextManager[object] | None = None

    async def __aenter__(self) -> None:
        seconds = self._seconds
        if seconds is None:
            return
        if _asyncio_timeout is not None and asyncio._get_running_loop() is not None:
            scope = _asyncio_timeout(seconds)
            await scope.__aenter__()
            self._async_scope = scope
        else:
            sync_scope = anyio.fail_after(seconds)
            sync_scope.__enter__()
            self._sync_scope = sync_scope

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if self._async_scope is not None:
            scope, self._async_scope = self._async_scope, None
            return await scope.__aexit__(exc_type, exc, tb)
        if self._sync_scope is not None:
            sync_scope, self._sync_scope = self._sync_scope, None
            return sync_scope.__exit__(exc_type, exc, tb)
        return None
