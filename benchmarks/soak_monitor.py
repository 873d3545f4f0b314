"""Soak test of a monitor: events plus the stats of 20 containers for N minutes, printing RSS.

What a long-running monitor does, in one process: one resumable events stream, one stats
stream per container (20 by default) each turned into `docker stats` rows, and a churn task
that creates and removes a labelled container every few seconds so events keep flowing.
Every `--every` seconds it prints the process's resident memory (VmRSS) and the counts so
far. A flat RSS after the first minute means nothing accumulates per event or per sample.

    python -m benchmarks.soak_monitor [--minutes 10] [--containers 20] [--backend trio]

Without DOCKER_HOST it starts the test harness's throwaway dockerd (root needed) and
removes everything it created at the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import uuid
from dataclasses import dataclass, field

import anyio

from aiodocker_engine import Docker, stats
from aiodocker_engine.testing import TEST_IMAGE, ensure_test_image, provide_engine


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux /proc)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclass
class Counters:
    events: int = 0
    samples: int = 0
    churned: int = 0
    reconnects: int = 0
    cpu_sum: float = 0.0
    rss: list[tuple[float, int]] = field(default_factory=list)


async def watch_events(docker: Docker, label: str, counters: Counters) -> None:
    async with docker.system.events(filters={"label": label}) as events:
        async for _ in events:
            counters.events += 1
            counters.reconnects = events.reconnects


async def watch_stats(docker: Docker, container: str, counters: Counters) -> None:
    async with docker.containers.stats(container) as samples:
        async for sample in samples:
            row = stats.summarize(sample)
            counters.samples += 1
            counters.cpu_sum += row.cpu_percent


async def churn(docker: Docker, label: str, counters: Counters, every: float) -> None:
    while True:
        created = await docker.containers.create(
            image=TEST_IMAGE, cmd=["true"], labels={label: "churn"}
        )
        assert created.id is not None
        await docker.containers.start(created.id)
        await docker.containers.wait(created.id)
        await docker.containers.remove(created.id)
        counters.churned += 1
        await anyio.sleep(every)


async def report(counters: Counters, started: float, every: float) -> None:
    print(f"{'t (s)':>7} {'RSS (KiB)':>10} {'events':>8} {'samples':>8} {'churned':>8}", flush=True)
    while True:
        gc.collect()
        now = time.monotonic() - started
        kib = rss_kib()
        counters.rss.append((now, kib))
        print(
            f"{now:7.0f} {kib:10d} {counters.events:8d} {counters.samples:8d} "
            f"{counters.churned:8d}",
            flush=True,
        )
        await anyio.sleep(every)


async def soak(host: str, minutes: float, containers: int, every: float) -> Counters:
    label = f"aiodocker-engine-soak-{uuid.uuid4().hex[:8]}"
    counters = Counters()
    # Streams hold a connection each: give the monitor room for all of them plus calls.
    async with Docker(host, max_connections=containers + 20) as docker:
        ids: list[str] = []
        try:
            for _ in range(containers):
                created = await docker.containers.create(
                    image=TEST_IMAGE,
                    cmd=[
                        "sh",
                        "-c",
                        "while :; do i=0; while [ $i -lt 2000 ]; do "
                        "i=$((i+1)); done; sleep 0.5; done",
                    ],
                    labels={label: "watched"},
                )
                assert created.id is not None
                ids.append(created.id)
                await docker.containers.start(created.id)
            started = time.monotonic()
            with anyio.move_on_after(minutes * 60):
                async with anyio.create_task_group() as tg:
                    tg.start_soon(report, counters, started, every)
                    tg.start_soon(watch_events, docker, label, counters)
                    tg.start_soon(churn, docker, label, counters, 3.0)
                    for ident in ids:
                        tg.start_soon(watch_stats, docker, ident, counters)
            counters.rss.append((time.monotonic() - started, rss_kib()))
        finally:
            with anyio.CancelScope(shield=True):
                for ident in ids:
                    await docker.containers.remove(ident, force=True)
                for c in await docker.containers.list(all=True, filters={"label": label}):
                    if c.id:
                        await docker.containers.remove(c.id, force=True)
    return counters


def summarize(counters: Counters) -> None:
    rss = counters.rss
    warm = [kib for t, kib in rss if t >= 60] or [kib for _, kib in rss]
    print()
    print(f"events received: {counters.events} (stream reconnects: {counters.reconnects})")
    print(f"stats samples:   {counters.samples}")
    print(f"containers churned: {counters.churned}")
    print(f"RSS start {rss[0][1]} KiB, end {rss[-1][1]} KiB, max {max(k for _, k in rss)} KiB")
    print(
        f"RSS after the first minute: min {min(warm)} KiB, max {max(warm)} KiB, "
        f"spread {max(warm) - min(warm)} KiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between RSS lines")
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    args = parser.parse_args()
    host = os.environ.get("DOCKER_HOST")
    engine = None
    if host is None:
        engine = provide_engine("auto")
        host = engine.host
        ensure_test_image(host, api_version=engine.api_version)
    else:
        ensure_test_image(host)
    print(
        f"soak: {args.containers} containers, {args.minutes:g} min, {args.backend}, "
        f"Python {sys.version.split()[0]}, engine {host}",
        flush=True,
    )
    try:
        counters = anyio.run(
            soak, host, args.minutes, args.containers, args.every, backend=args.backend
        )
    finally:
        if engine is not None:
            engine.stop()
    summarize(counters)


if __name__ == "__main__":
    main()
