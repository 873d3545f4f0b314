"""Volume operations against the real engine."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from aiodocker_engine import Docker, errors, models

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


def _version(docker: Docker) -> tuple[int, int]:
    assert docker.api_version is not None
    major, minor = docker.api_version.split(".")
    return int(major), int(minor)


async def test_create_inspect_list_and_remove(
    docker: Docker, docker_test_labels: dict[str, str], docker_session_id: str
) -> None:
    name = f"aiodocker-engine-vol-{docker_session_id}-a"
    created = await docker.volumes.create(
        name=name,
        driver="local",
        driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=1m"},
        labels={**docker_test_labels, "role": "test"},
    )
    try:
        assert isinstance(created, models.Volume)
        assert created.name == name and created.driver == "local"
        info = await docker.volumes.inspect(name)
        assert info.labels is not None and info.labels["role"] == "test"
        assert info.options == {"type": "tmpfs", "device": "tmpfs", "o": "size=1m"}
        assert info.mountpoint
        key, value = next(iter(docker_test_labels.items()))
        listed = await docker.volumes.list(filters={"label": [f"{key}={value}", "role=test"]})
        assert [v.name for v in listed.volumes or []] == [name]
        # Creating an existing name hands back the existing volume.
        again = await docker.volumes.create(name=name, labels=docker_test_labels)
        assert again.name == name and again.options == info.options
    finally:
        await docker.volumes.remove(name)
    with pytest.raises(errors.NotFound):
        await docker.volumes.inspect(name)
    await docker.volumes.remove(name, force=True)  # force: a missing volume is fine
    with pytest.raises(errors.NotFound):
        await docker.volumes.remove(name)


async def test_create_from_a_model_and_an_anonymous_name(
    docker: Docker, docker_test_labels: dict[str, str]
) -> None:
    created = await docker.volumes.create(models.VolumeCreateRequest(labels=docker_test_labels))
    assert created.name and len(created.name) == 64
    await docker.volumes.remove(created.name)


async def test_volume_survives_container_removal_and_in_use_volume_is_a_conflict(
    docker: Docker,
    container_factory: Any,
    docker_test_labels: dict[str, str],
    docker_session_id: str,
) -> None:
    name = f"aiodocker-engine-vol-{docker_session_id}-b"
    await docker.volumes.create(name=name, labels=docker_test_labels)
    try:
        writer = await container_factory(
            cmd=["sh", "-c", "echo kept > /data/file"], binds=[f"{name}:/data"]
        )
        await docker.containers.start(writer.id)
        assert (await docker.containers.wait(writer.id)).status_code == 0
        with pytest.raises(errors.Conflict):
            await docker.volumes.remove(name)
        with pytest.raises(errors.Conflict):
            await docker.volumes.remove(name, force=True)
        await docker.containers.remove(writer.id, v=True)
        assert (await docker.volumes.inspect(name)).name == name
        reader = await container_factory(
            cmd=["sh", "-c", 'test "$(cat /data/file)" = kept'], binds=[f"{name}:/data:ro"]
        )
        await docker.containers.start(reader.id)
        assert (await docker.containers.wait(reader.id)).status_code == 0
        await docker.containers.remove(reader.id)
    finally:
        await docker.volumes.remove(name, force=True)


async def test_prune_removes_only_unused_labelled_volumes(
    docker: Docker,
    container_factory: Any,
    docker_test_labels: dict[str, str],
) -> None:
    run = uuid.uuid4().hex[:10]
    prune_label = f"aiodocker-engine-prune-{run}"
    labels = {**docker_test_labels, prune_label: "1"}
    unused = f"aiodocker-engine-vol-{run}-unused"
    used = f"aiodocker-engine-vol-{run}-used"
    bystander = f"aiodocker-engine-vol-{run}-bystander"
    await docker.volumes.create(name=unused, labels=labels)
    await docker.volumes.create(name=used, labels=labels)
    await docker.volumes.create(name=bystander, labels=docker_test_labels)
    user = await container_factory(cmd=["true"], binds=[f"{used}:/data"])
    try:
        filters: dict[str, str | list[str] | bool] = {"label": f"{prune_label}=1"}
        await docker.negotiate()
        if _version(docker) >= (1, 42):
            filters["all"] = True  # 1.42+ prunes only anonymous volumes without it
        result = await docker.volumes.prune(filters=filters)
        assert isinstance(result, models.VolumePruneResponse)
        assert result.volumes_deleted == [unused], result
        assert result.space_reclaimed is not None
        await docker.volumes.inspect(used)
        await docker.volumes.inspect(bystander)
        with pytest.raises(errors.NotFound):
            await docker.volumes.inspect(unused)
    finally:
        await docker.containers.remove(user.id, force=True)
        for name in (unused, used, bystander):
            await docker.volumes.remove(name, force=True)


async def test_update_needs_api_1_42_and_is_refused_before_sending_on_older(
    docker: Docker,
) -> None:
    await docker.negotiate()
    spec = models.ClusterVolumeSpec(group="g")
    if _version(docker) < (1, 42):
        with pytest.raises(errors.VersionError, match=r"VolumeUpdate.*needs API 1\.42"):
            await docker.volumes.update("aiodocker-engine-no-such-volume", version=1, spec=spec)
    else:
        # Sent: a daemon that is no swarm manager (or has no such volume) refuses it.
        with pytest.raises(errors.APIError):
            await docker.volumes.update("aiodocker-engine-no-such-volume", version=1, spec=spec)


async def test_update_on_pinned_older_version_and_cluster_spec_gate(
    docker_engine: Any, docker_test_image: str
) -> None:
    async with Docker(docker_engine.host, api_version="1.41") as docker:
        with pytest.raises(errors.VersionError, match=r"1\.42"):
            await docker.volumes.update("v", version=1, spec=models.ClusterVolumeSpec())
        with pytest.raises(errors.VersionError, match="ClusterVolumeSpec"):
            await docker.volumes.create(
                name="never", cluster_volume_spec=models.ClusterVolumeSpec()
            )


async def test_update_refuses_an_unknown_spec_key_or_a_non_int_version_before_anything_else(
    docker: Docker,
) -> None:
    """The daemon reads only `Spec.Availability`: a misspelt key would be a silent no-op."""
    with pytest.raises(TypeError, match=r"'Availabilty'.*did you mean"):
        await docker.volumes.update("v", version=1, spec={"Availabilty": "drain"})
    with pytest.raises(ValueError, match="Availability"):
        await docker.volumes.update("v", version=1, spec={"availability": "dran"})
    with pytest.raises(TypeError, match=r"version must be an int.*'x'"):
        await docker.volumes.update("v", version="x", spec={"availability": "drain"})  # type: ignore[arg-type]
