"""The shared shape of every stream object: opened lazily, `async with`, async iterator."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Generic, TypeVar

from typing_extensions import Self

__all__ = ["LazyStream"]

T = TypeVar("T")


class LazyStream(ABC, Generic[T]):
    """Base of the stream types: `async with` opens (and finally closes) the stream.

    Subclasses provide `open()` (send the request, once) and `aclose()` (release the
    connection, idempotent), and `__anext__`. Iterating without `async with` opens the
    stream on the first item; leaving `async with` closes it at once.
    """

    @abstractmethod
    async def open(self) -> None:
        """Send the request now (normally done by `async with` or the first item)."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release the connection; calling it again does nothing."""

    @abstractmethod
    async def __anext__(self) -> T:
        """The next item; StopAsyncIteration at the end."""

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[T]:
        return self
