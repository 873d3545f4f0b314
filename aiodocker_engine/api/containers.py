"""Containers: list, create, run, inspect, lifecycle (start, stop, kill, wait, …), update, prune.

Logs, attach, export and archives live in `_container_io.py`; the run flow in `_run.py`.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Literal, overload

from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._container_io import ContainerIoApi
from aiodocker_engine.api._create import create_request
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters, terminal_size
from aiodocker_engine.api._run import RunResult, RunStream, run_container, run_streaming
from aiodocker_engine.api._stdin import Stdin
from aiodocker_engine.api._wait import ContainerWaiter
from aiodocker_engine.models import (
    ContainerCreateRequest,
    ContainerCreateResponse,
    ContainerInspectResponse,
    ContainerPruneResponse,
    ContainerStatsResponse,
    ContainerSummary,
    ContainerTopResponse,
    ContainerUpdateRequest,
    ContainerUpdateResponse,
    ContainerWaitResponse,
    FilesystemChange,
)
from aiodocker_engine.streams._messages import MessageStream

__all__ = ["ContainersApi"]

WaitCondition = Literal["not-running", "next-exit", "removed"]


class ContainersApi(ContainerIoApi):
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
        request, set_fields = create_request(body, fields)
        return await self._docker._json(
            "ContainerCreate",
            "POST",
            "/containers/create",
            ContainerCreateResponse,
            query={"name": name, "platform": platform},
            body=request,
            fields=set_fields,
        )

    @overload
    async def run(
        self,
        image: str,
        cmd: builtins.list[str] | str | None = None,
        *,
        name: str | None = None,
        platform: str | None = None,
        stdin: Stdin = None,
        detach: Literal[False] = False,
        remove: bool = False,
        check: bool = False,
        pull: bool = True,
        **fields: Any,
    ) -> RunResult: ...

    @overload
    async def run(
        self,
        image: str,
        cmd: builtins.list[str] | str | None = None,
        *,
        name: str | None = None,
        platform: str | None = None,
        stdin: None = None,
        detach: Literal[True],
        remove: bool = False,
        check: bool = False,
        pull: bool = True,
        **fields: Any,
    ) -> ContainerCreateResponse: ...

    @overload
    async def run(
        self,
        image: str,
        cmd: builtins.list[str] | str | None = None,
        *,
        name: str | None = None,
        platform: str | None = None,
        stdin: Stdin = None,
        detach: bool,
        remove: bool = False,
        check: bool = False,
        pull: bool = True,
        **fields: Any,
    ) -> RunResult | ContainerCreateResponse: ...

    async def run(
        self,
        image: str,
        cmd: builtins.list[str] | str | None = None,
        *,
        name: str | None = None,
        platform: str | None = None,
        stdin: Stdin = None,
        detach: bool = False,
        remove: bool = False,
        check: bool = False,
        pull: bool = True,
        **fields: Any,
    ) -> RunResult | ContainerCreateResponse:
        """`docker run`: create (pulling a missing image), attach, start, wait.

        Returns RunResult(exit_code, stdout, stderr), or with `detach=True` the created
        (and started) container. `stdin` (bytes or an async iterable) is streamed in and
        then closed. `remove=True` removes the container afterwards, also when the caller
        is cancelled; with `detach=True` it sets `auto_remove` (the daemon removes the
        container when it exits, as `docker run -d --rm`). `check=True` raises
        ContainerError on a non-zero exit. Other keywords
        are `create` fields. Output is collected in memory: use `run_streaming` for long
        or large output.
        """
        if cmd is not None:
            fields["cmd"] = cmd
        return await run_container(
            self,
            image,
            name=name,
            platform=platform,
            stdin=stdin,
            detach=detach,
            remove=remove,
            check=check,
            pull=pull,
            fields=fields,
        )

    def run_streaming(
        self,
        image: str,
        cmd: builtins.list[str] | str | None = None,
        *,
        name: str | None = None,
        platform: str | None = None,
        stdin: Stdin = None,
        remove: bool = False,
        pull: bool = True,
        **fields: Any,
    ) -> AbstractAsyncContextManager[RunStream]:
        """`docker run` with live output: `async with ... as run:` iterate frames, then
        `await run.wait()` for the exit code (inside the block when the container goes
        with it: `remove=True` or `auto_remove=True`). Removal as in `run`."""
        if cmd is not None:
            fields["cmd"] = cmd
        return run_streaming(
            self,
            image,
            name=name,
            platform=platform,
            stdin=stdin,
            remove=remove,
            pull=pull,
            fields=fields,
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
            query={"t": t, "signal": signal},
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
            query={"t": t, "signal": signal},
            time_limit=None,
        )

    async def kill(self, container: str, *, signal: str | int = "SIGKILL") -> None:
        """Send a signal, by name ("SIGHUP", "HUP") or number (9); Conflict if not running."""
        await self._docker._empty(
            "ContainerKill",
            "POST",
            f"/containers/{quote_path(container)}/kill",
            query={"signal": signal},
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
            query=terminal_size(h, w, "containers.resize"),
        )

    async def wait(
        self, container: str, *, condition: WaitCondition | None = None
    ) -> ContainerWaitResponse:
        """Block until the container stops (or `condition`), then return its exit status.

        Never bounded by the client timeout. Cancelling leaves the container untouched.
        `next-exit` and `removed` only see what happens after the daemon registered the
        wait: to wait for the exit of a start you are about to make, use `waiting`.
        """
        return await self._docker._json(
            "ContainerWait",
            "POST",
            f"/containers/{quote_path(container)}/wait",
            ContainerWaitResponse,
            query={"condition": condition},
            time_limit=None,
        )

    @asynccontextmanager
    async def waiting(
        self, container: str, *, condition: WaitCondition | None = None
    ) -> AsyncIterator[ContainerWaiter]:
        """Register a wait with the daemon, then run the block; `await w.result()` in it.

        On entering, the daemon has registered the wait (its answer's head is here), so a
        start or restart made inside the block cannot exit unseen::

            async with docker.containers.waiting(cid, condition="next-exit") as exited:
                await docker.containers.start(cid)
                status = await exited.result()

        The head is bounded by the client timeout, `result()` is not. Leaving the block
        closes the request, which cancels the daemon's wait; the container is untouched.
        """
        response = await self._docker._send(
            "ContainerWait",
            "POST",
            f"/containers/{quote_path(container)}/wait",
            query={"condition": condition},
            buffered=False,
            detach=True,  # the block's start must not wait for the slot this wait holds
        )
        waiter = ContainerWaiter(container, response)
        try:
            yield waiter
        finally:
            await waiter.aclose()

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

    def stats(
        self, container: str, *, stream: bool = True, one_shot: bool | None = None
    ) -> MessageStream[ContainerStatsResponse]:
        """Resource usage samples of a container, one about every second while `stream`.

        Returns a `MessageStream` (async iterator and async context manager) of
        `ContainerStatsResponse`. Each streamed sample carries the previous reading in
        `precpu_stats`, so `aiodocker_engine.stats.summarize(sample)` gives the CPU % at
        once. `stream=False` yields a single sample after about a second (the daemon
        takes two readings); add `one_shot=True` (API 1.41+) to get it at once, with an
        empty `precpu_stats`. A container that is not running yields zeroed samples.

        Connections: an open stats stream holds one pooled connection until it is left,
        counted against the client's `max_connections` (default 100). Requests that find
        every connection taken wait in FIFO order behind streams still being opened, so
        keep open streams plus concurrent calls below `max_connections`, or give long
        watches of many containers their own `Docker(max_connections=...)` client
        (docs/monitoring.md). Leave the `async with` block to close the connection at
        once. NotFound is raised when the stream opens if there is no such container.
        """
        if one_shot and stream:
            raise ValueError("containers.stats(): one_shot=True needs stream=False")
        return self._docker._messages(
            "ContainerStats",
            "GET",
            f"/containers/{quote_path(container)}/stats",
            ContainerStatsResponse,
            query={"stream": None if stream else False, "one-shot": one_shot or None},
        )

    async def stats_once(self, container: str) -> ContainerStatsResponse:
        """One resource usage sample, without waiting for a second reading where possible.

        Uses `one-shot` on API 1.41+ (answers at once, `precpu_stats` empty: compute CPU %
        from two samples with `stats.cpu_percent(later, previous=earlier)`); older APIs
        get `stream=false`, which takes about a second and fills `precpu_stats`.
        """
        version = await self._docker.negotiate()
        major, minor = (int(part) for part in version.split("."))
        return await self._docker._json(
            "ContainerStats",
            "GET",
            f"/containers/{quote_path(container)}/stats",
            ContainerStatsResponse,
            query={"stream": False, "one-shot": True if (major, minor) >= (1, 41) else None},
            empty=ContainerStatsResponse(),  # Podman's answer for a stopped container
        )
