"""A caller's async iterable of bytes, closed once we are done with it."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

__all__ = ["closing_source"]

T = TypeVar("T")


@asynccontextmanager
async def closing_source(source: AsyncIterable[T]) -> AsyncIterator[AsyncIterable[T]]:
    """Yield `source`; on leaving, close it if it can be closed (`aclose`).

    A request body or stdin source is left mid-way when the daemon stops reading: an
    async generator must then be finalised now, in its event loop, rather than by the
    garbage collector (trio warns about that, and its `finally` would run nowhere).
    """
    try:
        yield source
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            await aclose()
