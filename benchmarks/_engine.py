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


def print_table(
    title: str,
    rows: list[str],
    levels: list[int],
    values: dict[tuple[str, int], float],
    fmt: str,
) -> None:
    """A markdown table: one row per contender, one column per concurrency level."""
    print(f"\n{title}")
    print("| contender | " + " | ".join(f"c={c}" for c in levels) + " |")
    print("|" + " --- |" * (len(levels) + 1))
    for name in rows:
        print(f"| {name} | " + " | ".join(format(values[name, c], fmt) for c in levels) + " |")


def print_ratios(
    levels: list[int], values: dict[tuple[str, int], float], pairs: list[tuple[str, str]]
) -> None:
    """Ratio rows `a / b` for each pair of contenders, per concurrency level."""
    ratios = {(f"{a} / {b}", c): values[a, c] / values[b, c] for a, b in pairs for c in levels}
    print_table("ratios", [f"{a} / {b}" for a, b in pairs], levels, ratios, ".2f")
