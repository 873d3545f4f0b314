"""A caller's bytes source: checked before anything is sent, closed once we are done with it."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

__all__ = ["check_source", "closing_source"]

T = TypeVar("T")


def check_source(source: object, what: str, *, kind: str = "bytes") -> None:
    """TypeError, before anything is sent, for a source that is neither bytes nor async
    (a str, a file, a list): `what` names the argument, `kind` the bytes it takes."""
    if isinstance(source, (bytes, bytearray, memoryview)) or hasattr(source, "__aiter__"):
        return
    raise TypeError(
        f"{what} takes {kind} or an async iterable of bytes, got {type(source).__name__}"
    )


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
