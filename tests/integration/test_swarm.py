"""Swarm mode against the real engine: swarm, nodes, services, tasks, secrets and configs.

Swarm mode changes the session's daemon, so every test that needs it is in this module:
the module fixture makes the daemon a single-node swarm (listening on loopback only) and
always leaves it (forced) at the end, pass or fail; a test that leaves the swarm itself
joins a new one before it ends. Services run the local busybox test image by its id, so
the swarm never tries to reach a registry.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import itertools
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import anyio
import pytest

from aiodocker_engine import Docker, errors, models
from aiodocker_engine.api.configs import decode_data
from aiodocker_engine.streams._frames import StdStream
from aiodocker_engine.testing._engine import Engine

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _init(docker: Docker) -> str:
    return await docker.swarm.init(
        advertise_addr="127.0.0.1", listen_addr=f"127.0.0.1:{_free_port()}"
    )


@dataclass
class SwarmSetup:
    node_id: str
    image_id: str


@pytest.fixture(scope="module")
async def swarm(
    docker_engine: Engine, docker_test_image: str, anyio_backend: object
) -> AsyncIterator[SwarmSetup]:
    async with Docker(docker_engine.host) as client:
        info = await client.system.info()
        if info.swarm is not None and info.swarm.local_node_state not in (None, "inactive"):
            await client.swarm.leave(force=True)
        node_id = await _init(client)
        try:
            image = await client.images.inspect(docker_test_image)
            assert image.id is not None
            yield SwarmSetup(node_id=node_id, image_id=image.id)
        finally:
            with anyio.CancelScope(shield=True):
                await client.swarm.leave(force=True)
                after = await client.system.info()
                assert after.swarm is not None and after.swarm.local_node_state == "inactive"


async def _wait_for(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 60) -> None:
    try:
        with anyio.fail_after(seconds):
            # Swarm reports task and log progress by polling only (no event carries it).
            for _ in itertools.count():
                if await check():
                    return
                await anyio.sleep(0.2)
    except TimeoutError:
        pytest.fail(f"{what} did not happen within {seconds} s")


@pytest.fixture
async def cleanup(docker: Docker) -> AsyncIterator[list[tuple[str, str]]]:
    """(kind, id) pairs removed after the test: services first, then secrets and configs."""
    made: list[tuple[str, str]] = []
    try:
        yield made
    finally:
        with anyio.CancelScope(shield=True):
            order = {"service": 0, "secret": 1, "config": 1, "network": 1}
            for kind, ident in sorted(made, key=lambda item: order[item[0]]):
                with contextlib.suppress(errors.NotFound):
                    if kind == "service":
                        await docker.services.remove(ident)
                        await _wait_for(
                            functools.partial(_no_tasks, docker, ident), f"tasks of {ident} gone"
                        )
                    elif kind == "secret":
                        await docker.secrets.remove(ident)
                    elif kind == "network":
                        await docker.networks.remove(ident)
                    else:
                        await docker.configs.remove(ident)


async def _no_tasks(docker: Docker, service: str) -> bool:
    containers = await docker.containers.list(
        all=True, filters={"label": [f"com.docker.swarm.service.id={service}"]}
    )
    return not containers


async def _running_tasks(docker: Docker, service: str, count: int) -> list[models.Task]:
    found: list[models.Task] = []

    async def running() -> bool:
        nonlocal found
        tasks = await docker.tasks.list(filters={"service": service, "desired-state": "running"})
        found = [t for t in tasks if t.status is not None and t.status.state == "running"]
        return len(found) == count

    await _wait_for(running, f"{count} running task(s) of {service}")
    return found


def _spec(image: str, script: str, *, tty: bool = False) -> models.TaskSpec:
    return models.TaskSpec(
        container_spec=models.TaskSpecContainerSpec(
            image=image, command=["sh", "-c", script], tty=tty or None
        ),
        restart_policy=models.TaskSpecRestartPolicy(condition="none"),
    )


# -- the swarm itself --------------------------------------------------------------------


async def test_inspect_shows_the_swarm_this_node_made(docker: Docker, swarm: SwarmSetup) -> None:
    info = await docker.swarm.inspect()
    assert isinstance(info, models.Swarm)
    assert info.id and info.version is not None and info.version.index
    assert info.join_tokens is not None
    assert (info.join_tokens.worker or "").startswith("SWMTKN-1-")
    system = await docker.system.info()
    assert system.swarm is not None and system.swarm.node_id == swarm.node_id
    assert system.swarm.local_node_state == "active" and system.swarm.control_available


async def test_update_changes_the_spec_and_rotates_the_worker_token(
    docker: Docker, swarm: SwarmSetup
) -> None:
    before = await docker.swarm.inspect()
    assert before.spec is not None and before.version is not None and before.join_tokens
    spec = before.spec
    spec.labels = {**(spec.labels or {}), "aiodocker-engine": "updated"}
    await docker.swarm.update(spec, version=before.version.index or 0, rotate_worker_token=True)
    after = await docker.swarm.inspect()
    assert after.spec is not None and after.spec.labels is not None
    assert after.spec.labels["aiodocker-engine"] == "updated"
    assert after.join_tokens is not None
    assert after.join_tokens.worker != before.join_tokens.worker
    assert after.join_tokens.manager == before.join_tokens.manager
    # The version read before is stale now: the daemon refuses a write based on it.
    with pytest.raises(errors.APIError, match="out of sequence"):
        await docker.swarm.update(spec, version=before.version.index or 0)


async def test_autolock_gives_an_unlock_key_and_unlock_refuses_an_unlocked_swarm(
    docker: Docker, swarm: SwarmSetup
) -> None:
    assert (await docker.swarm.unlock_key()).unlock_key in ("", None)
    current = await docker.swarm.inspect()
    assert current.spec is not None and current.version is not None
    spec = current.spec
    spec.encryption_config = models.SwarmSpecEncryptionConfig(auto_lock_managers=True)
    await docker.swarm.update(spec, version=current.version.index or 0)
    try:
        key = (await docker.swarm.unlock_key()).unlock_key
        assert key is not None and key.startswith("SWMKEY-1-")
        # The swarm is not locked (the daemon did not restart), so unlock is refused.
        with pytest.raises(errors.APIError, match="not locked"):
            await docker.swarm.unlock(key)
    finally:
        latest = await docker.swarm.inspect()
        assert latest.spec is not None and latest.version is not None
        latest.spec.encryption_config = models.SwarmSpecEncryptionConfig(auto_lock_managers=False)
        await docker.swarm.update(latest.spec, version=latest.version.index or 0)
    assert (await docker.swarm.unlock_key()).unlock_key in ("", None)


async def test_join_and_init_are_refused_on_a_node_already_in_a_swarm(
    docker: Docker, swarm: SwarmSetup
) -> None:
    tokens = (await docker.swarm.inspect()).join_tokens
    assert tokens is not None and tokens.worker
    with pytest.raises(errors.Unavailable, match="already part of a swarm"):
        await docker.swarm.join(remote_addrs=["127.0.0.1:1"], join_token=tokens.worker)
    with pytest.raises(errors.Unavailable, match="already part of a swarm"):
        await _init(docker)


async def test_the_last_manager_leaves_only_by_force_and_a_new_swarm_can_follow(
    docker: Docker, swarm: SwarmSetup
) -> None:
    with pytest.raises(errors.Unavailable, match="--force"):
        await docker.swarm.leave()
    await docker.swarm.leave(force=True)
    try:
        info = await docker.system.info()
        assert info.swarm is not None and info.swarm.local_node_state == "inactive"
        with pytest.raises(errors.Unavailable):
            await docker.swarm.inspect()
        with pytest.raises(errors.Unavailable):
            await docker.services.list()
    finally:
        with anyio.CancelScope(shield=True):
            swarm.node_id = await _init(docker)
    assert (await docker.nodes.inspect(swarm.node_id)).id == swarm.node_id


# -- nodes -------------------------------------------------------------------------------


async def test_nodes_list_inspect_and_update_labels(docker: Docker, swarm: SwarmSetup) -> None:
    nodes = await docker.nodes.list()
    assert [n.id for n in nodes] == [swarm.node_id]
    assert (await docker.nodes.list(filters={"role": "manager"}))[0].id == swarm.node_id
    assert await docker.nodes.list(filters={"role": "worker"}) == []
    node = await docker.nodes.inspect(swarm.node_id)
    assert node.spec is not None and node.version is not None
    assert node.spec.role == "manager" and node.spec.availability == "active"
    assert node.manager_status is not None and node.manager_status.leader
    await docker.nodes.update(
        swarm.node_id, node.spec, version=node.version.index or 0, labels={"zone": "a"}
    )
    updated = await docker.nodes.inspect(swarm.node_id)
    assert updated.spec is not None and updated.spec.labels == {"zone": "a"}
    assert updated.spec.role == "manager"
    assert (await docker.nodes.list(filters={"node.label": "zone=a"}))[0].id == swarm.node_id
    assert updated.version is not None
    # The spec is replaced as a whole: without the current one the role is missing, which
    # the daemon would refuse ('invalid Role'); refused before sending.
    with pytest.raises(ValueError, match="replaces the whole spec"):
        await docker.nodes.update(swarm.node_id, version=updated.version.index or 0, labels={})
    await docker.nodes.update(
        swarm.node_id, updated.spec, version=updated.version.index or 0, labels={}
    )
    with pytest.raises(errors.NotFound):
        await docker.nodes.inspect("no-such-node-aiodocker")


async def test_a_node_cannot_remove_itself(docker: Docker, swarm: SwarmSetup) -> None:
    with pytest.raises(errors.APIError) as caught:
        await docker.nodes.remove(swarm.node_id)
    assert caught.value.status in (400, 412, 500)
    with pytest.raises(errors.NotFound):
        await docker.nodes.remove("no-such-node-aiodocker", force=True)


# -- services and tasks ------------------------------------------------------------------


async def test_service_create_inspect_list_update_and_remove(
    docker: Docker,
    swarm: SwarmSetup,
    cleanup: list[tuple[str, str]],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    name = f"aiodocker-svc-{docker_session_id}-{anyio_backend}"
    created = await docker.services.create(
        name=name,
        labels={"role": "test"},
        task_template=_spec(swarm.image_id, "sleep 300"),
        mode=models.ServiceSpecMode(replicated=models.ServiceSpecModeReplicated(replicas=1)),
    )
    assert isinstance(created, models.ServiceCreateResponse) and created.id
    cleanup.append(("service", created.id))
    service = await docker.services.inspect(name)
    assert service.id == created.id and service.spec is not None
    assert service.spec.name == name and service.spec.labels == {"role": "test"}
    with pytest.raises(errors.Conflict):
        await docker.services.create(name=name, task_template=_spec(swarm.image_id, "true"))

    tasks = await _running_tasks(docker, created.id, 1)
    task = await docker.tasks.inspect(tasks[0].id or "")
    assert task.service_id == created.id and task.node_id == swarm.node_id
    assert task.status is not None and task.status.container_status is not None

    listed = await docker.services.list(filters={"name": name}, status=True)
    assert [s.id for s in listed] == [created.id]
    assert listed[0].service_status is not None
    assert listed[0].service_status.desired_tasks == 1

    assert service.version is not None and service.spec.mode is not None
    spec = service.spec
    spec.mode = models.ServiceSpecMode(replicated=models.ServiceSpecModeReplicated(replicas=2))
    result = await docker.services.update(created.id, spec, version=service.version.index or 0)
    assert isinstance(result, models.ServiceUpdateResponse)
    await _running_tasks(docker, created.id, 2)
    with pytest.raises(errors.APIError, match="out of sequence"):
        await docker.services.update(created.id, spec, version=service.version.index or 0)

    # Roll back to the previous spec: one replica again (no body: the current one goes).
    current = await docker.services.inspect(created.id)
    assert current.version is not None
    previous = current.previous_spec  # dockerd's `PreviousSpec`, what a rollback restores
    assert previous is not None and previous.mode is not None and previous.mode.replicated
    assert previous.mode.replicated.replicas == 1
    await docker.services.update(
        created.id, version=current.version.index or 0, rollback="previous"
    )
    rolled = await docker.services.inspect(created.id)
    assert rolled.spec is not None and rolled.spec.mode is not None
    assert rolled.spec.mode.replicated is not None and rolled.spec.mode.replicated.replicas == 1

    await docker.services.remove(created.id)
    with pytest.raises(errors.NotFound):
        await docker.services.inspect(created.id)
    await _wait_for(lambda: _no_tasks(docker, created.id), "the service's containers gone")


async def test_a_tasks_network_attachments_name_their_swarm_network(
    docker: Docker,
    swarm: SwarmSetup,
    cleanup: list[tuple[str, str]],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    """dockerd sends Go `swarm.Network` in a task's attachments, not the local network."""
    name = f"aiodocker-overlay-{docker_session_id}-{anyio_backend}"
    network = await docker.networks.create(name=name, driver="overlay", labels={"t": "1"})
    assert network.id
    cleanup.append(("network", network.id))
    template = _spec(swarm.image_id, "sleep 300")
    template.networks = [models.NetworkAttachmentConfig(target=network.id)]
    created = await docker.services.create(name=name, task_template=template)
    assert created.id
    cleanup.append(("service", created.id))
    (task,) = await _running_tasks(docker, created.id, 1)
    attached = [a for a in task.networks_attachments or [] if a.network and a.network.id]
    mine = [a for a in attached if a.network and a.network.id == network.id]
    assert len(mine) == 1 and mine[0].network is not None
    assert mine[0].network.spec is not None and mine[0].network.spec.name == name
    assert mine[0].network.spec.labels == {"t": "1"} and mine[0].addresses


async def test_a_services_healthcheck_is_read_and_survives_inspect_then_update(
    docker: Docker,
    swarm: SwarmSetup,
    cleanup: list[tuple[str, str]],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    # dockerd sends the key `Healthcheck` where the spec says `HealthCheck`.
    task = _spec(swarm.image_id, "sleep 300")
    assert task.container_spec is not None
    task.container_spec.healthcheck = models.HealthConfig(
        test=["CMD", "true"], interval=5_000_000_000, retries=2
    )
    created = await docker.services.create(
        name=f"aiodocker-svc-hc-{docker_session_id}-{anyio_backend}", task_template=task
    )
    cleanup.append(("service", created.id))
    service = await docker.services.inspect(created.id)
    assert service.spec is not None and service.spec.task_template is not None
    container_spec = service.spec.task_template.container_spec
    assert container_spec is not None and container_spec.healthcheck is not None
    assert container_spec.healthcheck.test == ["CMD", "true"]
    assert container_spec.healthcheck.retries == 2
    assert service.version is not None
    service.spec.labels = {"changed": "yes"}
    await docker.services.update(created.id, service.spec, version=service.version.index or 0)
    updated = await docker.services.inspect(created.id)
    assert updated.spec is not None and updated.spec.labels == {"changed": "yes"}
    assert updated.spec.task_template is not None
    assert updated.spec.task_template.container_spec is not None
    kept = updated.spec.task_template.container_spec.healthcheck
    assert kept is not None and kept.test == ["CMD", "true"] and kept.retries == 2


async def test_service_fields_newer_than_the_api_are_refused_before_sending(
    docker: Docker, swarm: SwarmSetup, docker_session_id: str, anyio_backend: str
) -> None:
    """Docker 20.10 ignores fields it does not know: hardening asked for would be dropped."""
    name = f"aiodocker-svc-gate-{docker_session_id}-{anyio_backend}"
    task = _spec(swarm.image_id, "sleep 300")
    assert task.container_spec is not None
    task.container_spec.privileges = models.TaskSpecContainerSpecPrivileges(no_new_privileges=True)
    if await docker.negotiate() == "1.41":
        with pytest.raises(
            errors.VersionError,
            match=r"'TaskTemplate\.ContainerSpec\.Privileges\.NoNewPrivileges' needs API 1\.44",
        ):
            await docker.services.create(name=name, task_template=task)
        assert await docker.services.list(filters={"name": name}) == []  # nothing was sent


async def test_service_and_task_logs_keep_stdout_and_stderr_apart(
    docker: Docker, swarm: SwarmSetup, cleanup: list[tuple[str, str]]
) -> None:
    created = await docker.services.create(
        task_template=_spec(swarm.image_id, "echo out1; echo err1 >&2; echo out2; sleep 300")
    )
    assert created.id
    cleanup.append(("service", created.id))
    (task,) = await _running_tasks(docker, created.id, 1)
    assert task.id

    async def logged() -> bool:
        async with docker.services.logs(created.id) as stream:
            stdout, stderr = await stream.collect()
        return stdout == b"out1\nout2\n" and stderr == b"err1\n"

    await _wait_for(logged, "the service's output in its log")
    async with docker.tasks.logs(task.id, timestamps=True, tty=False) as stream:
        frames = [(f.stream, bytes(f.data), f.timestamp) async for f in stream]
    assert [(s, d) for s, d, _ in frames if s is StdStream.STDERR] == [
        (StdStream.STDERR, b"err1\n")
    ]
    assert [d for s, d, _ in frames if s is StdStream.STDOUT] == [b"out1\n", b"out2\n"]
    assert all(ts is not None for _, _, ts in frames)
    async with docker.services.logs(created.id, details=True, stderr=False) as stream:
        stdout, stderr = await stream.collect()
    assert stderr == b"" and f"com.docker.swarm.task.id={task.id}".encode() in stdout
    # The daemon copies stdout and stderr apart, so which line is last may vary.
    async with docker.services.logs(created.id, tail=1) as stream:
        stdout, stderr = await stream.collect()
    assert stdout + stderr in (b"out2\n", b"err1\n")
    with pytest.raises(ValueError):
        docker.services.logs(created.id, stdout=False, stderr=False)


async def test_logs_of_a_tty_service_are_raw(
    docker: Docker, swarm: SwarmSetup, cleanup: list[tuple[str, str]]
) -> None:
    created = await docker.services.create(
        task_template=_spec(swarm.image_id, "echo hello; echo oops >&2; sleep 300", tty=True)
    )
    assert created.id
    cleanup.append(("service", created.id))
    (task,) = await _running_tasks(docker, created.id, 1)

    async def logged() -> bool:
        async with docker.services.logs(created.id) as stream:
            out, err = await stream.collect()
            assert stream.tty is True and err == b""
        return out == b"hello\r\noops\r\n"

    await _wait_for(logged, "the TTY service's output in its log")
    async with docker.tasks.logs(task.id or "") as stream:
        out, _ = await stream.collect()
        assert stream.tty is True
    assert out == b"hello\r\noops\r\n"


async def test_missing_services_and_tasks_raise_not_found(
    docker: Docker, swarm: SwarmSetup
) -> None:
    with pytest.raises(errors.NotFound):
        await docker.services.inspect("no-such-service-aiodocker")
    with pytest.raises(errors.NotFound):
        await docker.services.remove("no-such-service-aiodocker")
    with pytest.raises(errors.NotFound):
        await docker.tasks.inspect("no-such-task-aiodocker")
    with pytest.raises(errors.NotFound):
        async with docker.services.logs("no-such-service-aiodocker", tty=False) as stream:
            await stream.collect()
    # Filtering tasks by a service that does not exist is an error, not an empty list.
    with pytest.raises(errors.NotFound):
        await docker.tasks.list(filters={"service": "no-such-service-aiodocker"})


# -- secrets and configs -----------------------------------------------------------------


async def test_secret_create_inspect_update_labels_and_remove(
    docker: Docker,
    swarm: SwarmSetup,
    cleanup: list[tuple[str, str]],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    name = f"aiodocker-secret-{docker_session_id}-{anyio_backend}"
    created = await docker.secrets.create(name=name, data=b"s3cr\x00t", labels={"a": "1"})
    assert created.id
    cleanup.append(("secret", created.id))
    secret = await docker.secrets.inspect(name)
    assert secret.id == created.id and secret.spec is not None
    assert secret.spec.name == name and secret.spec.labels == {"a": "1"}
    assert not secret.spec.data  # the daemon never hands secret data back
    assert [s.id for s in await docker.secrets.list(filters={"name": name})] == [created.id]
    with pytest.raises(errors.Conflict):
        await docker.secrets.create(name=name, data="again")

    assert secret.version is not None
    await docker.secrets.update(
        created.id, secret.spec, version=secret.version.index or 0, labels={"a": "2"}
    )
    updated = await docker.secrets.inspect(created.id)
    assert updated.spec is not None and updated.spec.labels == {"a": "2"}
    assert [s.id for s in await docker.secrets.list(filters={"label": "a=2"})] == [created.id]
    # Only labels may change.
    assert updated.version is not None
    with pytest.raises(errors.APIError):
        await docker.secrets.update(
            created.id, updated.spec, version=updated.version.index or 0, data=b"other"
        )
    await docker.secrets.remove(created.id)
    with pytest.raises(errors.NotFound):
        await docker.secrets.inspect(created.id)


async def test_an_inspected_spec_updates_at_an_older_api_than_its_fields(
    docker: Docker,
    docker_engine: Engine,
    swarm: SwarmSetup,
    cleanup: list[tuple[str, str]],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    # Templating (API 1.37) comes back from inspect; the update applies only the labels,
    # and the daemon takes the whole body at 1.36, as the Go client sends it.
    template = models.Driver(name="golang")
    base = f"aiodocker-tpl-{docker_session_id}-{anyio_backend}"
    secret = await docker.secrets.create(name=f"{base}-s", data=b"x", templating=template)
    config = await docker.configs.create(name=f"{base}-c", data=b"x", templating=template)
    assert secret.id and config.id
    cleanup += [("secret", secret.id), ("config", config.id)]
    async with Docker(docker_engine.host, api_version="1.36") as older:
        got_secret = await older.secrets.inspect(secret.id)
        got_config = await older.configs.inspect(config.id)
        assert got_secret.spec is not None and got_secret.spec.templating == template
        assert got_config.spec is not None and got_config.spec.templating == template
        assert got_secret.version is not None and got_config.version is not None
        await older.secrets.update(
            secret.id, got_secret.spec, version=got_secret.version.index or 0, labels={"k": "v"}
        )
        await older.configs.update(
            config.id, got_config.spec, version=got_config.version.index or 0, labels={"k": "v"}
        )
        for spec in ((await older.secrets.inspect(secret.id)).spec,
                     (await older.configs.inspect(config.id)).spec):  # fmt: skip
            assert spec is not None and spec.labels == {"k": "v"}
        with pytest.raises(errors.VersionError, match="Templating"):
            await older.secrets.update(secret.id, version=1, templating=template)


async def test_config_round_trips_its_data_and_a_service_reads_config_and_secret(
    docker: Docker,
    swarm: SwarmSetup,
    cleanup: list[tuple[str, str]],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    name = f"aiodocker-config-{docker_session_id}-{anyio_backend}"
    data = b"key=value\ncaf\xc3\xa9"  # json-file logs keep valid UTF-8 only
    created = await docker.configs.create(name=name, data=data, labels={"k": "v"})
    assert created.id
    cleanup.append(("config", created.id))
    config = await docker.configs.inspect(name)
    assert config.id == created.id and decode_data(config) == data
    assert config.spec is not None and config.spec.data == base64.b64encode(data).decode()
    assert [c.id for c in await docker.configs.list(filters={"label": "k=v"})] == [created.id]
    assert config.version is not None
    await docker.configs.update(
        created.id, config.spec, version=config.version.index or 0, labels={"k": "w"}
    )
    updated = await docker.configs.inspect(created.id)
    assert updated.spec is not None and updated.spec.labels == {"k": "w"}
    assert decode_data(updated) == data
    with pytest.raises(errors.Conflict):
        await docker.configs.create(name=name, data=b"x")

    secret = await docker.secrets.create(name=f"{name}-secret", data=b"hunter2")
    assert secret.id
    cleanup.append(("secret", secret.id))
    template = _spec(
        swarm.image_id, "cat /etc/app.conf; echo; cat /run/secrets/pw; echo; sleep 300"
    )
    assert template.container_spec is not None
    template.container_spec.configs = [
        models.TaskSpecContainerSpecConfigsItem(
            config_id=created.id,
            config_name=name,
            file=models.TaskSpecContainerSpecConfigsItemFile(
                name="/etc/app.conf", uid="0", gid="0", mode=0o444
            ),
        )
    ]
    template.container_spec.secrets = [
        models.TaskSpecContainerSpecSecretsItem(
            secret_id=secret.id,
            secret_name=f"{name}-secret",
            file=models.TaskSpecContainerSpecSecretsItemFile(
                name="pw", uid="0", gid="0", mode=0o400
            ),
        )
    ]
    service = await docker.services.create(task_template=template)
    assert service.id
    cleanup.append(("service", service.id))
    await _running_tasks(docker, service.id, 1)

    async def logged() -> bool:
        async with docker.services.logs(service.id, tty=False) as stream:
            out, _ = await stream.collect()
        return out == data + b"\nhunter2\n"

    await _wait_for(logged, "the config and secret in the service's output")
    # In use: the daemon refuses to remove them.
    with pytest.raises(errors.APIError):
        await docker.configs.remove(created.id)
    with pytest.raises(errors.APIError):
        await docker.secrets.remove(secret.id)
