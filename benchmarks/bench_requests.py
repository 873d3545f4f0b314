"""Request rate: container inspects per second at several concurrencies, side by side.

Contenders, all against the same real daemon in one process run:
- aiodocker_engine on asyncio and on trio (the default PoolTransport);
- aiodocker (aiohttp) on asyncio;
- docker-py (requests, synchronous) driven by one thread per concurrent caller;
- a floor: a minimal hand-written anyio client (one kept-alive Unix connection per
  worker, fixed request bytes, bare framing, msgspec decode to dicts)
  on asyncio and on trio — what any client on anyio could at best reach.

Rounds are interleaved and the best of `--rounds` is kept for each contender, so a
noisy neighbour hurts all contenders alike. Ratios matter, absolute numbers drift.

    python -m benchmarks.bench_requests [--seconds 2] [--rounds 3] [--concurrency 1,8,32]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import msgspec

from aiodocker_engine import Docker
from aiodocker_engine.testing import ensure_test_image, provide_engine
from benchmarks._engine import print_ratios, print_table, sleeping_container

Runner = Callable[[str, str, int, float], float]


async def _drive(call: Callable[[], Awaitable[object]], concurrency: int, seconds: float) -> float:
    """Run `call` from `concurrency` tasks for `seconds`; return calls per second."""
    count = 0
    deadline = 0.0

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await call()
            count += 1

    for _ in range(3):  # warm up the connections
        await call()
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    return count / (time.perf_counter() - began)


def ours(backend: str) -> Runner:
    def run(host: str, container: str, concurrency: int, seconds: float) -> float:
        async def main() -> float:
            async with Docker(host) as docker:
                return await _drive(
                    lambda: docker.containers.inspect(container), concurrency, seconds
                )

        return anyio.run(main, backend=backend)

    return run


def floor(backend: str) -> Runner:
    def run(host: str, container: str, concurrency: int, seconds: float) -> float:
        path = host.removeprefix("unix://")
        request = (
            f"GET /v1.41/containers/{container}/json HTTP/1.1\r\nHost: docker\r\n\r\n"
        ).encode()
        decoder = msgspec.json.Decoder()

        async def main() -> float:
            idle: list[Any] = []

            async def inspect() -> object:
                stream = idle.pop() if idle else await anyio.connect_unix(path)
                await stream.send(request)
                buf = b""
                while (end := buf.find(b"\r\n\r\n")) < 0:
                    buf += await stream.receive(262144)
                head = buf[:end].lower()
                rest = buf[end + 4 :]
                if b"transfer-encoding: chunked" in head:
                    # Go's server chunks bodies larger than its write buffer (inspect is).
                    while not rest.endswith(b"\r\n0\r\n\r\n"):
                        rest += await stream.receive(262144)
                    parts, pos = [], 0
                    while True:
                        eol = rest.index(b"\r\n", pos)
                        size = int(rest[pos:eol], 16)
                        if size == 0:
                            break
                        parts.append(rest[eol + 2 : eol + 2 + size])
                        pos = eol + 4 + size
                    body = b"".join(parts)
                else:
                    i = head.find(b"content-length:") + 15
                    length = int(head[i : head.find(b"\r\n", i)])
                    while len(rest) < length:
                        rest += await stream.receive(262144)
                    body = rest
                idle.append(stream)
                return decoder.decode(body)

            try:
                return await _drive(inspect, concurrency, seconds)
            finally:
                for stream in idle:
                    await stream.aclose()

        return anyio.run(main, backend=backend)

    return run


def aiodocker_runner(host: str, container: str, concurrency: int, seconds: float) -> float:
    import aiodocker

    async def main() -> float:
        docker = aiodocker.Docker(url=host, api_version="v1.41")
        try:
            return await _drive(lambda: docker.containers.get(container), concurrency, seconds)
        finally:
            await docker.close()

    return asyncio.run(main())


def dockerpy_runner(host: str, container: str, concurrency: int, seconds: float) -> float:
    import docker

    client = docker.APIClient(base_url=host, version="1.41", max_pool_size=max(concurrency, 10))
    count = [0] * concurrency
    for _ in range(3):
        client.inspect_container(container)
    deadline = time.perf_counter() + seconds

    def worker(i: int) -> None:
        while time.perf_counter() < deadline:
            client.inspect_container(container)
            count[i] += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    rate = sum(count) / (time.perf_counter() - began)
    client.close()
    return rate


CONTENDERS: dict[str, Runner] = {
    "ours asyncio": ours("asyncio"),
    "ours trio": ours("trio"),
    "floor asyncio": floor("asyncio"),
    "floor trio": floor("trio"),
    "aiodocker": aiodocker_runner,
    "docker-py threads": dockerpy_runner,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="1,8,32")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]

    with provide_engine() as engine:
        image = ensure_test_image(engine.host)
        with sleeping_container(engine.host, image) as container:
            best: dict[tuple[str, int], float] = {}
            for _ in range(args.rounds):
                for level in levels:
                    for name, runner in CONTENDERS.items():
                        rate = runner(engine.host, container, level, args.seconds)
                        best[name, level] = max(best.get((name, level), 0.0), rate)

    title = f"container inspects per second (best of {args.rounds} x {args.seconds}s), {engine}"
    print_table(title, list(CONTENDERS), levels, best, ",.0f")
    print_ratios(
        levels,
        best,
        [
            ("ours asyncio", "aiodocker"),
            ("ours trio", "aiodocker"),
            ("ours asyncio", "docker-py threads"),
            ("ours asyncio", "floor asyncio"),
            ("ours trio", "floor trio"),
        ],
    )


if __name__ == "__main__":
    main()
