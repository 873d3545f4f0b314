"""End to end on the real daemon: drain 1 GiB of attach output and 256 MiB of logs.

Contenders, each in a fresh process (so CPU seconds and peak RSS are its own):
- aiodocker_engine (asyncio and trio): `containers.attach` / `containers.logs`, payload bytes
  counted;
- aiodocker: `container.attach(...).read_out()` / `container.log(follow=True)`;
- the docker CLI (`docker start -a`, `docker logs`), output to /dev/null: the wall-time yardstick.

Attach runs a fresh container per contender that writes `--attach-mib` MiB to stdout
(`head -c`), with logging off (see `_create`); logs read one stopped container that wrote
`--logs-mib` MiB in 100-byte lines. Every run must deliver every byte (the CLI's are counted
in its warm-up run), else the benchmark stops. Reported per contender: wall seconds, client
CPU seconds (user+sys of that process), and peak RSS growth over the process's RSS when
streaming began (the peak reset then); ratios both of the bests and
per round (contenders back to back, each round starting with the next one), with the
median over rounds. A short warm-up run of every contender comes first and is not counted.

    python -m benchmarks.bench_stream_e2e [--attach-mib 1024] [--logs-mib 256] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import anyio

from aiodocker_engine import Docker
from aiodocker_engine.testing import ensure_test_image, provide_engine

LOG_SCRIPT = "yes {line} | head -c {size}"


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _window_start() -> int:
    """The RSS now, with the peak reset to it (Linux: clear_refs 5), so that the peak read
    at the end is the window's own, not one from imports or setup before it."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _status_kib("VmRSS")


def _report(total: int, began: float, cpu0: float, rss0: int) -> dict[str, Any]:
    return {
        "bytes": total,
        "wall": time.perf_counter() - began,
        "cpu": time.process_time() - cpu0,
        "rss_growth_mib": (_status_kib("VmHWM") - rss0) / 1024,
    }


# -- workers: run in their own process, print one JSON line --------------------------------


async def _ours(host: str, mode: str, container: str) -> dict[str, Any]:
    async with Docker(host) as docker:
        await docker.negotiate()
        rss0, cpu0, began = _window_start(), time.process_time(), time.perf_counter()
        total = 0
        if mode == "attach":
            async with docker.containers.attach(container, tty=False) as stream:
                await docker.containers.start(container)
                async for frame in stream:
                    total += len(frame.data)
        else:
            async with docker.containers.logs(container, tty=False) as stream:
                async for frame in stream:
                    total += len(frame.data)
        return _report(total, began, cpu0, rss0)


async def _aiodocker(host: str, mode: str, container: str) -> dict[str, Any]:
    import aiodocker

    docker = aiodocker.Docker(url=host)
    try:
        target = docker.containers.container(container)
        await target.show()
        rss0, cpu0, began = _window_start(), time.process_time(), time.perf_counter()
        total = 0
        if mode == "attach":
            async with target.attach(stdout=True, stderr=True) as stream:
                await target.start()
                while (message := await stream.read_out()) is not None:
                    total += len(message.data)
        else:
            async for line in target.log(stdout=True, stderr=True, follow=True):
                total += len(line)
        return _report(total, began, cpu0, rss0)
    finally:
        await docker.close()


def worker(name: str, host: str, mode: str, container: str) -> None:
    if name == "ours asyncio":
        result = anyio.run(_ours, host, mode, container)
    elif name == "ours trio":
        result = anyio.run(_ours, host, mode, container, backend="trio")
    else:
        result = asyncio.run(_aiodocker(host, mode, container))
    print(json.dumps(result))


# -- driver -------------------------------------------------------------------------------


def _run_worker(name: str, host: str, mode: str, container: str) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.bench_stream_e2e", "--worker", name]
    argv += ["--host", host, "--mode", mode, "--container", container]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def _check_bytes(name: str, mode: str, got: dict[str, Any], expected: int) -> None:
    # A contender that stops early would otherwise look fast.
    if got["bytes"] != expected:
        raise RuntimeError(f"{name} {mode}: read {got['bytes']} bytes of {expected}")


def _run_cli(host: str, mode: str, container: str, *, count: bool = False) -> dict[str, Any]:
    """The CLI's run, output to /dev/null; with `count` (warm-up only: counting costs the
    CLI a pipe and us the reads) its output bytes are counted instead."""
    cmd = ["docker", "-H", host]
    cmd += ["start", "-a", container] if mode == "attach" else ["logs", container]
    began = time.perf_counter()
    before = os.times()
    total = -1
    if count:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as cli:
            out = cli.stdout
            assert out is not None
            total = 0
            while chunk := out.read(1 << 20):
                total += len(chunk)
        if cli.returncode:
            raise subprocess.CalledProcessError(cli.returncode, cmd)
    else:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    wall = time.perf_counter() - began
    return {"bytes": total, "wall": wall, "cpu": cpu, "rss_growth_mib": 0.0}


def _run_one(
    name: str, host: str, mode: str, container: str, expected: int, *, warm_up: bool = False
) -> dict[str, Any]:
    if name == "docker CLI":
        got = _run_cli(host, mode, container, count=warm_up)
        if not warm_up:
            return got
    else:
        got = _run_worker(name, host, mode, container)
    _check_bytes(name, mode, got, expected)
    return got


async def _create(host: str, image: str, cmd: list[str], run: bool) -> str:
    """The logs container (`run`) logs as usual; attach containers log nothing: with the
    json-file driver the daemon would also write each NUL of their output as `\u0000`
    (6 GiB of log per GiB), and that write, not the clients, would set the pace."""
    log_config = None if run else {"Type": "none"}
    async with Docker(host) as docker:
        created = await docker.containers.create(
            image=image,
            cmd=cmd,
            labels={"aiodocker-engine-bench": "1"},
            host_config={"LogConfig": log_config} if log_config else None,
        )
        if run:
            await docker.containers.start(created.id)
            await docker.containers.wait(created.id)
        return created.id


async def _remove(host: str, ids: list[str]) -> None:
    async with Docker(host) as docker:
        for ident in ids:
            await docker.containers.remove(ident, force=True)


WARMUP_MIB = 64
CONTENDERS = ("ours asyncio", "ours trio", "aiodocker", "docker CLI")
RATIOS = (
    ("ours asyncio wall / docker CLI wall", "ours asyncio", "docker CLI", "wall"),
    ("ours trio wall / docker CLI wall", "ours trio", "docker CLI", "wall"),
    ("ours asyncio CPU / aiodocker CPU", "ours asyncio", "aiodocker", "cpu"),
    ("ours trio CPU / aiodocker CPU", "ours trio", "aiodocker", "cpu"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attach-mib", type=int, default=1024)
    parser.add_argument("--logs-mib", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker")
    parser.add_argument("--host")
    parser.add_argument("--mode")
    parser.add_argument("--container")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.host, args.mode, args.container)
        return

    results: dict[tuple[str, str], dict[str, Any]] = {}
    rounds: list[dict[tuple[str, str], dict[str, Any]]] = []
    made: list[str] = []
    with provide_engine() as engine:
        image = ensure_test_image(engine.host)
        host = engine.host
        line = "a" * 99
        logs_cmd = ["sh", "-c", LOG_SCRIPT.format(line=line, size=args.logs_mib << 20)]
        logs_container = anyio.run(_create, host, image, logs_cmd, True)
        logs_bytes = args.logs_mib << 20
        made.append(logs_container)
        try:
            warm_cmd = ["head", "-c", str(WARMUP_MIB << 20), "/dev/zero"]
            for name in CONTENDERS:
                # Not counted: the first streams after the daemon starts run cold (its
                # caches, ours, the .pyc files), and would charge whoever comes first.
                warm = anyio.run(_create, host, image, warm_cmd, False)
                made.append(warm)
                _run_one(name, host, "attach", warm, WARMUP_MIB << 20, warm_up=True)
                _run_one(name, host, "logs", logs_container, logs_bytes, warm_up=True)
                anyio.run(_remove, host, [made.pop()])
            for number in range(args.rounds):
                this_round: dict[tuple[str, str], dict[str, Any]] = {}
                rounds.append(this_round)
                # Each round starts with another contender: whatever the host does at a
                # round's start (writeback of the last container's log) falls on each.
                shift = number % len(CONTENDERS)
                for name in CONTENDERS[shift:] + CONTENDERS[:shift]:
                    attach_cmd = ["head", "-c", str(args.attach_mib << 20), "/dev/zero"]
                    fresh = anyio.run(_create, host, image, attach_cmd, False)
                    made.append(fresh)  # removed after its run
                    for mode, container, expected in (
                        ("attach", fresh, args.attach_mib << 20),
                        ("logs", logs_container, logs_bytes),
                    ):
                        got = _run_one(name, host, mode, container, expected)
                        this_round[name, mode] = dict(got)
                        seen = results.get((name, mode))
                        if seen is not None:
                            # Each metric's own best: a noisy neighbour inflates wall and
                            # CPU of one run, never deflates them; RSS keeps the worst.
                            got["wall"] = min(got["wall"], seen["wall"])
                            got["cpu"] = min(got["cpu"], seen["cpu"])
                            got["rss_growth_mib"] = max(
                                got["rss_growth_mib"], seen["rss_growth_mib"]
                            )
                        results[name, mode] = got
                    anyio.run(_remove, host, [made.pop()])
        finally:
            anyio.run(_remove, host, made)

    print(
        f"\nbest of {args.rounds} (lowest wall and CPU, highest RSS growth): "
        f"{args.attach_mib} MiB attach, {args.logs_mib} MiB logs"
    )
    print(
        "| contender | attach wall s | attach CPU s | attach RSS +MiB "
        "| logs wall s | logs CPU s | logs RSS +MiB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in CONTENDERS:
        a, lg = results[name, "attach"], results[name, "logs"]
        print(
            f"| {name} | {a['wall']:.2f} | {a['cpu']:.2f} | {a['rss_growth_mib']:.1f} "
            f"| {lg['wall']:.2f} | {lg['cpu']:.2f} | {lg['rss_growth_mib']:.1f} |"
        )
    # The host's speed drifts between rounds: a ratio taken within one round (contenders
    # run back to back) is steadier than a ratio of bests from different rounds.
    print(
        "\n| ratio | attach: of bests | attach: per round (median) | logs: of bests "
        "| logs: per round (median) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for label, a_name, b_name, key in RATIOS:
        cells = []
        for mode in ("attach", "logs"):
            best = results[a_name, mode][key] / results[b_name, mode][key]
            each = [r[a_name, mode][key] / r[b_name, mode][key] for r in rounds]
            shown = ", ".join(f"{x:.2f}" for x in each)
            cells += [f"{best:.2f}x", f"{statistics.median(each):.2f}x ({shown})"]
        print(f"| {label} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
