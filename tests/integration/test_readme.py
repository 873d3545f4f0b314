"""The README's usage example runs as written against the real engine."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import anyio
import pytest

from aiodocker_engine import Docker, errors
from aiodocker_engine.testing import Engine

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]

README = Path(__file__).resolve().parents[2] / "README.md"


def usage_example() -> str:
    """The first Python block of the README, without its closing `anyio.run(main)`."""
    block = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert block is not None, "the README lost its usage example"
    code = block.group(1)
    assert "\nanyio.run(main)" in code
    return code[: code.index("\nanyio.run(main)")]


async def test_the_readme_usage_example_runs_as_written(
    docker: Docker,
    docker_engine: Engine,
    docker_test_image: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_engine.host)  # what `Docker()` connects to
    namespace: dict[str, Any] = {}
    exec(compile(usage_example(), str(README), "exec"), namespace)
    try:
        with anyio.fail_after(60):
            await namespace["main"]()
    finally:
        with contextlib.suppress(errors.NotFound):
            await docker.containers.remove("demo", force=True)
    printed = capsys.readouterr().out
    assert "STDOUT b'hello\\n'" in printed
    assert "\n0\n" in printed  # the exit code of cat, after stdin closed
    assert "\ndie " in printed  # an event replayed from the last minute
