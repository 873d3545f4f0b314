"""volumes.update request shapes on the fake engine (the 1.41 test daemon has no VolumeUpdate)."""

from __future__ import annotations

import json

import anyio.abc
import pytest

from aiodocker_engine import Docker, models
from tests.fake_engine import FakeRequest, fake_engine, response

pytestmark = [pytest.mark.anyio]


async def _answer(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
    await stream.send(response(200, b"OK", headers={"Api-Version": "1.44"}))
    return True


async def test_update_sends_the_availability_where_the_daemon_reads_it(anyio_backend: str) -> None:
    """dockerd reads `Spec.Availability` (Go `ClusterVolumeSpec`), not the `AccessMode`
    nesting the spec files show."""
    async with fake_engine(_answer) as engine, Docker(engine.host) as docker:
        await docker.volumes.update("v1", version=3, spec={"availability": "drain"})
        await docker.volumes.update("v1", version=4, spec={"Availability": "pause"})
        await docker.volumes.update(
            "v1", version=5, spec=models.ClusterVolumeSpec(availability="active")
        )
    sent = [(r.method, r.target, json.loads(r.body)) for r in engine.requests[1:]]
    assert sent == [
        ("PUT", "/v1.44/volumes/v1?version=3", {"Spec": {"Availability": "drain"}}),
        ("PUT", "/v1.44/volumes/v1?version=4", {"Spec": {"Availability": "pause"}}),
        ("PUT", "/v1.44/volumes/v1?version=5", {"Spec": {"Availability": "active"}}),
    ]


@pytest.mark.parametrize(
    ("version", "spec", "error"),
    [
        (1, {"Availabilty": "drain"}, TypeError),
        (1, {"access_mode": {"availability": "drain"}}, TypeError),
        (1, {"availability": "offline"}, ValueError),
        ("x", {"availability": "drain"}, TypeError),
        (True, {"availability": "drain"}, TypeError),
    ],
)
async def test_update_refuses_a_bad_spec_or_version_before_sending(
    anyio_backend: str, version: object, spec: dict[str, object], error: type[Exception]
) -> None:
    async with fake_engine(_answer) as engine, Docker(engine.host) as docker:
        with pytest.raises(error):
            await docker.volumes.update("v1", version=version, spec=spec)  # type: ignore[arg-type]
    assert not [r for r in engine.requests if "/volumes" in r.target]
