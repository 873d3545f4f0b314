"""The body of `containers.create`, built from a model and snake_case keywords."""

from __future__ import annotations

import shlex
from typing import Any

from aiodocker_engine.api._body import build_body
from aiodocker_engine.models import ContainerCreateRequest, HostConfig, NetworkingConfig

__all__ = ["create_request"]


def _split_command(value: Any) -> Any:
    # Like docker-py: a command given as one string is split the way a shell would.
    return shlex.split(value) if isinstance(value, str) else value


def create_request(
    body: ContainerCreateRequest | None, fields: dict[str, Any]
) -> tuple[ContainerCreateRequest, list[str]]:
    """The create body `containers.create` sends for these arguments, and its set fields."""
    for key in ("cmd", "entrypoint"):
        if key in fields:
            fields[key] = _split_command(fields[key])
    return build_body(
        ContainerCreateRequest,
        body,
        fields,
        nested={"host_config": HostConfig, "networking_config": NetworkingConfig},
        gated=("host_config", "healthcheck", "networking_config"),
        where="containers.create",
    )
