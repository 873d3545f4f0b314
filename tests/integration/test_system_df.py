"""system.df against the real engine: typed usage of images, containers, volumes, build cache."""

from __future__ import annotations

from typing import Any

import pytest

from aiodocker_engine import Docker, errors, models

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


async def test_df_reports_all_four_object_types(
    docker: Docker,
    container_factory: Any,
    docker_test_image: str,
    docker_test_labels: dict[str, str],
    docker_session_id: str,
) -> None:
    name = f"aiodocker-engine-df-{docker_session_id}"
    await docker.volumes.create(name=name, labels=docker_test_labels)
    try:
        writer = await container_factory(
            cmd=["sh", "-c", "head -c 65536 /dev/zero > /data/blob; sleep 60"],
            binds=[f"{name}:/data"],
        )
        await docker.containers.start(writer.id)
        idle = await container_factory(cmd=["true"])
        for _ in range(50):  # wait for the write to land in the volume
            if (await docker.exec.run(writer.id, ["test", "-s", "/data/blob"])).exit_code == 0:
                break
        usage = await docker.system.df()
        assert isinstance(usage, models.SystemDataUsageResponse)

        images = usage.image_usage
        assert isinstance(images, models.ImagesDiskUsage) and images.items is not None
        tags = [t for image in images.items for t in image.repo_tags or []]
        assert docker_test_image in tags
        assert images.total_count is not None and images.total_count >= 1
        assert images.active_count is not None and images.active_count >= 1
        assert images.total_size is not None and images.total_size > 0

        containers = usage.container_usage
        assert isinstance(containers, models.ContainersDiskUsage) and containers.items
        ours = {c.id: c for c in containers.items if c.id in (writer.id, idle.id)}
        assert set(ours) == {writer.id, idle.id}
        assert ours[writer.id].state == "running" and ours[idle.id].state == "created"
        assert containers.active_count is not None and containers.active_count >= 1

        volumes = usage.volume_usage
        assert isinstance(volumes, models.VolumesDiskUsage) and volumes.items is not None
        mine = next(v for v in volumes.items if v.name == name)
        assert mine.usage_data is not None
        assert mine.usage_data.ref_count == 1
        assert mine.usage_data.size is not None and mine.usage_data.size >= 65536
        assert volumes.total_size is not None and volumes.total_size >= 65536

        cache = usage.build_cache_usage
        assert isinstance(cache, models.BuildCacheDiskUsage)
        assert cache.items is not None and cache.total_count == len(cache.items)
        assert all(isinstance(r, models.BuildCache) for r in cache.items)
    finally:
        await docker.containers.remove(writer.id, force=True)
        await docker.volumes.remove(name, force=True)


async def test_df_type_filter_is_refused_before_sending_on_api_1_41(docker_engine: Any) -> None:
    async with Docker(docker_engine.host, api_version="1.41") as docker:
        with pytest.raises(errors.VersionError, match="type"):
            await docker.system.df(type=["volume"])
        # verbose=False is the default: nothing to gate, the daemon answers.
        usage = await docker.system.df(verbose=False)
        assert usage.image_usage is not None
        with pytest.raises(errors.VersionError, match="verbose"):
            await docker.system.df(verbose=True)
