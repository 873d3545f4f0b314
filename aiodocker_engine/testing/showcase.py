"""A short tour of the client against a real engine: ping, version, and a busybox container.

Run it as `python -m aiodocker_engine.testing.showcase` (or `scripts/demo`). It uses the
engine at DOCKER_HOST when one answers; otherwise, as root, it starts a throwaway dockerd
and stops it again at the end, exactly as the pytest plugin does.
"""

from __future__ import annotations

import argparse
import sys
import time

import anyio

from aiodocker_engine.testing._engine import EngineMode, HarnessError, describe, provide_engine
from aiodocker_engine.testing._image import ensure_test_image

__all__ = ["main"]


async def tour(host: str, image: str) -> int:
    """Ping, print versions, run one container; the container's exit code."""
    from aiodocker_engine import Docker

    async with Docker(host) as docker:
        began = time.perf_counter()
        ping = await docker.system.ping()
        print(f"ping: API {ping.api_version}, {ping.os_type} ({time.perf_counter() - began:.4f} s)")
        version = await docker.system.version()
        platform = f"{version.os}/{version.arch}"
        print(f"engine: Docker {version.version}, API {version.api_version}, {platform}")
        result = await docker.containers.run(
            image,
            cmd=["sh", "-c", 'echo "hello from $(uname -s) busybox, pid $$"; echo oops >&2'],
            remove=True,
        )
        print(f"container exit code: {result.exit_code}")
        print(f"  stdout: {result.stdout.decode(errors='replace').rstrip()}")
        print(f"  stderr: {result.stderr.decode(errors='replace').rstrip()}")
        return int(result.exit_code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aiodocker_engine.testing.showcase")
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio")
    parser.add_argument("--engine", choices=("auto", "external", "start"), default="auto")
    args = parser.parse_args(argv)
    mode: EngineMode = args.engine
    try:
        engine = provide_engine(mode)
    except HarnessError as exc:
        print(f"showcase: no Docker engine: {exc}", file=sys.stderr)
        return 2
    with engine:
        print(f"harness: {describe(engine)}")
        image = ensure_test_image(
            engine.host, api_version=engine.api_version, replace_aliases=engine.started_here
        )
        code: int = anyio.run(tour, engine.host, image, backend=args.backend)
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
