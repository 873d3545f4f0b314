"""System: ping, version, info, disk usage and registry login."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import msgspec

from aiodocker_engine import errors
from aiodocker_engine._timestamps import daemon_time
from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._disk_usage import fill_usage_summaries
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._query import Filters
from aiodocker_engine.models import (
    AuthConfig,
    AuthResponse,
    EventMessage,
    SystemDataUsageResponse,
    SystemInfo,
    SystemVersion,
)
from aiodocker_engine.streams._events import Event, EventStream
from aiodocker_engine.streams._messages import MessageStream
from aiodocker_engine.transport._base import Response

if TYPE_CHECKING:
    from aiodocker_engine.client import Docker

__all__ = ["Event", "EventStream", "PingInfo", "SystemApi"]

DataUsageType = Literal["container", "image", "volume", "build-cache"]


class PingInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What `GET /_ping` says in its headers (the body is just "OK")."""

    api_version: str | None = None
    os_type: str | None = None
    experimental: bool = False
    builder_version: str | None = None
    swarm: str | None = None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> PingInfo:
        return cls(
            api_version=headers.get("api-version"),
            os_type=headers.get("ostype"),
            experimental=headers.get("docker-experimental", "").lower() == "true",
            builder_version=headers.get("builder-version"),
            swarm=headers.get("swarm"),
        )


class SystemApi(ApiGroup):
    """Engine-wide calls: `docker.system`."""

    async def ping(self) -> PingInfo:
        """`GET /_ping`: the daemon answers; its headers tell API version, OS, swarm state.

        Also kept as `docker.ping_info` (the latest ping's answer).
        """
        response = await self._docker._send("SystemPing", "GET", "/_ping")
        await response.aclose()
        info = self._docker.ping_info = PingInfo.from_headers(response.headers)
        return info

    async def ping_head(self) -> PingInfo:
        """`HEAD /_ping`: like `ping()` without a body (also kept as `docker.ping_info`)."""
        response = await self._docker._send("SystemPingHead", "HEAD", "/_ping")
        await response.aclose()
        info = self._docker.ping_info = PingInfo.from_headers(response.headers)
        return info

    async def version(self) -> SystemVersion:
        """Versions of the engine and its components."""
        return await self._docker._json("SystemVersion", "GET", "/version", SystemVersion)

    async def info(self) -> SystemInfo:
        """System-wide information: counts, drivers, resources, swarm state, warnings."""
        return await self._docker._json("SystemInfo", "GET", "/info", SystemInfo)

    async def df(
        self,
        *,
        type: DataUsageType | list[DataUsageType] | None = None,
        verbose: bool | None = None,
    ) -> SystemDataUsageResponse:
        """Disk usage of images, containers, volumes and build cache.

        Read the per-type summaries `image_usage`, `container_usage`, `volume_usage` and
        `build_cache_usage` (active and total counts, total size, reclaimable bytes,
        items): daemons before API 1.52 send only the lists (`images`, `containers`,
        `volumes`, `build_cache`, `layers_size`), and the summaries are then computed
        from them as `docker system df` does, so the same fields work on every version.
        `type` limits the answer to some object types, one ("volume") or a list (API 1.42+;
        VersionError before sending on older ones). The daemon walks every layer and
        volume to size them: this can take long on a big host and is not bounded by the
        client timeout.
        """
        types = [type] if isinstance(type, str) else type
        result: SystemDataUsageResponse = await self._docker._json(
            "SystemDataUsage",
            "GET",
            "/system/df",
            SystemDataUsageResponse,
            query={"type": types, "verbose": verbose or None},  # False is the default
            time_limit=None,
        )
        return fill_usage_summaries(result, types)

    def events(
        self,
        *,
        filters: Filters | None = None,
        since: datetime | int | float | str | None = None,
        until: datetime | int | float | str | None = None,
        resume: bool | None = None,
        reconnect_timeout: float = 60.0,
    ) -> EventStream:
        """Daemon events as they happen: `async with docker.system.events() as events:`.

        Returns an `EventStream` of `Event`s (type, action, actor, scope, `time` as an
        aware UTC datetime, `time_nano`). `filters` keys: type, event, container, image,
        label, network, volume, daemon, plugin, node, service, secret, config, scope.
        `since`/`until` take an aware datetime, epoch seconds (int or float) or text as
        the CLI reads it ("10m" before now, an RFC 3339 time); with `until` the stream
        ends at that time, otherwise it never ends by itself.

        `resume` (default: on when `until` is None) reconnects after the connection
        breaks or the daemon restarts, from the last delivered event's `time_nano`,
        dropping replayed copies, so nothing is delivered twice. It retries with
        backoff (0.05 s doubling to 2 s) and raises ConnectionFailed once the daemon has
        been unreachable for `reconnect_timeout` seconds (default 60). The daemon keeps
        only its last 256 events, in memory: events published by a daemon that then
        restarted, after our connection broke, cannot be recovered.

        The stream holds one pooled connection while open and is never bounded by the
        client timeout (only the wait for each response head is). Leave the `async
        with` block (or call `aclose()`) to close it at once; a bare `async for` that
        breaks out gives the connection back only at the next request after the stream
        was collected. A first connection that fails raises at once.
        """
        until_text = daemon_time(until, "events(until)")
        docker: Docker = self._docker

        def opener(since_text: str | None) -> MessageStream[EventMessage]:
            return docker._messages(
                "SystemEvents",
                "GET",
                "/events",
                EventMessage,
                query={"since": since_text, "until": until_text, "filters": filters or None},
            )

        return EventStream(
            opener,
            since=daemon_time(since, "events(since)"),
            resume=until is None if resume is None else resume,
            bounded=until is not None,
            reconnect_timeout=reconnect_timeout,
        )

    async def auth(
        self,
        config: AuthConfig | Mapping[str, str] | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        serveraddress: str | None = None,
    ) -> AuthResponse:
        """Check credentials against a registry (`docker login`); nothing is stored.

        `config` is a `models.AuthConfig` or a mapping of its fields (`{"username": ...,
        "password": ..., "serveraddress": ...}`, as `images.pull` takes); keywords are
        merged into it. An unknown key raises TypeError, a wrongly typed value ValueError,
        and `email` on API 1.52+ VersionError, all before sending.

        Rejected credentials raise Unauthorized, with the daemon's status and text: newer
        daemons answer 401, Docker 20.10 answers 500 "login attempt to ... failed with
        status: 401 Unauthorized". A registry that cannot be reached raises ServerError.
        The password never appears in errors or reprs raised from here.
        """
        if isinstance(config, Mapping):
            # AuthConfig's wire names are its attribute names, so either spelling fits.
            config, _ = build_body(AuthConfig, None, config, where="system.auth")
        elif config is not None and not isinstance(config, AuthConfig):
            raise TypeError(
                f"system.auth() takes an AuthConfig or a mapping, not {type(config).__name__}"
            )
        fields = {"username": username, "password": password, "serveraddress": serveraddress}
        request, set_fields = build_body(AuthConfig, config, fields, where="system.auth")
        try:
            return await self._docker._json(
                "SystemAuth",
                "POST",
                "/auth",
                AuthResponse,
                body=request,
                fields=set_fields,
                time_limit=None,
            )
        except errors.ServerError as exc:
            if "failed with status: 401" not in exc.message:
                raise
            raise errors.Unauthorized(
                exc.status, exc.message, method=exc.method, path=exc.path
            ) from None

    # -- used by version negotiation: no version prefix, no gating -------------------

    async def _ping_unversioned(self) -> PingInfo:
        response = await self._raw("GET", "/_ping")
        return PingInfo.from_headers(response.headers)

    async def _version_unversioned(self) -> SystemVersion:
        response = await self._raw("GET", "/version")
        body = await response.read()
        try:
            decoded: SystemVersion = msgspec.json.decode(body, type=SystemVersion)
        except msgspec.DecodeError as exc:  # ValidationError too: JSON of another shape
            # Only asked when /_ping had no API-Version header, which every Docker
            # engine sends: an ordinary web server (or a proxy's login page) answers.
            docker: Docker = self._docker
            where = (
                docker._address.url
                if docker._address
                else f"the server behind {type(docker.transport).__name__}"
            )
            raise errors.ConnectionFailed(
                f"{where} is not a Docker engine: /_ping has no API-Version header and "
                f"GET /version answered {body[:80]!r} ({exc})",
                hint="check DOCKER_HOST (or host=): it must name the Docker daemon's socket "
                "or port, not another server",
            ) from exc
        return decoded

    async def _raw(self, method: str, path: str) -> Response:
        docker: Docker = self._docker
        response = await docker._send("SystemPing", method, path, versioned=False, buffered=True)
        await response.aclose()
        return response
