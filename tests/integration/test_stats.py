"""Container stats against the real engine: samples, one-shot, the math, and the pool policy."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from aiodocker_engine import Docker, errors, stats
from aiodocker_engine.models import ContainerStatsResponse
from aiodocker_engine.testing import Engine
from tests.integration._scripts import closed_by_another_task

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]

BUSY = ["sh", "-c", "while :; do :; done"]


async def test_stats_of_a_busy_container_show_cpu_above_zero(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=BUSY)
    await docker.containers.start(created.id)
    rows: list[stats.StatsSummary] = []
    async with docker.containers.stats(created.id) as samples:
        with anyio.fail_after(30):
            async for sample in samples:
                assert isinstance(sample, ContainerStatsResponse)
                rows.append(stats.summarize(sample))
                if len(rows) == 3:
                    break
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]
    # The first sample has no previous reading; later ones measure a spinning core.
    assert max(row.cpu_percent for row in rows[1:]) > 10.0
    last = rows[-1]
    assert last.id == created.id and last.name
    assert 0 < last.memory_usage <= last.memory_limit
    assert 0 < last.memory_percent < 100
    assert last.pids >= 1


async def test_stats_once_answers_without_a_second_reading(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=BUSY)
    await docker.containers.start(created.id)
    with anyio.fail_after(30):
        first = await docker.containers.stats_once(created.id)
        await anyio.sleep(0.5)
        second = await docker.containers.stats_once(created.id)
    # One-shot: the daemon answers with its next reading and no previous one to compare.
    assert second.precpu_stats is None or not second.precpu_stats.system_cpu_usage
    assert stats.cpu_percent(second, previous=first) > 10.0
    assert stats.cpu_percent(second) == 0.0  # unknown without a previous reading
    assert stats.read_time_nanos(second.read) is not None


async def test_non_streaming_stats_yield_one_sample_with_a_previous_reading(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=BUSY)
    await docker.containers.start(created.id)
    with anyio.fail_after(30):
        got = [s async for s in docker.containers.stats(created.id, stream=False)]
    assert len(got) == 1
    assert got[0].precpu_stats is not None and got[0].precpu_stats.system_cpu_usage
    assert stats.cpu_percent(got[0]) > 10.0
    with pytest.raises(ValueError, match="one_shot"):
        docker.containers.stats(created.id, one_shot=True)


async def test_stats_of_a_missing_container_raise_not_found_on_open(docker: Docker) -> None:
    with pytest.raises(errors.NotFound):
        async with docker.containers.stats("aiodocker-engine-no-such-container"):
            pass
    with pytest.raises(errors.NotFound):
        await docker.containers.stats_once("aiodocker-engine-no-such-container")


async def test_fifty_stats_streams_do_not_starve_ordinary_requests(
    docker_engine: Engine, docker: Docker, container_factory: Any
) -> None:
    """50 open streams hold 50 of the 100 default connections; calls use the rest."""
    ids: list[str] = []

    async def make() -> None:
        created = await container_factory(cmd=["sleep", "120"])
        await docker.containers.start(created.id)
        ids.append(created.id)

    async with anyio.create_task_group() as tg:
        for _ in range(50):
            tg.start_soon(make)

    async with Docker(docker_engine.host) as watcher:
        pool = watcher.transport
        counts = dict.fromkeys(ids, 0)
        all_open = anyio.Event()
        all_sampled = anyio.Event()
        opened = sampled = 0

        async def watch(ident: str) -> None:
            nonlocal opened, sampled
            async with watcher.containers.stats(ident) as samples:
                opened += 1
                if opened == len(ids):
                    all_open.set()
                async for _ in samples:
                    counts[ident] += 1
                    if counts[ident] >= 3:
                        break
                sampled += 1
                if sampled == len(ids):
                    all_sampled.set()
                await anyio.sleep_forever()

        async with anyio.create_task_group() as tg:
            for ident in ids:
                tg.start_soon(watch, ident)
            with anyio.fail_after(60):
                await all_open.wait()
            assert pool.num_active >= 50  # type: ignore[attr-defined]
            # Ordinary calls on the same client go through while every stream is open.
            with anyio.fail_after(20):
                async with anyio.create_task_group() as calls:
                    for ident in ids:
                        calls.start_soon(watcher.containers.inspect, ident)
                    calls.start_soon(watcher.system.info)
                    calls.start_soon(watcher.containers.list)
            with anyio.fail_after(60):
                await all_sampled.wait()
            tg.cancel_scope.cancel()
        assert pool.num_active == 0  # type: ignore[attr-defined]
        assert all(n >= 3 for n in counts.values())


async def test_a_stream_holds_its_connection_until_it_is_left(
    docker_engine: Engine, container_factory: Any, docker: Docker
) -> None:
    """The policy in its smallest form: with max_connections=1 a call waits for the stream."""
    created = await container_factory(cmd=["sleep", "60"])
    await docker.containers.start(created.id)
    async with Docker(docker_engine.host, max_connections=1) as small:
        await small.negotiate()
        async with small.containers.stats(created.id) as samples:
            await samples.__anext__()
            with anyio.move_on_after(1.0) as waited:
                await small.containers.inspect(created.id)
            assert waited.cancelled_caught  # the only connection is the stream's
        with anyio.fail_after(10):
            info = await small.containers.inspect(created.id)
        assert info.id == created.id


async def test_aclose_from_another_task_ends_the_iteration_cleanly(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["sleep", "600"])
    await docker.containers.start(created.id)
    outcome = await closed_by_another_task(docker.containers.stats(created.id), after_first=True)
    assert outcome[-1] == "ended" and outcome.count("ended") == 1
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]
