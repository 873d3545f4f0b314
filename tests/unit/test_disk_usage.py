"""system.df summaries computed from the list-only answer of daemons before API 1.52."""

from __future__ import annotations

import anyio.abc
import msgspec
import pytest

from aiodocker_engine import Docker
from aiodocker_engine.api._disk_usage import fill_usage_summaries
from aiodocker_engine.models import (
    BuildCache,
    BuildCacheDiskUsage,
    ImagesDiskUsage,
    SystemDataUsageResponse,
)
from tests.fake_engine import FakeRequest, fake_engine, response

# Shaped like Docker 20.10's answer (API 1.41), with build cache records as BuildKit writes.
LEGACY = b"""{
 "LayersSize": 1000,
 "Images": [
   {"Id": "sha256:a", "ParentId": "", "RepoTags": ["busybox:latest"], "Created": 1, "Size": 600,
    "SharedSize": 100, "VirtualSize": 600, "Containers": 2, "Labels": null},
   {"Id": "sha256:b", "ParentId": "", "RepoTags": ["other:1"], "Created": 1, "Size": 500,
    "SharedSize": 100, "VirtualSize": 500, "Containers": 0, "Labels": null}],
 "Containers": [
   {"Id": "c1", "Names": ["/run"], "Image": "busybox", "State": "running", "SizeRw": 10},
   {"Id": "c2", "Names": ["/gone"], "Image": "busybox", "State": "exited", "SizeRw": 30},
   {"Id": "c3", "Names": ["/nap"], "Image": "busybox", "State": "paused", "SizeRw": 5}],
 "Volumes": [
   {"Name": "used", "Driver": "local", "Mountpoint": "/x", "Scope": "local", "Labels": null,
    "Options": null, "UsageData": {"Size": 4096, "RefCount": 1}},
   {"Name": "free", "Driver": "local", "Mountpoint": "/y", "Scope": "local", "Labels": null,
    "Options": null, "UsageData": {"Size": 8192, "RefCount": 0}},
   {"Name": "unknown", "Driver": "local", "Mountpoint": "/z", "Scope": "local", "Labels": null,
    "Options": null, "UsageData": {"Size": -1, "RefCount": 0}}],
 "BuildCache": [
   {"ID": "r1", "Parent": "", "Type": "regular", "Description": "mount / from exec", "InUse": true,
    "Shared": false, "Size": 300, "CreatedAt": "2024-01-01T00:00:00Z",
    "LastUsedAt": "2024-01-02T00:00:00Z", "UsageCount": 3},
   {"ID": "r2", "Parent": "r1", "Type": "source.local", "Description": "local source",
    "InUse": false, "Shared": false, "Size": 200, "CreatedAt": "2024-01-01T00:00:00Z",
    "LastUsedAt": null, "UsageCount": 1},
   {"ID": "r3", "Parent": "", "Type": "frontend", "Description": "shared", "InUse": false,
    "Shared": true, "Size": 50, "CreatedAt": "2024-01-01T00:00:00Z", "LastUsedAt": null,
    "UsageCount": 1}]
}"""


def decode(raw: bytes) -> SystemDataUsageResponse:
    return msgspec.json.decode(raw, type=SystemDataUsageResponse)


def test_legacy_lists_become_typed_summaries_like_docker_system_df() -> None:
    usage = fill_usage_summaries(decode(LEGACY))
    images = usage.image_usage
    assert images is not None
    assert (images.total_count, images.active_count, images.total_size) == (2, 1, 1000)
    assert images.reclaimable == 1000 - (600 - 100)
    assert images.items is not None and images.items[0].repo_tags == ["busybox:latest"]
    containers = usage.container_usage
    assert containers is not None
    assert (containers.total_count, containers.active_count) == (3, 2)  # running + paused
    assert (containers.total_size, containers.reclaimable) == (45, 30)
    volumes = usage.volume_usage
    assert volumes is not None
    assert (volumes.total_count, volumes.active_count) == (3, 1)
    assert (volumes.total_size, volumes.reclaimable) == (4096 + 8192, 8192)
    cache = usage.build_cache_usage
    assert cache is not None and cache.items is not None
    assert all(isinstance(r, BuildCache) for r in cache.items)
    assert cache.items[1].type == "source.local" and cache.items[1].parent == "r1"
    assert (cache.total_count, cache.active_count) == (3, 1)
    assert (cache.total_size, cache.reclaimable) == (500, 200)  # shared records not counted


def test_missing_lists_count_as_empty_and_only_asked_types_are_filled() -> None:
    bare = fill_usage_summaries(decode(b'{"LayersSize": 0, "Images": [], "Volumes": []}'))
    assert bare.build_cache_usage == BuildCacheDiskUsage(
        active_count=0, total_count=0, reclaimable=0, total_size=0, items=[]
    )
    assert bare.container_usage is not None and bare.container_usage.total_count == 0
    only = fill_usage_summaries(decode(b'{"Volumes": []}'), ["volume"])
    assert only.volume_usage is not None
    assert only.image_usage is None and only.build_cache_usage is None


def test_summaries_from_a_new_daemon_are_kept() -> None:
    sent = ImagesDiskUsage(active_count=1, total_count=4, reclaimable=7, total_size=9)
    usage = SystemDataUsageResponse(image_usage=sent)
    assert fill_usage_summaries(usage).image_usage is sent
    assert usage.volume_usage is None  # not the list-only form: nothing invented


def test_one_type_given_as_a_string_counts_as_a_list_of_it() -> None:
    only = fill_usage_summaries(decode(LEGACY), "volume")
    assert only.volume_usage is not None and only.volume_usage.total_count == 3
    assert only.image_usage is None and only.container_usage is None


@pytest.mark.anyio
async def test_df_with_one_type_as_a_string_sends_and_fills_it_like_a_list(
    anyio_backend: str,
) -> None:
    """API 1.42-1.51 (the 1.41 test daemon refuses `type`): same query, same summary."""

    async def answer(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        body = b"OK" if request.target == "/_ping" else LEGACY
        await stream.send(response(200, body, headers={"Api-Version": "1.45"}))
        return True

    async with fake_engine(answer) as engine, Docker(engine.host) as docker:
        as_list = await docker.system.df(type=["volume"])
        as_str = await docker.system.df(type="volume")
    assert [r.target for r in engine.requests[1:]] == ["/v1.45/system/df?type=volume"] * 2
    for usage in (as_list, as_str):
        assert usage.volume_usage is not None and usage.volume_usage.total_size == 4096 + 8192
        assert usage.image_usage is None
