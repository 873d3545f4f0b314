"""Every list and inspect answer of the real Docker 20.10 daemon decodes into its model.

Swarm objects (nodes, services, tasks, secrets, configs) are decoded in test_swarm.py,
which owns the swarm's lifetime; everything else is here, with objects of every kind
present so that no list is trivially empty.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from aiodocker_engine import Docker, models

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


def assert_decoded(value: Any, model: type[msgspec.Struct]) -> None:
    items = value if isinstance(value, list) else [value]
    assert items, f"nothing to decode for {model.__name__}"
    for item in items:
        assert isinstance(item, model)
        # Encoding back must work too: the model holds only what its types allow.
        msgspec.json.encode(item)


async def test_every_list_and_inspect_answer_decodes(
    docker: Docker,
    container_factory: Any,
    docker_test_image: str,
    docker_test_labels: dict[str, str],
) -> None:
    running = await container_factory(cmd=["sleep", "30"], tty=True, memory=64 << 20)
    await docker.containers.start(running.id)
    stopped = await container_factory(cmd=["sh", "-c", "echo hi > /tmp/f"])
    await docker.containers.start(stopped.id)
    await docker.containers.wait(stopped.id)
    network = await docker.networks.create(
        name=f"decode-{running.id[:8]}", internal=True, labels=docker_test_labels
    )
    volume = await docker.volumes.create(labels=docker_test_labels)
    try:
        await docker.networks.connect(network.id, running.id)
        exec_id = (await docker.exec.create(running.id, ["true"])).id
        await docker.exec.start_detached(exec_id)

        assert_decoded(await docker.containers.list(all=True, size=True), models.ContainerSummary)
        assert_decoded(
            await docker.containers.inspect(running.id, size=True), models.ContainerInspectResponse
        )
        assert_decoded(await docker.containers.inspect(stopped.id), models.ContainerInspectResponse)
        assert_decoded(await docker.containers.top(running.id), models.ContainerTopResponse)
        assert_decoded(await docker.containers.changes(stopped.id), models.FilesystemChange)
        assert_decoded(
            await docker.containers.stats_once(running.id), models.ContainerStatsResponse
        )
        assert_decoded(await docker.exec.inspect(exec_id), models.ExecInspectResponse)

        assert_decoded(await docker.images.list(all=True), models.ImageSummary)
        assert_decoded(await docker.images.inspect(docker_test_image), models.ImageInspect)
        assert_decoded(
            await docker.images.history(docker_test_image), models.ImageHistoryResponseItem
        )

        assert_decoded(await docker.networks.list(), models.NetworkSummary)
        assert_decoded(await docker.networks.inspect(network.id), models.NetworkInspect)
        volumes = await docker.volumes.list()
        assert_decoded(volumes, models.VolumeListResponse)
        assert_decoded(await docker.volumes.inspect(volume.name), models.Volume)

        assert_decoded(await docker.system.info(), models.SystemInfo)
        assert_decoded(await docker.system.version(), models.SystemVersion)
        assert_decoded(await docker.system.df(), models.SystemDataUsageResponse)
        plugins = await docker.plugins.list()
        assert isinstance(plugins, list)
    finally:
        await docker.networks.disconnect(network.id, running.id, force=True)
        await docker.containers.remove(running.id, force=True)
        await docker.networks.remove(network.id)
        await docker.volumes.remove(volume.name, force=True)
