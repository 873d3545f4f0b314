"""Decoding what a Docker 20.10 daemon (API v1.41) sends into the v1.55 models."""

from __future__ import annotations

import msgspec
import pytest

from aiodocker_engine import models

from . import payloads_2010 as p
from . import payloads_podman43 as podman


def decode_lines(data: bytes, type_: type[msgspec.Struct]) -> list[msgspec.Struct]:
    decoder = msgspec.json.Decoder(type_)
    return [decoder.decode(line) for line in data.splitlines() if line.strip()]


def test_container_list_items_decode_with_ports_networks_and_mounts() -> None:
    items = msgspec.json.decode(p.CONTAINER_LIST, type=list[models.ContainerSummary])
    first, second = items
    assert first.id == p.CID
    assert first.names == ["/demo"]
    assert first.state == "running"
    assert first.created == 1683195072
    assert first.labels == {"com.example.team": "infra"}
    assert first.ports is not None
    assert first.ports[0] == models.PortSummary(
        ip="0.0.0.0", private_port=80, public_port=8080, type="tcp"
    )
    assert first.ports[1].ip is None and first.ports[1].public_port is None
    assert first.host_config == models.ContainerSummaryHostConfig(network_mode="default")
    assert first.network_settings is not None and first.network_settings.networks is not None
    bridge = first.network_settings.networks["bridge"]
    assert bridge.ip_address == "172.17.0.2"
    assert bridge.ipam_config is None and bridge.aliases is None
    assert first.mounts is not None and first.mounts[0].rw is True
    assert first.mounts[0].type == "volume"
    # Fields newer than API v1.41 are simply absent.
    assert first.image_manifest_descriptor is None and first.health is None
    assert second.ports == [] and second.state == "exited"


def test_container_inspect_decodes_nulls_zero_times_and_legacy_network_fields() -> None:
    c = msgspec.json.decode(p.CONTAINER_INSPECT, type=models.ContainerInspectResponse)
    assert c.id == p.CID and c.name == "/demo"
    assert c.exec_ids is None
    assert c.state is not None
    assert c.state.status == "running" and c.state.pid == 4242
    assert c.state.finished_at == "0001-01-01T00:00:00Z"
    assert c.state.health is None
    hc = c.host_config
    assert hc is not None
    assert hc.binds is None and hc.memory_swappiness is None and hc.pids_limit is None
    assert hc.log_config == models.HostConfigLogConfig(type="json-file", config={})
    assert hc.restart_policy == models.RestartPolicy(name="no", maximum_retry_count=0)
    assert hc.port_bindings == {"80/tcp": [models.PortBinding(host_ip="", host_port="8080")]}
    assert hc.nano_cpus == 0 and hc.cpu_shares == 0 and hc.shm_size == 67108864
    assert hc.io_maximum_iops == 0 and hc.cgroupns_mode == "private" and hc.isolation == ""
    assert hc.kernel_memory == 0  # legacy: gone from the v1.55 spec
    assert c.config is not None
    assert c.config.exposed_ports == {"80/tcp": {}}
    assert c.config.cmd == ["sh", "-c", "cat"] and c.config.volumes is None
    assert c.graph_driver is not None and c.graph_driver.name == "overlay2"
    ns = c.network_settings
    assert ns is not None
    assert ns.ports == {
        "80/tcp": [models.PortBinding(host_ip="0.0.0.0", host_port="8080")],
        "443/tcp": None,
    }
    # Legacy top-level addresses: API < v1.52 daemons still send them.
    assert ns.ip_address == "172.17.0.2" and ns.gateway == "172.17.0.1"
    assert ns.mac_address == "02:42:ac:11:00:02" and ns.secondary_ip_addresses is None
    assert ns.networks is not None and ns.networks["bridge"].network_id == p.NET_ID
    assert c.mounts == []


def test_unknown_fields_are_ignored() -> None:
    assert b"SomeFieldFromTheFuture" in p.CONTAINER_INSPECT
    c = msgspec.json.decode(p.CONTAINER_INSPECT, type=models.ContainerInspectResponse)
    assert not hasattr(c, "some_field_from_the_future")
    data = b'{"Id": "x", "NewInV9": {"deep": [1]}, "Names": ["/a"], "ZZ": null}'
    assert msgspec.json.decode(data, type=models.ContainerSummary) == models.ContainerSummary(
        id="x", names=["/a"]
    )


def test_absent_fields_are_none() -> None:
    s = msgspec.json.decode(b"{}", type=models.SystemInfo)
    assert s == models.SystemInfo()
    assert s.id is None and s.containers is None and s.swarm is None


def test_image_list_and_inspect_decode_with_legacy_fields() -> None:
    images = msgspec.json.decode(p.IMAGE_LIST, type=list[models.ImageSummary])
    assert images[0].repo_tags == ["busybox:latest"] and images[0].labels is None
    assert images[0].virtual_size == 4261550  # legacy (removed in v1.44)
    assert images[1].repo_tags is None and images[1].repo_digests is None
    image = msgspec.json.decode(p.IMAGE_INSPECT, type=models.ImageInspect)
    assert image.id == p.IMAGE_ID and image.os == "linux" and image.architecture == "amd64"
    assert image.docker_version == "20.10.23" and image.parent == ""
    assert image.container_config is not None
    assert image.container_config.cmd == ["/bin/sh", "-c", "#(nop) ", 'CMD ["sh"]']
    assert image.config is not None and image.config.cmd == ["sh"]
    assert image.config.hostname == ""  # an ImageConfig field only older daemons send
    assert image.root_fs is not None and image.root_fs.type == "layers"
    assert image.metadata is not None
    assert image.metadata.last_tag_time == "0001-01-01T00:00:00Z"
    assert image.descriptor is None and image.manifests is None


def test_network_inspect_decodes_containers_and_options() -> None:
    n = msgspec.json.decode(p.NETWORK_INSPECT, type=models.NetworkInspect)
    assert n.name == "bridge" and n.enable_ipv6 is False
    assert n.ipam is not None and n.ipam.options is None
    assert n.ipam.config == [models.IPAMConfig(subnet="172.17.0.0/16", gateway="172.17.0.1")]
    assert n.containers is not None
    assert n.containers[p.CID].ipv4_address == "172.17.0.2/16"
    assert n.options is not None
    assert n.options["com.docker.network.bridge.name"] == "docker0"
    assert n.config_from == models.ConfigReference(network="")


def test_volume_list_decodes() -> None:
    v = msgspec.json.decode(p.VOLUME_LIST, type=models.VolumeListResponse)
    assert v.warnings is None and v.volumes is not None
    assert v.volumes[0].name == "data" and v.volumes[0].scope == "local"
    assert v.volumes[0].labels is None and v.volumes[0].usage_data is None


def test_system_version_decodes_components() -> None:
    v = msgspec.json.decode(p.SYSTEM_VERSION, type=models.SystemVersion)
    assert v.api_version == "1.41" and v.min_api_version == "1.12"
    assert v.platform == models.SystemVersionPlatform(name="")
    assert v.components is not None
    engine = v.components[0]
    assert engine.name == "Engine" and engine.details is not None
    assert engine.details["ApiVersion"] == "1.41"


def test_system_info_decodes_with_legacy_fields() -> None:
    i = msgspec.json.decode(p.SYSTEM_INFO, type=models.SystemInfo)
    assert i.ncpu == 2 and i.n_fd == 24 and i.n_goroutines == 35
    assert i.os_type == "linux" and i.os_version == "12"
    assert i.cgroup_driver == "systemd" and i.cgroup_version == "2"
    assert i.driver_status is not None and i.driver_status[0] == ["Backing Filesystem", "extfs"]
    assert i.plugins is not None and i.plugins.authorization is None
    assert i.runtimes is not None and i.runtimes["runc"] == models.Runtime(path="runc")
    assert i.swarm is not None and i.swarm.local_node_state == "inactive"
    assert i.swarm.remote_managers is None
    assert i.registry_config is not None and i.registry_config.index_configs is not None
    assert i.registry_config.index_configs["docker.io"].official is True
    assert i.containerd_commit == models.Commit(id="1.6.20~ds1-1", expected="1.6.20~ds1-1")
    assert i.kernel_memory is True and i.bridge_nf_iptables is True  # legacy
    assert i.cluster_store == ""  # legacy
    assert i.generic_resources is None and i.labels == []


def test_event_messages_decode_with_deprecated_fields_and_unknown_types() -> None:
    events = decode_lines(p.EVENTS, models.EventMessage)
    start = events[0]
    assert isinstance(start, models.EventMessage)
    assert start.type == "container" and start.action == "start"
    assert start.status == "start" and start.id == p.CID and start.from_ == "busybox"
    assert start.actor is not None and start.actor.attributes == {
        "image": "busybox",
        "name": "demo",
    }
    assert start.scope == "local" and start.time_nano == 1683195073123456789
    network = events[1]
    assert isinstance(network, models.EventMessage)
    assert network.status is None and network.from_ is None
    pod = events[3]
    assert isinstance(pod, models.EventMessage) and pod.type == "pod"  # Podman's own type


def test_stats_decode_cgroup_v2_sample() -> None:
    s = msgspec.json.decode(p.STATS, type=models.ContainerStatsResponse)
    assert s.name == "/demo" and s.id == p.CID
    assert s.pids_stats == models.ContainerPidsStats(current=1, limit=2**64 - 1)
    assert s.blkio_stats is not None and s.blkio_stats.io_serviced_recursive is None
    assert s.blkio_stats.io_service_bytes_recursive is not None
    assert s.blkio_stats.io_service_bytes_recursive[0].op == "read"
    assert s.cpu_stats is not None and s.cpu_stats.online_cpus == 2
    assert s.cpu_stats.cpu_usage is not None and s.cpu_stats.cpu_usage.percpu_usage is None
    assert s.memory_stats is not None and s.memory_stats.stats is not None
    assert s.memory_stats.stats["pgfault"] == 1353
    assert s.networks is not None and s.networks["eth0"].rx_bytes == 1296
    assert s.storage_stats == models.ContainerStorageStats()


def test_progress_messages_decode_pull_error_and_build_streams() -> None:
    pull = decode_lines(p.PULL_PROGRESS, models.ProgressMessage)
    assert all(isinstance(m, models.ProgressMessage) for m in pull)
    downloading = pull[2]
    assert isinstance(downloading, models.ProgressMessage)
    assert downloading.progress_detail == models.ProgressDetail(current=1024, total=2140963)
    assert downloading.progress is not None and downloading.id == "325d69979d33"
    error = msgspec.json.decode(p.PULL_ERROR, type=models.ProgressMessage)
    assert error.error_detail is not None
    assert error.error_detail.message == error.error
    build = decode_lines(p.BUILD_PROGRESS, models.ProgressMessage)
    aux = build[2]
    assert isinstance(aux, models.ProgressMessage)
    assert aux.aux == {"ID": p.IMAGE_ID}
    trace = build[4]
    assert isinstance(trace, models.ProgressMessage)
    assert trace.id == "moby.buildkit.trace" and isinstance(trace.aux, str)


def test_exec_inspect_and_small_container_responses_decode() -> None:
    e = msgspec.json.decode(p.EXEC_INSPECT, type=models.ExecInspectResponse)
    assert e.exit_code == 3 and e.running is False and e.container_id == p.CID
    assert e.process_config == models.ProcessConfig(
        tty=False, entrypoint="sh", arguments=["-c", "exit 3"], privileged=False
    )
    w = msgspec.json.decode(p.CONTAINER_WAIT, type=models.ContainerWaitResponse)
    assert w == models.ContainerWaitResponse(status_code=137)
    top = msgspec.json.decode(p.CONTAINER_TOP, type=models.ContainerTopResponse)
    assert top.titles is not None and top.titles[1] == "PID"
    assert top.processes is not None and top.processes[0][7] == "sh -c cat"
    changes = msgspec.json.decode(p.CONTAINER_CHANGES, type=list[models.FilesystemChange])
    assert [(c.kind, c.path) for c in changes] == [(1, "/tmp"), (0, "/tmp/x"), (2, "/etc/motd")]


def test_system_df_decodes_the_pre_v152_shape() -> None:
    df = msgspec.json.decode(p.SYSTEM_DF, type=models.SystemDataUsageResponse)
    assert df.layers_size == 4261550
    assert df.images is not None and df.images[0].containers == 1
    assert df.containers is not None and df.containers[0].size_rw == 12
    assert df.volumes is not None and df.volumes[0].usage_data is not None
    assert df.volumes[0].usage_data.ref_count == 1
    assert df.build_cache is not None and df.build_cache[0].type == "regular"
    assert df.build_cache[0].parent == ""
    assert df.image_usage is None  # the v1.52+ shape is absent


def test_secret_create_response_reads_the_id_key_dockerd_sends() -> None:
    assert msgspec.json.decode(b'{"ID":"s3cr"}', type=models.SecretCreateResponse).id == "s3cr"
    assert msgspec.json.decode(b'{"ID":"c0nf"}', type=models.ConfigCreateResponse).id == "c0nf"
    assert msgspec.json.decode(b'{"Id":"sha256:1"}', type=models.IDResponse).id == "sha256:1"


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (models.ContainerSummary, b'{"Id": "c", "State": "stopped"}'),  # Podman
        (models.ContainerState, b'{"Status": "configured"}'),  # Podman
        (models.ContainerState, b'{"Health": {"Status": ""}}'),  # Podman, no result yet
        (models.HostConfig, b'{"LogConfig": {"Type": "loki"}}'),  # a logging plugin
        (models.MountPoint, b'{"Type": "some-future-type"}'),
        (models.BuildCache, b'{"Type": "source.git.checkout.v2"}'),
    ],
)
def test_open_enums_accept_values_the_spec_does_not_list(
    model: type[msgspec.Struct], body: bytes
) -> None:
    msgspec.json.decode(body, type=model)


def test_a_response_without_its_identity_field_fails_to_decode() -> None:
    with pytest.raises(msgspec.ValidationError, match="missing required field `StatusCode`"):
        msgspec.json.decode(b'{"Error": null}', type=models.ContainerWaitResponse)


def test_closed_enums_reject_unknown_values() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"Invalid enum value 'sometimes'"):
        msgspec.json.decode(b'{"Name": "sometimes"}', type=models.RestartPolicy)


def test_a_podman_container_inspect_decodes() -> None:
    """Podman sends `CgroupnsMode: ""` and `Health: {Status: ""}`: closed enums once made
    every Podman container fail to decode (and with it logs and attach below 1.42)."""
    c = msgspec.json.decode(podman.CONTAINER_INSPECT, type=models.ContainerInspectResponse)
    assert c.host_config is not None and c.host_config.cgroupns_mode == ""
    assert c.state is not None and c.state.status == "running"
    assert c.config is not None and c.config.tty is False


def test_swarm_shapes_dockerd_sends_that_the_spec_names_otherwise() -> None:
    """Go's types, as dockerd 20.10 sent them (recorded in a one-node swarm)."""
    task = msgspec.json.decode(
        b'{"ID": "t1", "NetworksAttachments": [{"Network": {"ID": "si8t0sze", '
        b'"Version": {"Index": 9}, "CreatedAt": "2026-11-28T22:00:00.1Z", '
        b'"Spec": {"Name": "backend", "Labels": {}, "DriverConfiguration": {"Name": "overlay"}, '
        b'"Scope": "swarm"}, "DriverState": {"Name": "overlay", "Options": '
        b'{"com.docker.network.driver.overlay.vxlanid_list": "4097"}}, "IPAMOptions": '
        b'{"Driver": {"Name": "default"}, "Configs": [{"Subnet": "10.0.1.0/24", '
        b'"Gateway": "10.0.1.1"}]}}, "Addresses": ["10.0.1.3/24"]}], '
        b'"GenericResources": [{"DiscreteResourceSpec": {"Kind": "gpu", "Value": 1}}]}',
        type=models.Task,
    )
    (attachment,) = task.networks_attachments or []
    assert attachment.network is not None and attachment.network.id == "si8t0sze"
    assert attachment.network.spec is not None and attachment.network.spec.name == "backend"
    assert attachment.network.ipam_options is not None
    assert attachment.network.ipam_options.configs is not None
    assert attachment.network.ipam_options.configs[0].subnet == "10.0.1.0/24"
    assert task.generic_resources is not None
    discrete = task.generic_resources[0].discrete_resource_spec
    assert discrete is not None and (discrete.kind, discrete.value) == ("gpu", 1)


def test_a_plugin_service_spec_uses_gos_lowercase_keys_both_ways() -> None:
    wire = (
        b'{"name":"myplug","remote":"127.0.0.1:5000/some/plugin:latest","disabled":true,'
        b'"privileges":[{"name":"network","description":"","value":["host"]}],"env":["A=1"]}'
    )
    spec = msgspec.json.decode(wire, type=models.TaskSpecPluginSpec)
    assert (spec.name, spec.remote, spec.disabled, spec.env) == (
        "myplug",
        "127.0.0.1:5000/some/plugin:latest",
        True,
        ["A=1"],
    )
    assert spec.privileges is not None and spec.privileges[0].value == ["host"]
    assert msgspec.json.decode(msgspec.json.encode(spec)) == msgspec.json.decode(wire)
