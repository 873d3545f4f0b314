"""Distribution: what a registry holds for an image reference (manifest digest, platforms)."""

from __future__ import annotations

from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._registry_auth import registry_auth_header
from aiodocker_engine.api.images import Auth
from aiodocker_engine.models import DistributionInspect

__all__ = ["DistributionApi"]


class DistributionApi(ApiGroup):
    """Registry lookups through the daemon: `docker.distribution`."""

    async def inspect(self, image: str, *, auth: Auth | None = None) -> DistributionInspect:
        """The manifest descriptor and platforms the registry has for `image` (API 1.30+).

        The daemon asks the registry; nothing is pulled. `descriptor.digest` is what a
        pull by this reference would resolve to now. Credentials come from `auth` or
        the docker config for the image's registry. An unknown repository or tag
        raises (NotFound, Unauthorized or ServerError, as the registry answers).
        """
        header = await registry_auth_header(self._docker, image, auth)
        return await self._docker._json(
            "DistributionInspect",
            "GET",
            f"/distribution/{quote_path(image, safe='/:@')}/json",
            DistributionInspect,
            headers={"X-Registry-Auth": header},
        )
