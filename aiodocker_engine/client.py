"""Docker: the client object; host resolution, API version negotiation and the request path.

Version negotiation (DESIGN "Version negotiation"): lazy and single-flight on the
first request, from the headers of an unversioned `GET /_ping`. The version used
is min(daemon's API-Version, the client maximum 1.55); a daemon below 1.25 is
refused with VersionError. `api_version=` or `DOCKER_API_VERSION` pins it and skips
the ping. Every request path then starts with `/v<version>`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, TypeVar

import anyio
import anyio.abc
import msgspec
from typing_extensions import Unpack

from aiodocker_engine import errors
from aiodocker_engine._deadline import Deadline
from aiodocker_engine._error_text import daemon_message
from aiodocker_engine._versions import (
    check_supported,
    format_version,
    negotiate_version,
    parse_version,
    require_operation,
    require_parameters,
)
from aiodocker_engine.api._query import encode_query
from aiodocker_engine.api.configs import ConfigsApi
from aiodocker_engine.api.containers import ContainersApi
from aiodocker_engine.api.distribution import DistributionApi
from aiodocker_engine.api.exec import ExecApi
from aiodocker_engine.api.images import ImagesApi
from aiodocker_engine.api.networks import NetworksApi
from aiodocker_engine.api.plugins import PluginsApi
from aiodocker_engine.api.secrets import SecretsApi
from aiodocker_engine.api.services import ServicesApi, TasksApi
from aiodocker_engine.api.session import SessionApi
from aiodocker_engine.api.swarm import NodesApi, SwarmApi
from aiodocker_engine.api.system import PingInfo, SystemApi
from aiodocker_engine.api.volumes import VolumesApi
from aiodocker_engine.streams._messages import MessageStream
from aiodocker_engine.transport._base import Body, Request, Response, Transport
from aiodocker_engine.transport._connect import make_connector
from aiodocker_engine.transport._host import EngineAddress, TLSConfig, resolve_host
from aiodocker_engine.transport._pool import PoolTransport

__all__ = ["Docker"]

T = TypeVar("T")

_UNSET: Any = object()
_JSON_HEADERS = {"Content-Type": "application/json"}
_encoder = msgspec.json.Encoder()


class SendOptions(TypedDict, total=False):
    """What a request carries besides its operation, method and path (see `Docker._send`)."""

    query: Mapping[str, object] | None
    body: Body | msgspec.Struct
    json: object
    headers: Mapping[str, str] | None
    fields: Iterable[str]
    time_limit: float | None


class Docker:
    """An async client for one Docker engine; use it as `async with Docker() as docker:`.

    `host` is `unix:///path`, `tcp://host:port` or `ssh://user@host`; without it the
    client looks where the docker CLI looks (DOCKER_HOST, DOCKER_CONTEXT, config.json,
    then /var/run/docker.sock). `timeout` bounds each ordinary call, from connect to
    the last body byte (None: no bound); streaming calls are bounded until their
    response head arrives, and waiting calls (wait, events) are never bounded.
    Creating the client does no I/O; the first request connects and negotiates.
    """

    def __init__(
        self,
        host: str | None = None,
        *,
        api_version: str | None = None,
        tls: TLSConfig | bool | None = None,
        timeout: float | None = 60,
        transport: Transport | None = None,
        max_connections: int = 100,
    ) -> None:
        self.timeout = timeout
        self._address: EngineAddress | None = None
        if transport is None:
            self._address = resolve_host(host, tls=tls)
            transport = PoolTransport(
                make_connector(self._address, connect_timeout=timeout),
                host_header=self._address.host_header,
                max_connections=max_connections,
            )
        self._transport: Transport = transport
        # A tcp:// path: the prefix of every target, as the Go client's base path.
        self._base = self._address.base_path if self._address else ""
        # The default pool enforces timeouts itself, cheaper than a scope around it.
        self._pool = transport if isinstance(transport, PoolTransport) else None
        pinned = api_version or os.environ.get("DOCKER_API_VERSION") or None
        self._version: tuple[int, int] | None = None
        self._prefix: str | None = None
        if pinned:
            source = "api_version=" if api_version else "DOCKER_API_VERSION"
            self._set_version(check_supported(parse_version(pinned, source=source), source=source))
        self._negotiation_lock = anyio.Lock()
        self._decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
        self.ping_info: PingInfo | None = None
        self.system = SystemApi(self)
        self.containers = ContainersApi(self)
        self.exec = ExecApi(self)
        self.images = ImagesApi(self)
        self.networks = NetworksApi(self)
        self.volumes = VolumesApi(self)
        self.swarm = SwarmApi(self)
        self.services = ServicesApi(self)
        self.nodes = NodesApi(self)
        self.tasks = TasksApi(self)
        self.secrets = SecretsApi(self)
        self.configs = ConfigsApi(self)
        self.plugins = PluginsApi(self)
        self.distribution = DistributionApi(self)
        self.session = SessionApi(self)

    def __repr__(self) -> str:
        where = self._address.url if self._address else type(self._transport).__name__
        version = format_version(self._version) if self._version else "not negotiated"
        return f"<Docker {where} API {version}>"

    async def __aenter__(self) -> Docker:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close idle connections; streams still open keep theirs until they are left."""
        await self._transport.aclose()

    @property
    def transport(self) -> Transport:
        return self._transport

    @property
    def api_version(self) -> str | None:
        """The API version in use ("1.41"), or None before the first request negotiated it."""
        return format_version(self._version) if self._version else None

    # -- version negotiation -------------------------------------------------------

    def _set_version(self, version: tuple[int, int]) -> None:
        self._version = version
        self._prefix = f"/v{format_version(version)}"

    async def negotiate(self) -> str:
        """Negotiate now (normally done by the first request); returns the version in use."""
        if self._prefix is None:
            async with self._negotiation_lock:
                if self._prefix is None:
                    self.ping_info = await self.system._ping_unversioned()
                    server = self.ping_info.api_version
                    if not server:
                        version = await self.system._version_unversioned()
                        server = version.api_version or "1.24"
                    source = "the daemon's API-Version"
                    self._set_version(negotiate_version(parse_version(server, source=source)))
        else:
            await anyio.lowlevel.checkpoint()
        assert self._version is not None
        return format_version(self._version)

    async def _require(self, operation: str, params: Iterable[str]) -> str:
        """Negotiate if not done yet, check the operation and parameters; the path prefix."""
        if self._prefix is None:
            await self.negotiate()
        assert self._prefix is not None
        self._check(operation, params)
        return self._prefix

    def _check(self, operation: str, params: Iterable[str]) -> None:
        assert self._version is not None
        require_operation(operation, self._version)
        require_parameters(operation, self._version, params)

    # -- the request path ------------------------------------------------------------

    def _decoder(self, type_: Any) -> msgspec.json.Decoder[Any]:
        decoder = self._decoders.get(type_)
        if decoder is None:
            decoder = self._decoders[type_] = msgspec.json.Decoder(type_)
        return decoder

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        query: Mapping[str, object] | None = None,
        body: Body | msgspec.Struct = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
        fields: Iterable[str] = (),
        buffered: bool = True,
        upgrade: bool = False,
        detach: bool = False,
        time_limit: float | None = _UNSET,
        versioned: bool = True,
    ) -> Response:
        """Send one operation's request; raise the matching APIError on an error status.

        `fields` names the body fields the caller set, for version gating; query
        parameters that are not None are gated by their names automatically. `detach`:
        see `Request`.
        """
        if not versioned:
            prefix = ""
        elif self._prefix is None:
            prefix = await self._require(operation, _set_names(query, fields))
        else:  # negotiated: check without another await
            prefix = self._prefix
            self._check(operation, _set_names(query, fields))
        target = self._base + prefix + path + (encode_query(query) if query else "")
        if isinstance(body, msgspec.Struct) or json is not None:
            payload = _encoder.encode(body if json is None else json)
            headers = {**_JSON_HEADERS, **headers} if headers else _JSON_HEADERS
            request = Request(
                method, target, headers=headers, body=payload, upgrade=upgrade, detach=detach
            )
        else:
            request = Request(
                method, target, headers=headers, body=body, upgrade=upgrade, detach=detach
            )
        timeout = self.timeout if time_limit is _UNSET else time_limit
        try:
            if self._pool is not None:
                response = await self._pool.request(request, buffered=buffered, timeout=timeout)
            else:
                async with Deadline(timeout):
                    response = await self._transport.request(request, buffered=buffered)
            status = response.status
            # 304 answers a start or stop that had nothing to do, 101 an upgrade. Any
            # other redirect means the request was not carried out (the daemon's router
            # redirects paths it cleans), so it is an error, never a success.
            if status >= 400 or (300 <= status < 400 and status != 304):
                await self._raise_for_status(response, request)
        except TimeoutError as exc:
            if isinstance(exc, errors.DockerError):
                raise
            raise errors.Timeout(
                f"{method} {path} took longer than {timeout} s (Docker(timeout=...))"
            ) from exc
        return response

    async def _raise_for_status(self, response: Response, request: Request) -> None:
        try:
            raw = await response.read()
        finally:
            await response.aclose()
        message = daemon_message(raw, response.reason)
        if 300 <= response.status < 400:
            location = response.headers.get("location", "")
            message = f"{message}: the daemon redirects to {location!r}, not followed"
        path = request.target.split("?", 1)[0]
        if response.status == 400 and "HTTPS server" in message:
            raise errors.ConnectionFailed(
                f"cannot talk to {self._address.url if self._address else 'the engine'}",
                hint="the daemon expects TLS on this port: pass tls=True or set DOCKER_TLS_VERIFY",
            )
        raise errors.error_for_status(response.status, message, method=request.method, path=path)

    async def _json(
        self,
        operation: str,
        method: str,
        path: str,
        type_: type[T] | Any,
        *,
        empty: T | None = None,
        **options: Unpack[SendOptions],
    ) -> T:
        """Send (see `_send` for the options) and decode the JSON body into `type_`;
        `empty`, when given, is what an empty body stands for."""
        response = await self._send(operation, method, path, **options)
        content = getattr(response, "content", None)
        if content is None:
            content = await response.read()
        if empty is not None and len(content) == 0:
            return empty
        try:
            result: T = self._decoder(type_).decode(content)
        except msgspec.DecodeError as exc:
            raise errors.DockerError(
                f"{method} {path}: cannot decode the daemon's answer as {_type_name(type_)}: {exc}"
            ) from exc
        return result

    async def _empty(
        self, operation: str, method: str, path: str, **options: Unpack[SendOptions]
    ) -> None:
        """Send a request whose answer carries nothing we need (204, or a body we drop)."""
        response = await self._send(operation, method, path, **options)
        await response.aclose()

    async def _open_raw(
        self, operation: str, path: str, query: Mapping[str, object]
    ) -> tuple[anyio.abc.ByteStream, str]:
        """A raw connection for a protocol of its own, and the versioned target to ask for."""
        names = [name for name, value in query.items() if value is not None]
        prefix = await self._require(operation, names)
        open_raw = getattr(self._transport, "open_raw", None)
        if open_raw is None:
            raise errors.DockerError(
                f"{type(self._transport).__name__} cannot open raw connections; "
                "use the default PoolTransport for websocket attach"
            )
        stream: anyio.abc.ByteStream = await open_raw()
        return stream, self._base + prefix + path + encode_query(query)

    def _messages(
        self,
        operation: str,
        method: str,
        path: str,
        type_: type[T] | Any,
        **options: Unpack[SendOptions],
    ) -> MessageStream[T]:
        """A lazily opened stream of JSON messages (events, stats, progress).

        The client timeout bounds only the wait for the response head.
        """

        async def opener() -> Response:
            return await self._send(operation, method, path, buffered=False, **options)

        return MessageStream(opener, type_)


def _set_names(query: Mapping[str, object] | None, fields: Iterable[str]) -> Iterable[str]:
    """The names of the parameters a call sets, for version gating (consumed only if gated)."""
    if query:
        yield from (name for name, value in query.items() if value is not None)
    yield from fields


def _type_name(type_: Any) -> str:
    return getattr(type_, "__name__", None) or repr(type_)
