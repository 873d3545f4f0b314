"""`X-Registry-Auth` for the groups that reach registries besides images (plugins, services)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiodocker_engine._auth import RegistryAuth, check_registry, encode_auth_header, registry_of
from aiodocker_engine.api.images import Auth, split_reference

if TYPE_CHECKING:
    from aiodocker_engine.client import Docker

__all__ = ["registry_auth_header"]


async def registry_auth_header(docker: Docker, reference: str, auth: Auth | None) -> str:
    """The header for `reference`'s registry: `auth` if given, else the docker config's.

    Given credentials that name another registry are refused (they never travel to a
    registry not their own); none found gives "{}", which daemons up to 20.10 need.
    """
    registry = registry_of(split_reference(reference)[0])
    if auth is None:
        found = await docker.images.credentials.get(registry)
    else:
        found = RegistryAuth.coerce(auth)
        check_registry(found, registry)
    return encode_auth_header(found, registry)
