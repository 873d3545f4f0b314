"""Swarm secrets: create, inspect, list, update (labels only) and remove.

The daemon never returns a secret's data: `inspect` and `list` leave `spec.data` empty.
Data travel base64-encoded in the spec; `create(data=b"...")` encodes bytes itself.
"""

from __future__ import annotations

import base64
import builtins
from typing import Any

from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.models import Driver, Secret, SecretCreateResponse, SecretSpec

__all__ = ["SecretsApi", "encode_data"]


def encode_data(data: bytes | str | None, where: str) -> str | None:
    """The spec's base64 `Data` from bytes (str is taken as UTF-8 text, not as base64)."""
    if data is None:
        return None
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"{where}: data must be bytes or str, not {type(data).__name__}")
    return base64.b64encode(bytes(data)).decode("ascii")


class SecretsApi(ApiGroup):
    """Swarm secrets: `docker.secrets` (needs a swarm manager; else Unavailable)."""

    async def list(self, *, filters: Filters | None = None) -> builtins.list[Secret]:
        """Secrets, without their data (filters: id, label, name, names)."""
        result: builtins.list[Secret] | None = await self._docker._json(
            "SecretList",
            "GET",
            "/secrets",
            builtins.list[Secret] | None,
            query={"filters": filters or None},
        )
        return result or []

    async def create(
        self,
        body: SecretSpec | None = None,
        *,
        name: str | None = None,
        data: bytes | str | None = None,
        labels: dict[str, str] | None = None,
        driver: Driver | None = None,
        templating: Driver | None = None,
    ) -> SecretCreateResponse:
        """Create a secret from `data` (bytes, or str as UTF-8); returns its id.

        A `body` spec carries its data already base64-encoded, as on the wire. A taken
        name raises Conflict. `driver` (API 1.31) names a secret store plugin instead
        of data; `templating` (1.37) a template driver such as "golang".
        """
        fields: dict[str, Any] = {
            "name": name,
            "data": encode_data(data, "secrets.create"),
            "labels": labels,
            "driver": driver,
            "templating": templating,
        }
        request, set_fields = build_body(SecretSpec, body, fields, where="secrets.create")
        if not request.name:
            raise ValueError("secrets.create() needs a name")
        return await self._docker._json(
            "SecretCreate",
            "POST",
            "/secrets/create",
            SecretCreateResponse,
            body=request,
            fields=set_fields,
        )

    async def inspect(self, secret: str) -> Secret:
        """One secret by id or name, without its data; NotFound if there is none."""
        return await self._docker._json(
            "SecretInspect", "GET", f"/secrets/{quote_path(secret)}", Secret
        )

    async def remove(self, secret: str) -> None:
        """Remove a secret; refused (BadRequest/ServerError) while a service uses it."""
        await self._docker._empty("SecretDelete", "DELETE", f"/secrets/{quote_path(secret)}")

    async def update(
        self,
        secret: str,
        body: SecretSpec | None = None,
        *,
        version: int,
        name: str | None = None,
        labels: dict[str, str] | None = None,
        data: bytes | str | None = None,
        driver: Driver | None = None,
        templating: Driver | None = None,
    ) -> None:
        """Replace a secret's spec; only `labels` may change (the rest must stay as is).

        Pass the current spec (`(await inspect(id)).spec`) with new `labels=` and
        `version=secret.version.index` from the same inspect. Changing the data or
        name is refused (InvalidArgument as BadRequest/ServerError): create a new
        secret and update the services instead.
        """
        fields: dict[str, Any] = {
            "name": name,
            "labels": labels,
            "data": encode_data(data, "secrets.update"),
            "driver": driver,
            "templating": templating,
        }
        request, _ = build_body(SecretSpec, body, fields, where="secrets.update")
        # Gated: only what is set here. A spec read back by inspect carries fields
        # (Driver, Templating) that an older API refuses in a new request, but an update
        # applies only the labels (swarmkit) and the daemon takes the rest as it is.
        _, set_fields = build_body(SecretSpec, None, fields, where="secrets.update")
        await self._docker._empty(
            "SecretUpdate",
            "POST",
            f"/secrets/{quote_path(secret)}/update",
            query={"version": version},
            body=request,
            fields=set_fields,
        )
