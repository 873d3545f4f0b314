"""Exec rate: `echo` execs per second (create, attached start, read, exit code), side by side.

One exec is the whole `docker exec` round: create the exec instance, start it attached,
read its output to the end, then learn the exit code from an inspect. Contenders, all
against the same real daemon and the same running container in one process run:
- aiodocker_engine `exec.run` on asyncio and on trio;
- aiodocker 0.27 on asyncio: `container.exec(...)`, `exec.start()` stream read to the
  end, `exec.inspect()` (polled while it still says Running, as ours does);
- docker-py (requests, synchronous): `exec_create`, `exec_start`, `exec_inspect`
  (polled likewise), one thread per concurrent caller.

Every exec's output and exit code are checked, so a client that drops or mixes output
under concurrency fails instead of scoring. The daemon (runc starting a process) bounds
the rate; the point is how much each client adds. Rounds are interleaved and the best of
`--rounds` is kept per contender, so a noisy neighbour hurts all alike.

    python -m benchmarks.bench_exec [--seconds 3] [--rounds 3] [--concurrency 1,16]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import anyio

from aiodocker_engine import Docker
from aiodocker_engine.testing import ensure_test_image, provide_engine
from benchmarks._engine import print_ratios, print_table, sleeping_container


class Score(NamedTuple):
    """Execs per second, and this process's CPU milliseconds per exec (client overhead)."""

    rate: float
    cpu_ms: float


Runner = Callable[[str, str, int, float], Score]


_POLL_PAUSES = (0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064) + (0.1,) * 50


def _cmd(i: int) -> list[str]:
    return ["echo", f"n{i}"]


def _check(i: int, exit_code: int | None, stdout: bytes) -> None:
    if exit_code != 0 or stdout != f"n{i}\n".encode():
        raise AssertionError(f"exec {i}: exit code {exit_code}, stdout {stdout!r}")


async def _drive(call: Callable[[int], Awaitable[None]], concurrency: int, seconds: float) -> Score:
    """Run `call(i)` from `concurrency` tasks for `seconds`; return its score."""
    count = 0
    deadline = 0.0
    numbers = itertools.count()

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await call(next(numbers))
            count += 1

    for _ in range(3):  # warm up the connections
        await call(next(numbers))
    deadline = time.perf_counter() + seconds
    began, cpu = time.perf_counter(), time.process_time()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    return _score(count, began, cpu)


def _score(count: int, began: float, cpu: float) -> Score:
    elapsed = time.perf_counter() - began
    return Score(count / elapsed, 1000 * (time.process_time() - cpu) / max(count, 1))


def ours(backend: str) -> Runner:
    def run(host: str, container: str, concurrency: int, seconds: float) -> Score:
        async def main() -> Score:
            async with Docker(host) as docker:

                async def one(i: int) -> None:
                    result = await docker.exec.run(container, _cmd(i))
                    _check(i, result.exit_code, result.stdout)

                return await _drive(one, concurrency, seconds)

        return anyio.run(main, backend=backend)

    return run


def aiodocker_runner(host: str, container: str, concurrency: int, seconds: float) -> Score:
    import aiodocker

    async def main() -> Score:
        docker = aiodocker.Docker(url=host, api_version="v1.41")
        try:
            target = docker.containers.container(container)

            async def one(i: int) -> None:
                execution = await target.exec(_cmd(i))
                out = bytearray()
                async with execution.start(detach=False) as stream:
                    while (message := await stream.read_out()) is not None:
                        if message.stream == 1:
                            out += message.data
                for pause in _POLL_PAUSES:
                    info = await execution.inspect()
                    if not info["Running"]:
                        break
                    await asyncio.sleep(pause)
                _check(i, info["ExitCode"], bytes(out))

            return await _drive(one, concurrency, seconds)
        finally:
            await docker.close()

    return asyncio.run(main())


def dockerpy_runner(host: str, container: str, concurrency: int, seconds: float) -> Score:
    import docker

    client = docker.APIClient(base_url=host, version="1.41", max_pool_size=max(concurrency, 10))
    numbers = itertools.count()

    def one(i: int) -> None:
        exec_id = client.exec_create(container, _cmd(i))["Id"]
        out = client.exec_start(exec_id, demux=True)[0] or b""
        for pause in _POLL_PAUSES:
            info: dict[str, Any] = client.exec_inspect(exec_id)
            if not info["Running"]:
                break
            time.sleep(pause)
        _check(i, info["ExitCode"], out)

    for _ in range(3):
        one(next(numbers))
    count = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def worker(w: int) -> None:
        while time.perf_counter() < deadline:
            one(next(numbers))
            count[w] += 1

    began, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    score = _score(sum(count), began, cpu)
    client.close()
    return score


CONTENDERS: dict[str, Runner] = {
    "ours asyncio": ours("asyncio"),
    "ours trio": ours("trio"),
    "aiodocker": aiodocker_runner,
    "docker-py threads": dockerpy_runner,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="1,16")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    with provide_engine() as engine:
        image = ensure_test_image(engine.host)
        with sleeping_container(engine.host, image) as container:
            best: dict[tuple[str, int], float] = {}
            cpu: dict[tuple[str, int], float] = {}
            for _ in range(args.rounds):
                for level in levels:
                    for name, runner in CONTENDERS.items():
                        score = runner(engine.host, container, level, args.seconds)
                        best[name, level] = max(best.get((name, level), 0.0), score.rate)
                        cpu[name, level] = min(cpu.get((name, level), 1e9), score.cpu_ms)

    rows = list(CONTENDERS)
    title = f"execs per second (best of {args.rounds} x {args.seconds}s), {engine}"
    print_table(title, rows, levels, best, ",.1f")
    print_table("client CPU ms per exec (lowest seen)", rows, levels, cpu, ".2f")
    print_ratios(
        levels,
        best,
        [
            ("ours asyncio", "aiodocker"),
            ("ours trio", "aiodocker"),
            ("ours asyncio", "docker-py threads"),
            ("ours trio", "docker-py threads"),
        ],
    )


if __name__ == "__main__":
    main()
