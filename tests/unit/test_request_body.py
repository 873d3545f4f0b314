"""Streamed request bodies: a failing source fails the call at once, with its own error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from aiodocker_engine import Docker
from tests.fake_engine import fake_engine

pytestmark = pytest.mark.anyio


async def test_a_source_that_raises_an_os_error_fails_the_call_with_it(tmp_path: Path) -> None:
    async def breaks() -> AsyncIterator[bytes]:
        yield b"x" * 100
        raise FileNotFoundError(2, "No such file or directory", "/data/part2.tar")

    async with fake_engine() as engine, Docker(engine.host, api_version="1.41") as docker:
        with anyio.fail_after(10):
            with pytest.raises(FileNotFoundError, match=r"part2\.tar"):
                await docker.containers.put_archive("c1", "/tmp", breaks())
            with pytest.raises(FileNotFoundError, match=r"missing\.tar"):
                await docker.images.load(tmp_path / "missing.tar")
        assert docker.transport.num_active == 0  # type: ignore[attr-defined]
        # Neither cut-off request reached the engine whole; the next call is unharmed.
        assert engine.requests == []
        await docker.system.ping()
        assert [r.target for r in engine.requests] == ["/v1.41/_ping"]
