"""What the real-daemon benchmarks share: a long-sleeping container to aim requests at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import anyio

from aiodocker_engine import Docker

__all__ = ["sleeping_container"]


async def _start(host: str, image: str) -> str:
    async with Docker(host) as docker:
        created = await docker.containers.create(
            image=image, cmd=["sleep", "3600"], labels={"aiodocker-engine-bench": "1"}
        )
        await docker.containers.start(created.id)
        return created.id


async def _remove(host: str, container: str) -> None:
    async with Docker(host) as docker:
        await docker.containers.remove(container, force=True)


@contextmanager
def sleeping_container(host: str, image: str) -> Iterator[str]:
    """A running `sleep 3600` container's id, force-removed at the end (blocking calls)."""
    container = anyio.run(_start, host, image)
    try:
        yield container
    finally:
        anyio.run(_remove, host, container)
