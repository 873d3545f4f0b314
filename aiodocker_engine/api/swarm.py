"""Swarm and its nodes: init, join, leave, inspect, update, unlock; list, inspect, update nodes.

Every update takes `version`, the `version.index` of the object as last inspected: the
daemon refuses (500 "update out of sequence") a write based on a stale read, so two
writers cannot silently overwrite each other. Calls that need a swarm raise
`errors.Unavailable` (503) on a daemon that is not a manager ("This node is not a swarm
manager"); `init` and `join` on a node already in a swarm do the same.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import Filters
from aiodocker_engine.models import (
    Node,
    NodeSpec,
    NodeSpecAvailability,
    NodeSpecRole,
    Swarm,
    SwarmInitRequest,
    SwarmJoinRequest,
    SwarmSpec,
    SwarmUnlockRequest,
    UnlockKeyResponse,
)

__all__ = ["NodesApi", "SwarmApi"]

#: What `docker swarm init` listens on when no address is given (the daemon refuses none).
DEFAULT_LISTEN_ADDR = "0.0.0.0:2377"


class SwarmApi(ApiGroup):
    """Swarm membership and settings: `docker.swarm`."""

    async def inspect(self) -> Swarm:
        """The swarm this manager belongs to, with its spec, version and join tokens.

        Unavailable (503) when the node is not a swarm manager (a worker, or no swarm).
        """
        return await self._docker._json("SwarmInspect", "GET", "/swarm", Swarm)

    async def init(
        self,
        body: SwarmInitRequest | None = None,
        *,
        listen_addr: str | None = None,
        advertise_addr: str | None = None,
        data_path_addr: str | None = None,
        data_path_port: int | None = None,
        default_addr_pool: builtins.list[str] | None = None,
        force_new_cluster: bool | None = None,
        subnet_size: int | None = None,
        spec: SwarmSpec | None = None,
    ) -> str:
        """Make this engine the first manager of a new swarm; returns its node id.

        `listen_addr` defaults to "0.0.0.0:2377" as in the CLI. With several addresses
        on the host the daemon cannot guess which to advertise and raises BadRequest
        until `advertise_addr` is given. A node already in a swarm raises Unavailable.
        Not bounded by the client timeout: raft start-up can take a while.
        """
        fields: dict[str, Any] = {
            "listen_addr": listen_addr,
            "advertise_addr": advertise_addr,
            "data_path_addr": data_path_addr,
            "data_path_port": data_path_port,
            "default_addr_pool": default_addr_pool,
            "force_new_cluster": force_new_cluster,
            "subnet_size": subnet_size,
            "spec": spec,
        }
        request, set_fields = build_body(SwarmInitRequest, body, fields, where="swarm.init")
        if not request.listen_addr:
            request.listen_addr = DEFAULT_LISTEN_ADDR
            set_fields.append("ListenAddr")
        node_id: str = await self._docker._json(
            "SwarmInit",
            "POST",
            "/swarm/init",
            str,
            body=request,
            fields=set_fields,
            time_limit=None,
        )
        return node_id

    async def join(
        self,
        body: SwarmJoinRequest | None = None,
        *,
        remote_addrs: Sequence[str] | None = None,
        join_token: str | None = None,
        listen_addr: str | None = None,
        advertise_addr: str | None = None,
        data_path_addr: str | None = None,
    ) -> None:
        """Join an existing swarm through one of its managers (`remote_addrs`).

        `join_token` is the swarm's worker or manager token (`swarm.inspect().join_tokens`
        on a manager). `listen_addr` defaults to "0.0.0.0:2377". A wrong token or an
        unreachable manager raises; the daemon retries for a while first, so this call
        is not bounded by the client timeout.
        """
        fields: dict[str, Any] = {
            "remote_addrs": list(remote_addrs) if remote_addrs is not None else None,
            "join_token": join_token,
            "listen_addr": listen_addr,
            "advertise_addr": advertise_addr,
            "data_path_addr": data_path_addr,
        }
        request, set_fields = build_body(SwarmJoinRequest, body, fields, where="swarm.join")
        if not request.remote_addrs or not request.join_token:
            raise ValueError("swarm.join() needs remote_addrs and a join_token")
        if not request.listen_addr:
            request.listen_addr = DEFAULT_LISTEN_ADDR
            set_fields.append("ListenAddr")
        await self._docker._empty(
            "SwarmJoin",
            "POST",
            "/swarm/join",
            body=request,
            fields=set_fields,
            time_limit=None,
        )

    async def leave(self, *, force: bool = False) -> None:
        """Leave the swarm; Unavailable when the node is in none.

        The last manager (and any manager whose leaving would lose quorum) must use
        `force=True`; that discards the swarm's state on this node for good.
        """
        await self._docker._empty(
            "SwarmLeave", "POST", "/swarm/leave", query={"force": force or None}, time_limit=None
        )

    async def update(
        self,
        spec: SwarmSpec,
        *,
        version: int,
        rotate_worker_token: bool = False,
        rotate_manager_token: bool = False,
        rotate_manager_unlock_key: bool = False,
    ) -> None:
        """Replace the swarm's spec (start from `(await swarm.inspect()).spec`).

        `version` is `swarm.version.index` from that inspect. The spec is replaced as a
        whole: fields left None go back to their defaults. The rotate flags issue new
        join tokens or a new unlock key (autolock must be on for the key).
        """
        await self._docker._empty(
            "SwarmUpdate",
            "POST",
            "/swarm/update",
            query={
                "version": version,
                "rotateWorkerToken": rotate_worker_token or None,
                "rotateManagerToken": rotate_manager_token or None,
                "rotateManagerUnlockKey": rotate_manager_unlock_key or None,
            },
            body=spec,
        )

    async def unlock_key(self) -> UnlockKeyResponse:
        """The key that unlocks this manager after a restart, when autolock is on.

        `.unlock_key` is "" when autolock is off. The key is a secret: keep it out of logs.
        """
        return await self._docker._json(
            "SwarmUnlockkey", "GET", "/swarm/unlockkey", UnlockKeyResponse
        )

    async def unlock(self, unlock_key: str) -> None:
        """Unlock a locked manager (after a restart with autolock on).

        A wrong key raises; so does unlocking a swarm that is not locked (Unavailable
        or ServerError, depending on the daemon).
        """
        await self._docker._empty(
            "SwarmUnlock",
            "POST",
            "/swarm/unlock",
            body=SwarmUnlockRequest(unlock_key=unlock_key),
            fields=["UnlockKey"],
        )


class NodesApi(ApiGroup):
    """Swarm nodes: `docker.nodes` (a swarm manager answers; others raise Unavailable)."""

    async def list(self, *, filters: Filters | None = None) -> builtins.list[Node]:
        """Nodes of the swarm (filters: id, label, node.label, membership, name, role)."""
        result: builtins.list[Node] | None = await self._docker._json(
            "NodeList",
            "GET",
            "/nodes",
            builtins.list[Node] | None,
            query={"filters": filters or None},
        )
        return result or []

    async def inspect(self, node: str) -> Node:
        """One node by id, id prefix or hostname; NotFound if none matches."""
        return await self._docker._json("NodeInspect", "GET", f"/nodes/{quote_path(node)}", Node)

    async def remove(self, node: str, *, force: bool = False) -> None:
        """Remove a node from the swarm's list; NotFound if there is none.

        A node that is still up is refused (BadRequest or ServerError) unless `force`;
        a manager must be demoted first.
        """
        await self._docker._empty(
            "NodeDelete",
            "DELETE",
            f"/nodes/{quote_path(node)}",
            query={"force": force or None},
        )

    async def update(
        self,
        node: str,
        body: NodeSpec | None = None,
        *,
        version: int,
        name: str | None = None,
        labels: dict[str, str] | None = None,
        role: NodeSpecRole | None = None,
        availability: NodeSpecAvailability | None = None,
    ) -> None:
        """Replace a node's spec: its labels, role ("worker", "manager") and availability.

        `version` is `node.version.index` from `inspect`. The spec is replaced as a
        whole, so pass the current one (`node.spec`) with your changes as keywords:
        `update(id, node.spec, version=..., availability="drain")`.
        """
        fields: dict[str, Any] = {
            "name": name,
            "labels": labels,
            "role": role,
            "availability": availability,
        }
        request, _ = build_body(NodeSpec, body, fields, where="nodes.update")
        if request.role is None or request.availability is None:
            # The daemon refuses a spec without them ('invalid Role: ""'), after the fact.
            raise ValueError(
                "nodes.update() replaces the whole spec: pass the current one "
                "(`(await docker.nodes.inspect(id)).spec`) with your changes as keywords"
            )
        await self._docker._empty(
            "NodeUpdate",
            "POST",
            f"/nodes/{quote_path(node)}/update",
            query={"version": version},
            body=request,
        )
