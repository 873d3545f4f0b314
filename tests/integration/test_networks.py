"""Network operations against the real engine (internal bridges only: no traffic leaves)."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import pytest

from aiodocker_engine import Docker, errors, models

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


def _label_filter(labels: dict[str, str]) -> str:
    key, value = next(iter(labels.items()))
    return f"{key}={value}"


async def test_create_inspect_list_and_remove_an_internal_bridge(
    docker: Docker, docker_test_labels: dict[str, str], docker_session_id: str
) -> None:
    name = f"aiodocker-engine-net-{docker_session_id}-a"
    created = await docker.networks.create(
        name=name,
        driver="bridge",
        internal=True,
        attachable=True,
        ipam=models.IPAM(config=[models.IPAMConfig(subnet="10.231.7.0/24")]),
        options={"com.docker.network.bridge.enable_icc": "true"},
        labels={**docker_test_labels, "role": "test"},
    )
    assert created.id
    try:
        info = await docker.networks.inspect(created.id)
        assert info.name == name and info.driver == "bridge"
        assert info.internal is True and info.attachable is True
        assert info.labels is not None and info.labels["role"] == "test"
        assert info.ipam is not None and info.ipam.config is not None
        assert info.ipam.config[0].subnet == "10.231.7.0/24"
        assert info.options == {"com.docker.network.bridge.enable_icc": "true"}
        assert (await docker.networks.inspect(name)).id == created.id
        listed = await docker.networks.list(filters={"label": _label_filter(docker_test_labels)})
        assert [n.id for n in listed] == [created.id]
        assert all(isinstance(n, models.NetworkSummary) for n in listed)
    finally:
        await docker.networks.remove(created.id)
    with pytest.raises(errors.NotFound):
        await docker.networks.inspect(created.id)


async def test_connect_two_containers_and_inspect_shows_both(
    docker: Docker,
    container_factory: Any,
    docker_test_labels: dict[str, str],
    docker_session_id: str,
) -> None:
    created = await docker.networks.create(
        name=f"aiodocker-engine-net-{docker_session_id}-b",
        internal=True,
        ipam=models.IPAM(config=[models.IPAMConfig(subnet="10.231.8.0/24")]),
        labels=docker_test_labels,
    )
    net = created.id
    assert net
    try:
        first = await container_factory(cmd=["sleep", "60"])
        second = await container_factory(cmd=["sleep", "60"])
        await docker.containers.start(first.id)
        await docker.containers.start(second.id)
        await docker.networks.connect(net, first.id, aliases=["alpha"], ipv4_address="10.231.8.10")
        await docker.networks.connect(net, second.id, aliases=["beta"])
        info = await docker.networks.inspect(net)
        assert info.containers is not None
        assert set(info.containers) == {first.id, second.id}
        assert info.containers[first.id].ipv4_address == "10.231.8.10/24"
        inspected = await docker.containers.inspect(first.id)
        assert inspected.network_settings is not None
        endpoint = (inspected.network_settings.networks or {})[info.name or ""]
        assert endpoint.aliases is not None and "alpha" in endpoint.aliases
        # The daemon refuses to remove a network that still has endpoints.
        with pytest.raises(errors.APIError) as caught:
            await docker.networks.remove(net)
        assert caught.value.status in (403, 409)
        with pytest.raises(errors.APIError):
            await docker.networks.connect(net, first.id)
        await docker.networks.disconnect(net, first.id)
        await docker.networks.disconnect(net, second.id, force=True)
        info = await docker.networks.inspect(net)
        assert not info.containers
    finally:
        await docker.networks.remove(net)


async def test_missing_network_and_container_raise_not_found(
    docker: Docker, docker_test_labels: dict[str, str], docker_session_id: str
) -> None:
    with pytest.raises(errors.NotFound):
        await docker.networks.inspect("aiodocker-engine-no-such-network")
    with pytest.raises(errors.NotFound):
        await docker.networks.remove("aiodocker-engine-no-such-network")
    created = await docker.networks.create(
        name=f"aiodocker-engine-net-{docker_session_id}-c", internal=True, labels=docker_test_labels
    )
    assert created.id
    try:
        with pytest.raises(errors.NotFound):
            await docker.networks.connect(created.id, "aiodocker-engine-no-such-container")
    finally:
        await docker.networks.remove(created.id)


async def test_create_without_a_name_or_with_a_newer_field_fails_before_sending(
    docker: Docker,
) -> None:
    with pytest.raises(ValueError, match="needs a name"):
        await docker.networks.create(driver="bridge")
    await docker.negotiate()
    if docker.api_version is not None and tuple(map(int, docker.api_version.split("."))) < (1, 48):
        with pytest.raises(errors.VersionError, match="EnableIPv4"):
            await docker.networks.create(name="never-created", enable_ipv4=True)


async def test_an_endpoint_mac_address_is_refused_where_the_daemon_would_ignore_it(
    docker: Docker, container_factory: Any
) -> None:
    """Endpoint MacAddress: create takes it from API 1.44, connect applies it from 1.54
    (ignored before, changelog v1.54); 20.10 would drop both silently."""
    await docker.negotiate()
    version = tuple(map(int, (docker.api_version or "0.0").split(".")))
    mac = models.EndpointSettings(mac_address="02:42:aa:bb:cc:dd")
    if version < (1, 54):
        with pytest.raises(errors.VersionError, match=r"MacAddress' needs API 1\.54"):
            await docker.networks.connect("none", "never-connected", endpoint_config=mac)
    if version < (1, 44):
        with pytest.raises(errors.VersionError, match=r"EndpointsConfig\{\}\.MacAddress"):
            await container_factory(
                cmd=["true"],
                networking_config=models.NetworkingConfig(endpoints_config={"none": mac}),
            )


async def test_prune_removes_only_unused_labelled_networks(
    docker: Docker,
    container_factory: Any,
    docker_test_labels: dict[str, str],
    docker_session_id: str,
) -> None:
    prune_label = f"aiodocker-engine-prune-{docker_session_id}"
    labels = {**docker_test_labels, prune_label: "1"}
    unused = await docker.networks.create(
        name=f"aiodocker-engine-net-{docker_session_id}-unused", internal=True, labels=labels
    )
    used = await docker.networks.create(
        name=f"aiodocker-engine-net-{docker_session_id}-used", internal=True, labels=labels
    )
    assert unused.id and used.id
    try:
        container = await container_factory(cmd=["sleep", "60"])
        await docker.containers.start(container.id)
        await docker.networks.connect(used.id, container.id)
        result = await docker.networks.prune(filters={"label": f"{prune_label}=1"})
        assert isinstance(result, models.NetworkPruneResponse)
        assert result.networks_deleted == [f"aiodocker-engine-net-{docker_session_id}-unused"]
        await docker.networks.inspect(used.id)
        with pytest.raises(errors.NotFound):
            await docker.networks.inspect(unused.id)
        await docker.networks.disconnect(used.id, container.id, force=True)
    finally:
        for ident in (unused.id, used.id):
            with contextlib.suppress(errors.NotFound):
                await docker.networks.remove(ident)


async def test_a_taken_name_raises_conflict_unless_a_duplicate_is_asked_for(
    docker: Docker, docker_test_labels: dict[str, str]
) -> None:
    name = f"aiodocker-engine-dup-{uuid.uuid4().hex[:12]}"
    made: list[str] = []
    try:
        first = await docker.networks.create(name=name, internal=True, labels=docker_test_labels)
        made.append(first.id)
        with pytest.raises(errors.Conflict, match=name):
            await docker.networks.create(name=name, internal=True, labels=docker_test_labels)
        same_name = await docker.networks.list(filters={"name": name})
        assert [n.id for n in same_name] == [first.id]  # nothing was made the second time
        version = tuple(int(part) for part in (await docker.negotiate()).split("."))
        if version < (1, 44):  # only older daemons make duplicates at all
            second = await docker.networks.create(
                name=name, internal=True, labels=docker_test_labels, check_duplicate=False
            )
            made.append(second.id)
            assert second.warning and name in second.warning
    finally:
        for ident in made:
            await docker.networks.remove(ident)


async def test_a_network_named_dot_is_reached_by_its_id_only(
    docker: Docker, docker_test_labels: dict[str, str]
) -> None:
    """The daemon's router resolves "/networks/." to "/networks" (a 301), so a name of "."
    is refused before sending, as ".." is; the id works."""
    created = await docker.networks.create(
        name=".", internal=True, labels=docker_test_labels, check_duplicate=False
    )
    try:
        assert (await docker.networks.inspect(created.id)).name == "."
        with pytest.raises(ValueError, match="use the id"):
            await docker.networks.inspect(".")
        with pytest.raises(ValueError, match="use the id"):
            await docker.networks.remove(".")
    finally:
        await docker.networks.remove(created.id)
    with pytest.raises(errors.NotFound):
        await docker.networks.inspect(created.id)
