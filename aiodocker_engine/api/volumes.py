"""Volumes: create, inspect, list, update, remove and prune."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.models import (
    ClusterVolumeSpec,
    Volume,
    VolumeCreateRequest,
    VolumeListResponse,
    VolumePruneResponse,
    VolumeUpdateRequest,
)

__all__ = ["VolumesApi"]


class VolumesApi(ApiGroup):
    """Volume operations: `docker.volumes`."""

    async def list(self, *, filters: Filters | None = None) -> VolumeListResponse:
        """Volumes and the daemon's warnings (filters: dangling, driver, label, name).

        `.volumes` is never None here: an empty list when there are none.
        """
        result: VolumeListResponse = await self._docker._json(
            "VolumeList",
            "GET",
            "/volumes",
            VolumeListResponse,
            query={"filters": filters or None},
        )
        if result.volumes is None:
            result.volumes = []
        return result

    async def create(
        self,
        body: VolumeCreateRequest | None = None,
        *,
        name: str | None = None,
        driver: str | None = None,
        driver_opts: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        cluster_volume_spec: ClusterVolumeSpec | None = None,
    ) -> Volume:
        """Create a volume (a random name when `name` is None; driver "local" by default).

        Creating a volume whose name exists returns the existing one, unchanged, as the
        daemon does; it is not an error. `cluster_volume_spec` (swarm CSI) needs API 1.42.
        """
        fields: dict[str, Any] = {
            "name": name,
            "driver": driver,
            "driver_opts": driver_opts,
            "labels": labels,
            "cluster_volume_spec": cluster_volume_spec,
        }
        request, set_fields = build_body(VolumeCreateRequest, body, fields, where="volumes.create")
        return await self._docker._json(
            "VolumeCreate",
            "POST",
            "/volumes/create",
            Volume,
            body=request,
            fields=set_fields,
            time_limit=None,
        )

    async def inspect(self, name: str) -> Volume:
        """One volume; NotFound if there is none by that name."""
        return await self._docker._json(
            "VolumeInspect", "GET", f"/volumes/{quote_path(name)}", Volume
        )

    async def update(
        self, name: str, *, version: int, spec: ClusterVolumeSpec | Mapping[str, Any]
    ) -> None:
        """Change a swarm cluster volume's spec (only `availability` may change); API 1.42+.

        `version` is the volume's `cluster_volume.version.index` from `inspect`, so two
        writers cannot overwrite each other. `spec` is a `models.ClusterVolumeSpec` or a
        mapping of its fields (`{"availability": "drain"}`); an unknown key raises
        TypeError, a wrong value ValueError, before anything is sent. On an older API
        this raises VersionError before sending; on a daemon that is not a swarm manager,
        Unavailable.
        """
        if type(version) is not int:
            raise TypeError(
                f"volumes.update(): version must be an int (the volume's "
                f"cluster_volume.version.index), got {version!r}"
            )
        request, set_fields = build_body(
            VolumeUpdateRequest, None, {"spec": spec}, where="volumes.update"
        )
        if request.spec is None:
            raise ValueError("volumes.update() needs a spec")
        await self._docker._empty(
            "VolumeUpdate",
            "PUT",
            f"/volumes/{quote_path(name)}",
            query={"version": version},
            body=request,
            fields=set_fields,
        )

    async def remove(self, name: str, *, force: bool = False) -> None:
        """Remove a volume; Conflict while a container (even a stopped one) uses it.

        `force` does not detach it from containers; it only ignores a missing volume
        and a failing volume driver.
        """
        await self._docker._empty(
            "VolumeDelete",
            "DELETE",
            f"/volumes/{quote_path(name)}",
            query={"force": force or None},
            time_limit=None,
        )

    async def prune(self, *, filters: Filters | None = None) -> VolumePruneResponse:
        """Remove volumes no container uses (filters: label, label!; `all` on API 1.42+).

        Without filters this removes every unused volume on the daemon, not just yours.
        From API 1.42 the daemon prunes only anonymous volumes unless the filter
        `{"all": True}` is given; API 1.41 and older prune named ones too (and refuse
        the `all` filter).
        """
        return await self._docker._json(
            "VolumePrune",
            "POST",
            "/volumes/prune",
            VolumePruneResponse,
            query={"filters": filters or None},
            time_limit=None,
        )
