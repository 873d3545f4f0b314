"""Containers: list, create, inspect, lifecycle (start, stop, kill, wait, …), update and prune."""

from __future__ import annotations

import builtins
import shlex
from typing import Any, Literal

from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.models import (
    ContainerCreateRequest,
    ContainerCreateResponse,
    ContainerInspectResponse,
    ContainerPruneResponse,
    ContainerSummary,
    ContainerTopResponse,
    ContainerUpdateRequest,
    ContainerUpdateResponse,
    ContainerWaitResponse,
    FilesystemChange,
    HostConfig,
    NetworkingConfig,
)

__all__ = ["ContainersApi"]

WaitCondition = Literal["not-running", "next-exit", "removed"]


def _split_command(value: Any) -> Any:
    # Like docker-py: a command given as one string is split the way a shell would.
    return shlex.split(value) if isinstance(value, str) else value


class ContainersApi(ApiGroup):
    """Container operations: `docker.containers`."""

    async def list(
        self,
        *,
        all: bool = False,
        limit: int | None = None,
        size: bool = False,
        filters: Filters | None = None,
    ) -> list[ContainerSummary]:
        """Containers, running ones only unless `all=True`."""
        return await self._docker._json(
            "ContainerList",
            "GET",
            "/containers/json",
            list[ContainerSummary],
            query={
                "all": all or None,
                "limit": limit,
                "size": size or None,
                "filters": filters or None,
            },
        )

    async def create(
        self,
        body: ContainerCreateRequest | None = None,
        *,
        name: str | None = None,
        platform: str | None = None,
        **fields: Any,
    ) -> ContainerCreateResponse:
        """Create a container from a model or from snake_case fields of the create body.

        Fields of `HostConfig` may be given directly (`memory=...`, `binds=[...]`,
        `auto_remove=True`); `cmd` and `entrypoint` given as one string are split
        like a shell would. A missing image raises NotFound (`containers.run` pulls
        it); a taken name raises Conflict.
        """
        for key in ("cmd", "entrypoint"):
            if key in fields:
                fields[key] = _split_command(fields[key])
        request, set_fields = build_body(
            ContainerCreateRequest,
            body,
            fields,
            nested={"host_config": HostConfig, "networking_config": NetworkingConfig},
            where="containers.create",
        )
        return await self._docker._json(
            "ContainerCreate",
            "POST",
            "/containers/create",
            ContainerCreateResponse,
            query={"name": name, "platform": platform},
            body=request,
            fields=set_fields,
        )

    async def inspect(self, container: str, *, size: bool = False) -> ContainerInspectResponse:
        """Low-level information on a container; NotFound if there is none by that id or name."""
        return await self._docker._json(
            "ContainerInspect",
            "GET",
            f"/containers/{quote_path(container)}/json",
            ContainerInspectResponse,
            query={"size": size or None},
        )

    async def top(self, container: str, *, ps_args: str | None = None) -> ContainerTopResponse:
        """Processes running inside a container (`ps` output as titles and rows)."""
        return await self._docker._json(
            "ContainerTop",
            "GET",
            f"/containers/{quote_path(container)}/top",
            ContainerTopResponse,
            query={"ps_args": ps_args},
        )

    async def changes(self, container: str) -> builtins.list[FilesystemChange]:
        """Files added, changed or deleted in the container's filesystem (never None)."""
        result: builtins.list[FilesystemChange] | None = await self._docker._json(
            "ContainerChanges",
            "GET",
            f"/containers/{quote_path(container)}/changes",
            builtins.list[FilesystemChange] | None,
        )
        return result or []

    async def start(self, container: str, *, detach_keys: str | None = None) -> None:
        """Start a container; starting a running one is not an error (the daemon says 304)."""
        await self._docker._empty(
            "ContainerStart",
            "POST",
            f"/containers/{quote_path(container)}/start",
            query={"detachKeys": detach_keys},
        )

    async def stop(
        self, container: str, *, t: int | None = None, signal: str | int | None = None
    ) -> None:
        """Stop a container: `signal` (default SIGTERM), then SIGKILL after `t` seconds.

        Not bounded by the client timeout: the daemon bounds it by `t`.
        """
        await self._docker._empty(
            "ContainerStop",
            "POST",
            f"/containers/{quote_path(container)}/stop",
            query={"t": t, "signal": None if signal is None else str(signal)},
            time_limit=None,
        )

    async def restart(
        self, container: str, *, t: int | None = None, signal: str | int | None = None
    ) -> None:
        """Stop (as `stop` does) and start again."""
        await self._docker._empty(
            "ContainerRestart",
            "POST",
            f"/containers/{quote_path(container)}/restart",
            query={"t": t, "signal": None if signal is None else str(signal)},
            time_limit=None,
        )

    async def kill(self, container: str, *, signal: str | int = "SIGKILL") -> None:
        """Send a signal, by name ("SIGHUP", "HUP") or number (9); Conflict if not running."""
        await self._docker._empty(
            "ContainerKill",
            "POST",
            f"/containers/{quote_path(container)}/kill",
            query={"signal": str(signal)},
        )

    async def pause(self, container: str) -> None:
        """Freeze every process of the container (cgroup freezer)."""
        await self._docker._empty(
            "ContainerPause", "POST", f"/containers/{quote_path(container)}/pause"
        )

    async def unpause(self, container: str) -> None:
        """Thaw a paused container."""
        await self._docker._empty(
            "ContainerUnpause", "POST", f"/containers/{quote_path(container)}/unpause"
        )

    async def rename(self, container: str, name: str) -> None:
        """Give the container a new name; Conflict if the name is taken."""
        await self._docker._empty(
            "ContainerRename",
            "POST",
            f"/containers/{quote_path(container)}/rename",
            query={"name": name},
        )

    async def update(
        self, container: str, body: ContainerUpdateRequest | None = None, **fields: Any
    ) -> ContainerUpdateResponse:
        """Change resource limits and the restart policy of a container, live."""
        request, set_fields = build_body(
            ContainerUpdateRequest, body, fields, where="containers.update"
        )
        return await self._docker._json(
            "ContainerUpdate",
            "POST",
            f"/containers/{quote_path(container)}/update",
            ContainerUpdateResponse,
            body=request,
            fields=set_fields,
        )

    async def resize(self, container: str, *, h: int, w: int) -> None:
        """Resize the TTY of a container created with `tty=True`."""
        await self._docker._empty(
            "ContainerResize",
            "POST",
            f"/containers/{quote_path(container)}/resize",
            query={"h": h, "w": w},
        )

    async def wait(
        self, container: str, *, condition: WaitCondition | None = None
    ) -> ContainerWaitResponse:
        """Block until the container stops (or `condition`), then return its exit status.

        Never bounded by the client timeout. Cancelling leaves the container untouched.
        """
        return await self._docker._json(
            "ContainerWait",
            "POST",
            f"/containers/{quote_path(container)}/wait",
            ContainerWaitResponse,
            query={"condition": condition},
            time_limit=None,
        )

    async def remove(
        self,
        container: str,
        *,
        force: bool = False,
        v: bool = False,
        link: bool = False,
    ) -> None:
        """Remove a container; `force` kills it first, `v` removes its anonymous volumes."""
        await self._docker._empty(
            "ContainerDelete",
            "DELETE",
            f"/containers/{quote_path(container)}",
            query={"force": force or None, "v": v or None, "link": link or None},
            time_limit=None,
        )

    async def prune(self, *, filters: Filters | None = None) -> ContainerPruneResponse:
        """Remove stopped containers (matching `filters`); returns what was deleted and freed."""
        return await self._docker._json(
            "ContainerPrune",
            "POST",
            "/containers/prune",
            ContainerPruneResponse,
            query={"filters": filters or None},
            time_limit=None,
        )
