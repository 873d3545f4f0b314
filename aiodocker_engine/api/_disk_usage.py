"""Disk usage summaries per object type, computed from older daemons' `/system/df` lists.

API 1.52 answers `/system/df` with one summary per object type (`ImageUsage`,
`ContainerUsage`, `VolumeUsage`, `BuildCacheUsage`: active and total counts, total size,
reclaimable bytes, and the items when asked with `verbose`). Older daemons send only the
lists (`Images`, `Containers`, `Volumes`, `BuildCache`, plus `LayersSize`). So that a caller
reads the same fields on every version, the summaries are filled in from the lists the way
the docker CLI computes its `docker system df` table (cli/command/formatter/disk_usage.go):

1. Images: total size is `LayersSize` (shared layers counted once); an image is active when
   a container uses it; reclaimable is the total minus `Size - SharedSize` of active images.
2. Containers: size is the sum of `SizeRw`; active means running, paused or restarting;
   reclaimable is the `SizeRw` of the others.
3. Volumes: size is the sum of `UsageData.Size` (-1, unknown, counts as 0); active means
   `UsageData.RefCount > 0`; reclaimable is the size of the others.
4. Build cache: size is the sum of `Size` of records that are not shared; active means
   `InUse`; reclaimable is the size of records neither in use nor shared.

A summary the daemon sent itself is kept as it is.
"""

from __future__ import annotations

from collections.abc import Collection

from aiodocker_engine.models import (
    BuildCacheDiskUsage,
    ContainersDiskUsage,
    ImagesDiskUsage,
    SystemDataUsageResponse,
    Volume,
    VolumesDiskUsage,
)

_ALL = ("image", "container", "volume", "build-cache")


def _volume_size(volume: Volume) -> int:
    data = volume.usage_data
    return max(data.size or 0, 0) if data is not None else 0


def _volume_in_use(volume: Volume) -> bool:
    data = volume.usage_data
    return data is not None and (data.ref_count or 0) > 0


__all__ = ["fill_usage_summaries"]


def fill_usage_summaries(
    usage: SystemDataUsageResponse, types: str | Collection[str] | None = None
) -> SystemDataUsageResponse:
    """Fill `image_usage`, `container_usage`, `volume_usage`, `build_cache_usage` (in place).

    Only for an answer in the older, list-only form, and only for the object types asked
    for (`types`: one type, a collection of them, or None for all four); a list the daemon
    left out counts as empty.
    """
    legacy = any(
        value is not None
        for value in (
            usage.layers_size,
            usage.images,
            usage.containers,
            usage.volumes,
            usage.build_cache,
        )
    )
    if not legacy:
        return usage
    wanted = {types} if isinstance(types, str) else set(types or _ALL)
    if usage.image_usage is None and "image" in wanted:
        images = usage.images or []
        active = [i for i in images if (i.containers or 0) > 0]
        total = usage.layers_size or 0
        used = sum(
            (i.size or 0) - (i.shared_size or 0)
            for i in active
            if i.size != -1 and i.shared_size != -1
        )
        usage.image_usage = ImagesDiskUsage(
            active_count=len(active),
            total_count=len(images),
            reclaimable=max(total - used, 0),
            total_size=total,
            items=images,
        )
    if usage.container_usage is None and "container" in wanted:
        containers = usage.containers or []
        busy = ("running", "paused", "restarting")
        active_c = [c for c in containers if any(s in (c.state or "") for s in busy)]
        idle = [c for c in containers if all(s not in (c.state or "") for s in busy)]
        usage.container_usage = ContainersDiskUsage(
            active_count=len(active_c),
            total_count=len(containers),
            reclaimable=sum(max(c.size_rw or 0, 0) for c in idle),
            total_size=sum(max(c.size_rw or 0, 0) for c in containers),
            items=containers,
        )
    if usage.volume_usage is None and "volume" in wanted:
        volumes = usage.volumes or []
        usage.volume_usage = VolumesDiskUsage(
            active_count=sum(1 for v in volumes if _volume_in_use(v)),
            total_count=len(volumes),
            reclaimable=sum(_volume_size(v) for v in volumes if not _volume_in_use(v)),
            total_size=sum(_volume_size(v) for v in volumes),
            items=volumes,
        )
    if usage.build_cache_usage is None and "build-cache" in wanted:
        records = usage.build_cache or []
        usage.build_cache_usage = BuildCacheDiskUsage(
            active_count=sum(1 for r in records if r.in_use),
            total_count=len(records),
            reclaimable=sum(r.size or 0 for r in records if not r.in_use and not r.shared),
            total_size=sum(r.size or 0 for r in records if not r.shared),
            items=records,
        )
    return usage
