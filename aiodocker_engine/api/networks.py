"""Networks: list, inspect, create, remove, connect and disconnect containers, and prune."""

from __future__ import annotations

import builtins
from typing import Any

from aiodocker_engine.api._body import build_body, set_paths
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.models import (
    IPAM,
    ConfigReference,
    EndpointIPAMConfig,
    EndpointSettings,
    NetworkConnectRequest,
    NetworkCreateRequest,
    NetworkCreateResponse,
    NetworkDisconnectRequest,
    NetworkInspect,
    NetworkPruneResponse,
    NetworkSummary,
)

__all__ = ["NetworksApi"]


class NetworksApi(ApiGroup):
    """Network operations: `docker.networks`."""

    async def list(self, *, filters: Filters | None = None) -> builtins.list[NetworkSummary]:
        """Networks (filters: driver, id, label, name, scope, type, dangling).

        Newer daemons leave `containers` out of list entries; `inspect` has them.
        """
        result: builtins.list[NetworkSummary] | None = await self._docker._json(
            "NetworkList",
            "GET",
            "/networks",
            builtins.list[NetworkSummary] | None,
            query={"filters": filters or None},
        )
        return result or []

    async def inspect(
        self, network: str, *, verbose: bool = False, scope: str | None = None
    ) -> NetworkInspect:
        """One network with its attached containers; NotFound if no network has that id or name.

        A name that is a prefix of several network ids is ambiguous and also raises.
        """
        return await self._docker._json(
            "NetworkInspect",
            "GET",
            f"/networks/{quote_path(network)}",
            NetworkInspect,
            query={"verbose": verbose or None, "scope": scope},
        )

    async def create(
        self,
        body: NetworkCreateRequest | None = None,
        *,
        name: str | None = None,
        driver: str | None = None,
        internal: bool | None = None,
        attachable: bool | None = None,
        ingress: bool | None = None,
        ipam: IPAM | None = None,
        enable_ipv4: bool | None = None,
        enable_ipv6: bool | None = None,
        options: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        scope: str | None = None,
        config_only: bool | None = None,
        config_from: ConfigReference | None = None,
        check_duplicate: bool | None = None,
    ) -> NetworkCreateResponse:
        """Create a network (default driver "bridge"); returns its id and any warning.

        `internal=True` gives a bridge with no route out of the host. IPAM subnets go in
        `ipam=IPAM(config=[IPAMConfig(subnet="10.7.0.0/24")])`. A taken name raises
        Conflict: before API 1.44 the daemon checks only when asked, so `check_duplicate`
        left None is sent as True there, as the docker CLI does (False asks for a second
        network of that name); a driver that does not exist raises NotFound;
        a subnet overlapping another network raises Forbidden. Fields newer than the
        negotiated API (e.g. `enable_ipv4`, 1.48) raise VersionError before sending.
        """
        fields: dict[str, Any] = {
            "name": name,
            "driver": driver,
            "internal": internal,
            "attachable": attachable,
            "ingress": ingress,
            "ipam": ipam,
            "enable_ipv4": enable_ipv4,
            "enable_ipv6": enable_ipv6,
            "options": options,
            "labels": labels,
            "scope": scope,
            "config_only": config_only,
            "config_from": config_from,
            "check_duplicate": check_duplicate,
        }
        if check_duplicate is None and (body is None or body.check_duplicate is None):
            await self._docker.negotiate()
            version = self._docker._version
            if version is not None and version < (1, 44):
                fields["check_duplicate"] = True
        request, set_fields = build_body(
            NetworkCreateRequest, body, fields, where="networks.create"
        )
        if not request.name:
            raise ValueError("networks.create() needs a name")
        return await self._docker._json(
            "NetworkCreate",
            "POST",
            "/networks/create",
            NetworkCreateResponse,
            body=request,
            fields=set_fields,
        )

    async def remove(self, network: str) -> None:
        """Remove a network; NotFound if there is none by that id or name.

        The daemon refuses (403 Forbidden) to remove a predefined network or one that
        still has endpoints: disconnect or remove its containers first.
        """
        await self._docker._empty(
            "NetworkDelete", "DELETE", f"/networks/{quote_path(network)}", time_limit=None
        )

    async def connect(
        self,
        network: str,
        container: str,
        *,
        aliases: builtins.list[str] | None = None,
        ipv4_address: str | None = None,
        ipv6_address: str | None = None,
        links: builtins.list[str] | None = None,
        driver_opts: dict[str, str] | None = None,
        endpoint_config: EndpointSettings | None = None,
    ) -> None:
        """Attach a container to a network, optionally with DNS aliases and fixed addresses.

        `ipv4_address`/`ipv6_address` need a network created with a matching IPAM subnet.
        `endpoint_config` is the whole endpoint model; the keywords are merged into it.
        Already connected raises Forbidden (20.10) or Conflict; no such container or
        network raises NotFound.
        """
        endpoint = endpoint_config or EndpointSettings()
        values: dict[str, Any] = {
            "aliases": aliases,
            "links": links,
            "driver_opts": driver_opts,
        }
        if ipv4_address is not None or ipv6_address is not None:
            base = endpoint.ipam_config or EndpointIPAMConfig()
            values["ipam_config"] = EndpointIPAMConfig(
                ipv4_address=ipv4_address or base.ipv4_address,
                ipv6_address=ipv6_address or base.ipv6_address,
                link_local_ips=base.link_local_ips,
            )
        endpoint, _ = build_body(EndpointSettings, endpoint, values, where="networks.connect")
        request = NetworkConnectRequest(container=container, endpoint_config=endpoint)
        await self._docker._empty(
            "NetworkConnect",
            "POST",
            f"/networks/{quote_path(network)}/connect",
            body=request,
            fields=["Container", "EndpointConfig", *set_paths(endpoint, "EndpointConfig")],
        )

    async def disconnect(self, network: str, container: str, *, force: bool = False) -> None:
        """Detach a container from a network; `force` also works when the container is gone."""
        request = NetworkDisconnectRequest(container=container, force=force or None)
        await self._docker._empty(
            "NetworkDisconnect",
            "POST",
            f"/networks/{quote_path(network)}/disconnect",
            body=request,
            fields=["Container", "Force"] if force else ["Container"],
        )

    async def prune(self, *, filters: Filters | None = None) -> NetworkPruneResponse:
        """Remove networks no container uses (filters: until, label, label!).

        Without filters this removes every unused network on the daemon, not just yours.
        """
        return await self._docker._json(
            "NetworkPrune",
            "POST",
            "/networks/prune",
            NetworkPruneResponse,
            query={"filters": filters or None},
            time_limit=None,
        )
