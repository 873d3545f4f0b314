"""Swarm services and their tasks: create, inspect, list, update, remove, and their logs.

Logs of services and tasks are the container log format: multiplexed stdout/stderr
frames unless the service's containers have a TTY. From API 1.42 the daemon says
which in the Content-Type; before (Docker 20.10 says raw-stream whatever the TTY)
the service's or task's own spec decides, read by one inspect unless `tty=` is given.
"""

from __future__ import annotations

import builtins
from typing import Any, Literal

from aiodocker_engine._timestamps import daemon_time
from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._container_io import Since, tty_before_stream
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.api._registry_auth import registry_auth_header
from aiodocker_engine.api.images import Auth
from aiodocker_engine.models import (
    EndpointSpec,
    NetworkAttachmentConfig,
    Service,
    ServiceCreateResponse,
    ServiceSpec,
    ServiceSpecMode,
    ServiceSpecRollbackConfig,
    ServiceSpecUpdateConfig,
    ServiceUpdateResponse,
    Task,
    TaskSpec,
)
from aiodocker_engine.streams._messages import Opener
from aiodocker_engine.streams._output import FrameStream, TtyHint
from aiodocker_engine.transport._base import Response

# The parts of a service spec whose own fields changed over API versions.
_GATED = ("task_template", "mode", "update_config", "rollback_config", "endpoint_spec")

__all__ = ["ServicesApi", "TasksApi"]


def _spec_tty(spec: TaskSpec | None) -> bool:
    container = spec.container_spec if spec is not None else None
    return bool(container is not None and container.tty)


class _LogsMixin(ApiGroup):
    __slots__ = ()

    def _api_version(self) -> tuple[int, int]:
        version = self._docker._version
        assert version is not None, "the stream opener negotiates before framing is decided"
        return version

    def _log_stream(
        self,
        operation: str,
        path: str,
        *,
        tty: TtyHint,
        what: str,
        stdout: bool,
        stderr: bool,
        follow: bool,
        since: Since | None,
        tail: int | str | None,
        timestamps: bool,
        details: bool,
    ) -> FrameStream:
        if not (stdout or stderr):
            raise ValueError(f"{what}: ask for stdout, stderr or both")
        query: dict[str, object] = {
            "details": details or None,
            "follow": follow or None,
            "stdout": stdout or None,
            "stderr": stderr or None,
            "since": daemon_time(since, f"{what}: since"),
            "timestamps": timestamps or None,
            "tail": tail,
        }

        async def opener() -> Response:
            return await self._docker._send(operation, "GET", path, query=query, buffered=False)

        send: Opener = opener
        if callable(tty):
            send, tty = tty_before_stream(self._docker, opener, tty)
        return FrameStream(
            send, api_version=self._api_version, tty=tty, timestamps=timestamps, what=what
        )


class ServicesApi(_LogsMixin):
    """Swarm services: `docker.services` (needs a swarm manager; else Unavailable)."""

    __slots__ = ()

    async def list(
        self, *, filters: Filters | None = None, status: bool = False
    ) -> builtins.list[Service]:
        """Services (filters: id, label, mode, name); `status=True` adds running/desired
        task counts in `service_status` (API 1.41+)."""
        result: builtins.list[Service] | None = await self._docker._json(
            "ServiceList",
            "GET",
            "/services",
            builtins.list[Service] | None,
            query={"filters": filters or None, "status": status or None},
        )
        return result or []

    async def _auth_headers(self, image: str | None, auth: Auth | bool | None) -> dict[str, str]:
        """`X-Registry-Auth` for the service's image: given, looked up (True), or none."""
        if auth is None or auth is False:
            return {}
        if not image:
            raise ValueError("registry credentials need the service's image (container_spec)")
        given = None if auth is True else auth
        return {"X-Registry-Auth": await registry_auth_header(self._docker, image, given)}

    async def create(
        self,
        body: ServiceSpec | None = None,
        *,
        name: str | None = None,
        labels: dict[str, str] | None = None,
        task_template: TaskSpec | None = None,
        mode: ServiceSpecMode | None = None,
        update_config: ServiceSpecUpdateConfig | None = None,
        rollback_config: ServiceSpecRollbackConfig | None = None,
        networks: builtins.list[NetworkAttachmentConfig] | None = None,
        endpoint_spec: EndpointSpec | None = None,
        auth: Auth | bool | None = None,
    ) -> ServiceCreateResponse:
        """Create a service; returns its id and the daemon's warnings.

        The containers are described by `task_template=TaskSpec(container_spec=
        TaskSpecContainerSpec(image=..., args=[...]))`; without `mode` the service has
        one replica. `auth` sends registry credentials for the image to the nodes (as
        `--with-registry-auth`): a `RegistryAuth`/dict, or True to use the docker config.
        A taken name raises Conflict; a daemon that is no swarm manager, Unavailable.
        """
        fields: dict[str, Any] = {
            "name": name,
            "labels": labels,
            "task_template": task_template,
            "mode": mode,
            "update_config": update_config,
            "rollback_config": rollback_config,
            "networks": networks,
            "endpoint_spec": endpoint_spec,
        }
        request, set_fields = build_body(
            ServiceSpec, body, fields, gated=_GATED, where="services.create"
        )
        if request.task_template is None:
            raise ValueError("services.create() needs a task_template")
        headers = await self._auth_headers(_image_of(request), auth)
        return await self._docker._json(
            "ServiceCreate",
            "POST",
            "/services/create",
            ServiceCreateResponse,
            body=request,
            headers=headers or None,
            fields=set_fields,
        )

    async def inspect(self, service: str, *, insert_defaults: bool = False) -> Service:
        """One service by id, id prefix or name; NotFound if none matches.

        `insert_defaults=True` fills the spec with the values the swarm assumes for
        fields left empty (API 1.29+).
        """
        return await self._docker._json(
            "ServiceInspect",
            "GET",
            f"/services/{quote_path(service)}",
            Service,
            query={"insertDefaults": insert_defaults or None},
        )

    async def remove(self, service: str) -> None:
        """Remove a service; its tasks' containers are stopped and removed asynchronously."""
        await self._docker._empty("ServiceDelete", "DELETE", f"/services/{quote_path(service)}")

    async def update(
        self,
        service: str,
        body: ServiceSpec | None = None,
        *,
        version: int,
        name: str | None = None,
        labels: dict[str, str] | None = None,
        task_template: TaskSpec | None = None,
        mode: ServiceSpecMode | None = None,
        update_config: ServiceSpecUpdateConfig | None = None,
        rollback_config: ServiceSpecRollbackConfig | None = None,
        networks: builtins.list[NetworkAttachmentConfig] | None = None,
        endpoint_spec: EndpointSpec | None = None,
        registry_auth_from: Literal["spec", "previous-spec"] | None = None,
        rollback: Literal["previous"] | None = None,
        auth: Auth | bool | None = None,
    ) -> ServiceUpdateResponse:
        """Replace a service's spec; returns the daemon's warnings.

        The spec is replaced as a whole: start from `(await inspect(id)).spec` and pass
        `version=service.version.index` from the same inspect (a stale version raises).
        Tasks are replaced only when the task template changes; bump
        `task_template.force_update` to force it. `rollback="previous"` goes back to
        the previous spec; the daemon still checks the body sent along, so without one
        the service's current spec is sent (one inspect), as `docker service rollback`
        does. Credentials as for `create`, or
        `registry_auth_from` to reuse the ones stored with the (previous) spec.
        """
        fields: dict[str, Any] = {
            "name": name,
            "labels": labels,
            "task_template": task_template,
            "mode": mode,
            "update_config": update_config,
            "rollback_config": rollback_config,
            "networks": networks,
            "endpoint_spec": endpoint_spec,
        }
        if rollback is not None and body is None and all(v is None for v in fields.values()):
            # dockerd converts the body to swarmkit's spec before it rolls back, and an
            # empty one fails that ("mismatched Runtime and *Spec fields").
            body = (await self.inspect(service)).spec
        request, set_fields = build_body(
            ServiceSpec, body, fields, gated=_GATED, where="services.update"
        )
        headers = await self._auth_headers(_image_of(request), auth)
        return await self._docker._json(
            "ServiceUpdate",
            "POST",
            f"/services/{quote_path(service)}/update",
            ServiceUpdateResponse,
            query={
                "version": version,
                "registryAuthFrom": registry_auth_from,
                "rollback": rollback,
            },
            body=request,
            headers=headers or None,
            fields=set_fields,
        )

    def logs(
        self,
        service: str,
        *,
        stdout: bool = True,
        stderr: bool = True,
        follow: bool = False,
        since: Since | None = None,
        tail: int | str | None = None,
        timestamps: bool = False,
        details: bool = False,
        tty: bool | None = None,
    ) -> FrameStream:
        """The logs of every task of a service, as frames (`async with` it, or iterate it).

        Lines of all tasks arrive interleaved. `details=True` prefixes each line with
        the task's context ("com.docker.swarm.node.id=...,com.docker.swarm.service.id=
        ...,com.docker.swarm.task.id=... "). Before API 1.42 the framing follows the
        service's TTY setting: pass `tty=` when you know it to save an inspect. The log
        driver must support reading (json-file, local, journald); follow ends only when
        you leave the stream.
        """

        async def service_tty() -> bool:
            info = await self.inspect(service)
            return _spec_tty(info.spec.task_template if info.spec is not None else None)

        return self._log_stream(
            "ServiceLogs",
            f"/services/{quote_path(service)}/logs",
            tty=service_tty if tty is None else tty,
            what=f"logs of service {service}",
            stdout=stdout,
            stderr=stderr,
            follow=follow,
            since=since,
            tail=tail,
            timestamps=timestamps,
            details=details,
        )


class TasksApi(_LogsMixin):
    """Swarm tasks, the containers a service schedules: `docker.tasks`."""

    __slots__ = ()

    async def list(self, *, filters: Filters | None = None) -> builtins.list[Task]:
        """Tasks (filters: desired-state, id, label, name, node, service)."""
        result: builtins.list[Task] | None = await self._docker._json(
            "TaskList",
            "GET",
            "/tasks",
            builtins.list[Task] | None,
            query={"filters": filters or None},
        )
        return result or []

    async def inspect(self, task: str) -> Task:
        """One task by id or id prefix; NotFound if none matches."""
        return await self._docker._json("TaskInspect", "GET", f"/tasks/{quote_path(task)}", Task)

    def logs(
        self,
        task: str,
        *,
        stdout: bool = True,
        stderr: bool = True,
        follow: bool = False,
        since: Since | None = None,
        tail: int | str | None = None,
        timestamps: bool = False,
        details: bool = False,
        tty: bool | None = None,
    ) -> FrameStream:
        """One task's log as frames (API 1.29+); the same options as `services.logs`."""

        async def task_tty() -> bool:
            info = await self.inspect(task)
            return _spec_tty(info.spec)

        return self._log_stream(
            "TaskLogs",
            f"/tasks/{quote_path(task)}/logs",
            tty=task_tty if tty is None else tty,
            what=f"logs of task {task}",
            stdout=stdout,
            stderr=stderr,
            follow=follow,
            since=since,
            tail=tail,
            timestamps=timestamps,
            details=details,
        )


def _image_of(spec: ServiceSpec) -> str | None:
    template = spec.task_template
    if template is None:
        return None
    if template.container_spec is not None:
        return template.container_spec.image
    if template.plugin_spec is not None:
        return template.plugin_spec.remote
    return None
