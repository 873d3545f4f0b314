"""Request shapes the single test daemon cannot answer with success, checked on the fake engine.

A real `swarm.join` needs a second daemon and a real `swarm.unlock` a manager restarted
while locked; both are refused for real in tests/integration/test_swarm.py, and their
successful requests are checked here. Registry credentials for services are checked here
too: the daemon accepts a service without them, so only the header shows they were sent.
"""

from __future__ import annotations

import base64
import json

import anyio.abc
import pytest

from aiodocker_engine import Docker, errors, models
from tests.fake_engine import FakeRequest, fake_engine, response

pytestmark = [pytest.mark.anyio]


async def _answer(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
    if request.target == "/_ping":
        await stream.send(response(200, b"OK", content_type="text/plain"))
    elif request.target.endswith("/services/create"):
        await stream.send(response(201, b'{"ID": "svc1", "Warnings": null}'))
    elif "/update" in request.target:
        await stream.send(response(200, b'{"Warnings": []}'))
    else:
        await stream.send(response(200, b""))
    return True


async def test_join_sends_remote_addrs_token_and_the_default_listen_address(
    anyio_backend: str,
) -> None:
    async with fake_engine(_answer) as engine, Docker(engine.host) as docker:
        await docker.swarm.join(remote_addrs=["10.0.0.1:2377"], join_token="SWMTKN-1-x")
        await docker.swarm.unlock("SWMKEY-1-y")
        with pytest.raises(ValueError):
            await docker.swarm.join(remote_addrs=[], join_token="t")
    join, unlock = engine.requests[-2:]
    assert (join.method, join.target) == ("POST", "/v1.41/swarm/join")
    assert json.loads(join.body) == {
        "ListenAddr": "0.0.0.0:2377",
        "RemoteAddrs": ["10.0.0.1:2377"],
        "JoinToken": "SWMTKN-1-x",
    }
    assert (unlock.method, unlock.target) == ("POST", "/v1.41/swarm/unlock")
    assert json.loads(unlock.body) == {"UnlockKey": "SWMKEY-1-y"}


async def test_service_create_and_update_send_registry_auth_for_the_image_registry(
    anyio_backend: str,
) -> None:
    template = models.TaskSpec(
        container_spec=models.TaskSpecContainerSpec(image="registry.example:5000/app:1")
    )
    auth = {"username": "u", "password": "p"}
    async with fake_engine(_answer) as engine, Docker(engine.host) as docker:
        created = await docker.services.create(name="s", task_template=template, auth=auth)
        assert created.id == "svc1"
        await docker.services.update(
            "svc1", name="s", task_template=template, version=7, registry_auth_from="spec"
        )
        with pytest.raises(ValueError, match="will not be sent"):
            await docker.services.create(
                task_template=template,
                auth={"username": "u", "password": "p", "serveraddress": "other.example"},
            )
    create, update = engine.requests[-2:]
    header = json.loads(base64.urlsafe_b64decode(create.headers["x-registry-auth"]))
    assert header == {"username": "u", "password": "p", "serveraddress": "registry.example:5000"}
    assert json.loads(create.body)["TaskTemplate"]["ContainerSpec"]["Image"] == (
        "registry.example:5000/app:1"
    )
    assert update.target == "/v1.41/services/svc1/update?version=7&registryAuthFrom=spec"
    assert "x-registry-auth" not in update.headers


async def test_newer_operations_and_parameters_are_refused_before_sending(
    anyio_backend: str,
) -> None:
    async with (
        fake_engine(_answer) as engine,
        Docker(engine.host, api_version="1.29") as docker,
    ):
        with pytest.raises(errors.VersionError):
            await docker.services.list(status=True)  # `status` is 1.41
        with pytest.raises(errors.VersionError):
            await docker.configs.list()  # configs are 1.30
        with pytest.raises(errors.VersionError):
            await docker.secrets.create(name="s", data=b"x", templating=models.Driver(name="g"))
        with pytest.raises(errors.VersionError):
            await docker.distribution.inspect("registry.example/app:1", auth={})
    assert engine.requests == []
