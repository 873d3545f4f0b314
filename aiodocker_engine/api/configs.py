"""Swarm configs: create, inspect, list, update (labels only) and remove.

Unlike secrets, configs are not secret: `inspect` returns their data (base64, in
`spec.data`; `decode_data` turns it back into bytes). Configs need API 1.30.
"""

from __future__ import annotations

import base64
import builtins
from typing import Any

from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.api.secrets import encode_data
from aiodocker_engine.models import Config, ConfigCreateResponse, ConfigSpec, Driver

__all__ = ["ConfigsApi", "decode_data"]


def decode_data(config: Config) -> bytes:
    """The bytes of a config as `inspect` returned it (b"" when it has none)."""
    data = config.spec.data if config.spec is not None else None
    return base64.b64decode(data) if data else b""


class ConfigsApi(ApiGroup):
    """Swarm configs: `docker.configs` (needs a swarm manager; else Unavailable)."""

    async def list(self, *, filters: Filters | None = None) -> builtins.list[Config]:
        """Configs with their data (filters: id, label, name: a prefix match). Unlike
        `secrets.list`, no `names`: dockerd refuses it (400), whatever the spec says."""
        result: builtins.list[Config] | None = await self._docker._json(
            "ConfigList",
            "GET",
            "/configs",
            builtins.list[Config] | None,
            query={"filters": filters or None},
        )
        return result or []

    async def create(
        self,
        body: ConfigSpec | None = None,
        *,
        name: str | None = None,
        data: bytes | str | None = None,
        labels: dict[str, str] | None = None,
        templating: Driver | None = None,
    ) -> ConfigCreateResponse:
        """Create a config from `data` (bytes, or str as UTF-8); returns its id.

        A `body` spec carries its data already base64-encoded, as on the wire. A taken
        name raises Conflict; `templating` (API 1.37) names a template driver.
        """
        fields: dict[str, Any] = {
            "name": name,
            "data": encode_data(data, "configs.create"),
            "labels": labels,
            "templating": templating,
        }
        request, set_fields = build_body(ConfigSpec, body, fields, where="configs.create")
        if not request.name:
            raise ValueError("configs.create() needs a name")
        return await self._docker._json(
            "ConfigCreate",
            "POST",
            "/configs/create",
            ConfigCreateResponse,
            body=request,
            fields=set_fields,
        )

    async def inspect(self, config: str) -> Config:
        """One config by id or name, with its data; NotFound if there is none."""
        return await self._docker._json(
            "ConfigInspect", "GET", f"/configs/{quote_path(config)}", Config
        )

    async def remove(self, config: str) -> None:
        """Remove a config; refused (BadRequest/ServerError) while a service uses it."""
        await self._docker._empty("ConfigDelete", "DELETE", f"/configs/{quote_path(config)}")

    async def update(
        self,
        config: str,
        body: ConfigSpec | None = None,
        *,
        version: int,
        name: str | None = None,
        labels: dict[str, str] | None = None,
        data: bytes | str | None = None,
        templating: Driver | None = None,
    ) -> None:
        """Replace a config's spec; only `labels` may change (the rest must stay as is).

        Pass the current spec (`(await inspect(id)).spec`) with new `labels=` and
        `version=config.version.index` from the same inspect; other changes are refused.
        """
        fields: dict[str, Any] = {
            "name": name,
            "labels": labels,
            "data": encode_data(data, "configs.update"),
            "templating": templating,
        }
        request, _ = build_body(ConfigSpec, body, fields, where="configs.update")
        # Gated: only what is set here. A spec read back by inspect carries fields
        # (Driver, Templating) that an older API refuses in a new request, but an update
        # applies only the labels (swarmkit) and the daemon takes the rest as it is.
        _, set_fields = build_body(ConfigSpec, None, fields, where="configs.update")
        await self._docker._empty(
            "ConfigUpdate",
            "POST",
            f"/configs/{quote_path(config)}/update",
            query={"version": version},
            body=request,
            fields=set_fields,
        )
