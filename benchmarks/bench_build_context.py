"""Peak memory while a 1 GiB build context streams to a real daemon (not a timing test).

Writes a directory of random files (`--size-mib`, default 1024, in 64 MiB files, plus a
Dockerfile and a .dockerignore that drops one extra file), then `docker.images.build`
sends it to the harness's engine (a throwaway dockerd, or DOCKER_HOST) while a sampler
reads VmRSS from /proc/self/status every 10 ms. Reported: RSS before the build (after
imports and the first request), the peak during it (sampled and the kernel's VmHWM),
the context's size (of its data files) and its rate. The issue's bound: peak RSS under 64 MiB.

    python -m benchmarks.bench_build_context [--size-mib 1024] [--backend asyncio|trio]
        [--gzip] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import anyio

from aiodocker_engine import Docker
from aiodocker_engine.testing import ensure_test_image, provide_engine

_FILE_MIB = 64
_LIMIT_MIB = 64


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _make_context(root: Path, size_mib: int) -> int:
    """Random files summing to size_mib MiB (written 1 MiB at a time), Dockerfile, .dockerignore."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Dockerfile").write_text("FROM scratch\nLABEL bench=build-context\n")
    (root / ".dockerignore").write_text("ignored.bin\n")
    with open(root / "ignored.bin", "wb") as out:
        out.write(os.urandom(1024 * 1024))
    written = 0
    index = 0
    while written < size_mib:
        chunk_mib = min(_FILE_MIB, size_mib - written)
        with open(root / f"data-{index:03d}.bin", "wb") as out:
            for _ in range(chunk_mib):
                out.write(os.urandom(1024 * 1024))
        written += chunk_mib
        index += 1
    return written * 1024 * 1024


async def _measure(host: str, root: Path, *, gzip: bool) -> dict[str, float]:
    async with Docker(host) as docker:
        await docker.system.ping()
        before = _status_kib("VmRSS")
        peak = before
        done = anyio.Event()

        async def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _status_kib("VmRSS"))
                await anyio.sleep(0.01)

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            group.start_soon(sample)
            result = await docker.images.build(root, tag="aiodocker-bench-context:1", gzip=gzip)
            done.set()
        elapsed = time.perf_counter() - started
        await docker.images.remove("aiodocker-bench-context:1", force=True)
        if not result.image_id:
            raise RuntimeError(f"the build returned no image id: {result!r}")
    return {
        "before_mib": before / 1024,
        "peak_mib": peak / 1024,
        "hwm_mib": _status_kib("VmHWM") / 1024,
        "seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="reuse/keep the context here")
    args = parser.parse_args()

    engine = provide_engine("auto")
    try:
        ensure_test_image(engine.host, api_version=engine.api_version)
        base = args.keep or Path(tempfile.mkdtemp(prefix="aiodocker-bench-context-"))
        try:
            if not (base / "Dockerfile").exists():
                size = _make_context(base, args.size_mib)
            else:
                size = sum(p.stat().st_size for p in base.glob("data-*.bin"))
            numbers = anyio.run(
                lambda: _measure(engine.host, base, gzip=args.gzip), backend=args.backend
            )
        finally:
            if args.keep is None:
                shutil.rmtree(base, ignore_errors=True)
    finally:
        engine.stop()
    mib = size / 1024 / 1024
    verdict = "OK" if numbers["hwm_mib"] < _LIMIT_MIB else "OVER"
    print(
        f"context {mib:.0f} MiB ({args.backend}{', gzip' if args.gzip else ''}): "
        f"RSS before {numbers['before_mib']:.1f} MiB, peak sampled {numbers['peak_mib']:.1f} MiB, "
        f"VmHWM {numbers['hwm_mib']:.1f} MiB ({verdict}, bound {_LIMIT_MIB} MiB); "
        f"{numbers['seconds']:.1f} s, {mib / numbers['seconds']:.0f} MiB/s"
    )


if __name__ == "__main__":
    main()
