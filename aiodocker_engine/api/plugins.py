"""Managed plugins: list, pull, create, inspect, enable, disable, configure, upgrade, push, remove.

A plugin is named by a reference like an image's ("vieux/sshfs:latest",
"localhost:5000/team/plugin:1"); a name without a tag means ":latest". Installing one
grants it privileges (host network, mounts, devices, capabilities): `privileges(remote)`
lists what it asks for, and `pull`/`upgrade` grant exactly the list they are given, so
review it first. Pull, upgrade and push answer with progress streams: `await` them for
the `ProgressResult`, or iterate their messages; registry errors arrive in band and raise
`ProgressError` (an `errors.StreamError`).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.api._registry_auth import registry_auth_header
from aiodocker_engine.api.images import Auth, TarSource, _upload
from aiodocker_engine.models import Plugin, PluginPrivilege, ProgressMessage
from aiodocker_engine.streams._progress import ProgressStream
from aiodocker_engine.transport._base import Response

__all__ = ["PluginsApi"]


def _path(name: str) -> str:
    return quote_path(name, safe="/:@")


def _settings(settings: Sequence[str] | Mapping[str, str]) -> builtins.list[str]:
    if isinstance(settings, Mapping):
        return [f"{key}={value}" for key, value in settings.items()]
    if isinstance(settings, str):
        raise TypeError("plugins.configure() takes a list of 'KEY=value' strings or a mapping")
    return list(settings)


class PluginsApi(ApiGroup):
    """Plugin operations: `docker.plugins` (Linux daemons; Windows has no managed plugins)."""

    async def list(self, *, filters: Filters | None = None) -> builtins.list[Plugin]:
        """Installed plugins (filters: capability, enabled; API 1.28+ for filters)."""
        result: builtins.list[Plugin] | None = await self._docker._json(
            "PluginList",
            "GET",
            "/plugins",
            builtins.list[Plugin] | None,
            query={"filters": filters or None},
        )
        return result or []

    async def privileges(
        self, remote: str, *, auth: Auth | None = None
    ) -> builtins.list[PluginPrivilege]:
        """What the plugin at `remote` asks to be granted; fetched from its registry.

        Credentials come from `auth` or the docker config for the remote's registry, as
        for `pull`: without them a registry that needs a login answers with nothing to
        grant, and the daemon reports that as an empty list.
        """
        headers = {"X-Registry-Auth": await registry_auth_header(self._docker, remote, auth)}
        result: builtins.list[PluginPrivilege] | None = await self._docker._json(
            "GetPluginPrivileges",
            "GET",
            "/plugins/privileges",
            builtins.list[PluginPrivilege] | None,
            query={"remote": remote},
            headers=headers,
        )
        return result or []

    def _progress(
        self,
        operation: str,
        path: str,
        *,
        query: dict[str, object],
        auth_for: str,
        auth: Auth | None,
        privileges: Sequence[PluginPrivilege] | None = None,
    ) -> ProgressStream[ProgressMessage]:
        docker = self._docker

        async def opener() -> Response:
            headers = {"X-Registry-Auth": await registry_auth_header(docker, auth_for, auth)}
            return await docker._send(
                operation,
                "POST",
                path,
                query=query,
                json=list(privileges) if privileges is not None else None,
                headers=headers,
                buffered=False,
            )

        return ProgressStream(opener, ProgressMessage)

    def pull(
        self,
        remote: str,
        *,
        name: str | None = None,
        privileges: Sequence[PluginPrivilege] = (),
        auth: Auth | None = None,
    ) -> ProgressStream[ProgressMessage]:
        """Install the plugin at `remote` (disabled), granting it `privileges`.

        `name` installs it under another local name. The daemon refuses the install
        when `privileges` differs from what the plugin asks for (see `privileges()`).
        Credentials come from `auth` or the docker config for the remote's registry.
        Enable it afterwards with `enable()`.
        """
        return self._progress(
            "PluginPull",
            "/plugins/pull",
            query={"remote": remote, "name": name},
            auth_for=remote,
            auth=auth,
            privileges=privileges,
        )

    async def inspect(self, name: str) -> Plugin:
        """One installed plugin by name or id prefix; NotFound if none matches."""
        return await self._docker._json(
            "PluginInspect", "GET", f"/plugins/{_path(name)}/json", Plugin
        )

    async def remove(self, name: str, *, force: bool = False) -> None:
        """Uninstall a plugin; an enabled one needs `force=True`; NotFound if absent.

        The spec says the answer is the removed Plugin, but dockerd (20.10 to today)
        sends an empty 200: `inspect` first if you need what it was.
        """
        await self._docker._empty(
            "PluginDelete",
            "DELETE",
            f"/plugins/{_path(name)}",
            query={"force": force or None},
            time_limit=None,
        )

    async def enable(self, name: str, *, timeout: int = 0) -> None:
        """Start the plugin; `timeout` is how many seconds the daemon waits for it to answer.

        `timeout=0` (the default, as the Go client and docker-py send) sets no limit. It
        is always sent: dockerd parses the parameter as a number and answers 500 when it
        is missing. NotFound when no plugin has that name; a plugin that fails to start
        raises (ServerError, with the runtime's message). Not bounded by the client timeout.
        """
        await self._docker._empty(
            "PluginEnable",
            "POST",
            f"/plugins/{_path(name)}/enable",
            query={"timeout": timeout},
            time_limit=None,
        )

    async def disable(self, name: str, *, force: bool = False) -> None:
        """Stop the plugin; one in use (by a volume, a network) needs `force` (API 1.28+)."""
        await self._docker._empty(
            "PluginDisable",
            "POST",
            f"/plugins/{_path(name)}/disable",
            query={"force": force or None},
            time_limit=None,
        )

    def upgrade(
        self,
        name: str,
        remote: str,
        *,
        privileges: Sequence[PluginPrivilege] = (),
        auth: Auth | None = None,
    ) -> ProgressStream[ProgressMessage]:
        """Replace an installed, disabled plugin with the one at `remote` (API 1.26+).

        Settings are kept. `privileges` and credentials as for `pull`.
        """
        return self._progress(
            "PluginUpgrade",
            f"/plugins/{_path(name)}/upgrade",
            query={"remote": remote},
            auth_for=remote,
            auth=auth,
            privileges=privileges,
        )

    async def create(self, name: str, context: TarSource) -> None:
        """Create a plugin from a tar holding `config.json` and the `rootfs/` directory.

        `context` is tar bytes, an async iterable of them, or a tar file path (streamed,
        never read into memory). The plugin is created disabled. A malformed
        config.json raises (ServerError, BadRequest); a taken name raises Conflict.
        """
        body, closing = _upload(context, "plugins.create")
        try:
            await self._docker._empty(
                "PluginCreate",
                "POST",
                "/plugins/create",
                query={"name": name},
                body=body,
                headers={"Content-Type": "application/x-tar"},
                time_limit=None,
            )
        finally:
            if closing is not None:
                await closing.aclose()

    def push(self, name: str, *, auth: Auth | None = None) -> ProgressStream[ProgressMessage]:
        """Push a plugin to the registry its name points at (`await` it or iterate it).

        Credentials as for `pull`; a denied push raises `ProgressError` in band.
        """
        return self._progress(
            "PluginPush",
            f"/plugins/{_path(name)}/push",
            query={},
            auth_for=name,
            auth=auth,
        )

    async def configure(self, name: str, settings: Sequence[str] | Mapping[str, str]) -> None:
        """Set a plugin's settings: env values ("DEBUG=1"), args, mount and device sources.

        Only what the plugin's config marks settable may change, and only while it is
        disabled; anything else raises (ServerError or BadRequest naming the setting).
        """
        await self._docker._empty(
            "PluginSet",
            "POST",
            f"/plugins/{_path(name)}/set",
            json=_settings(settings),
        )
