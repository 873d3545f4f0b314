"""The exec exit code after the output ended: polled while the daemon says it still runs."""

from __future__ import annotations

import json

import anyio
import anyio.abc
import pytest

from aiodocker_engine import Docker, errors
from aiodocker_engine.api import exec as exec_api
from tests.fake_engine import FakeRequest, Handler, fake_engine, response

pytestmark = pytest.mark.anyio


def exec_reporting(states: list[tuple[bool, int | None]]) -> tuple[Handler, list[str]]:
    """A daemon whose exec inspect gives `states` in turn (the last one from then on)."""
    asked: list[str] = []

    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        asked.append(request.target)
        running, exit_code = states[min(len(asked) - 1, len(states) - 1)]
        body = {"ID": "e1", "Running": running, "ExitCode": exit_code}
        await stream.send(response(200, json.dumps(body).encode()))
        return True

    return handler, asked


async def test_the_exit_code_comes_once_the_daemon_says_the_exec_stopped() -> None:
    handler, asked = exec_reporting([(True, None), (True, None), (False, 3)])
    async with fake_engine(handler) as engine, Docker(engine.host, api_version="1.41") as docker:
        with anyio.fail_after(10):
            assert await docker.exec._exit_code("e1") == 3
    assert asked == ["/v1.41/exec/e1/json"] * 3


async def test_an_exec_still_running_after_its_output_ended_raises_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exec_api, "EXIT_WAIT", 0.3)
    handler, asked = exec_reporting([(True, None)])
    async with fake_engine(handler) as engine, Docker(engine.host, api_version="1.41") as docker:
        with anyio.fail_after(10), pytest.raises(errors.DockerError, match=r"still runs 0\.3 s"):
            await docker.exec._exit_code("e1")
    assert len(asked) >= 3  # asked again, with a doubling pause, until the limit


async def test_a_stopped_exec_without_an_exit_code_was_never_started() -> None:
    handler, _ = exec_reporting([(False, None)])
    async with fake_engine(handler) as engine, Docker(engine.host, api_version="1.41") as docker:
        with pytest.raises(errors.DockerError, match="no exit code: not started"):
            await docker.exec._exit_code("e1")
