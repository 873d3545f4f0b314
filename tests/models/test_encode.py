"""Encoding request bodies: unset fields stay out, wire names are exact, values round-trip."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from aiodocker_engine import models

from . import payloads_2010 as p


def as_json(model: msgspec.Struct) -> Any:
    return json.loads(msgspec.json.encode(model))


def test_empty_request_model_encodes_as_empty_object() -> None:
    assert msgspec.json.encode(models.ContainerCreateRequest()) == b"{}"
    assert msgspec.json.encode(models.ExecStartConfig()) == b"{}"


def test_container_create_request_uses_wire_names_and_omits_unset_fields() -> None:
    body = models.ContainerCreateRequest(
        image="busybox",
        cmd=["sh", "-c", "cat"],
        open_stdin=True,
        exposed_ports={"80/tcp": {}},
        host_config=models.HostConfig(
            auto_remove=True,
            nano_cpus=500_000_000,
            cpu_shares=512,
            port_bindings={"80/tcp": [models.PortBinding(host_port="8080")]},
            log_config=models.HostConfigLogConfig(type="local"),
        ),
        networking_config=models.NetworkingConfig(
            endpoints_config={"demo-net": models.EndpointSettings(aliases=["web"])}
        ),
    )
    assert as_json(body) == {
        "Image": "busybox",
        "Cmd": ["sh", "-c", "cat"],
        "OpenStdin": True,
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {
            "AutoRemove": True,
            "NanoCpus": 500_000_000,
            "CpuShares": 512,
            "PortBindings": {"80/tcp": [{"HostPort": "8080"}]},
            "LogConfig": {"Type": "local"},
        },
        "NetworkingConfig": {"EndpointsConfig": {"demo-net": {"Aliases": ["web"]}}},
    }


def test_false_zero_and_empty_values_are_sent_only_none_is_left_out() -> None:
    body = models.ExecConfig(tty=False, env=[], cmd=["true"], detach_keys="")
    assert as_json(body) == {"Tty": False, "Env": [], "Cmd": ["true"], "DetachKeys": ""}
    assert as_json(models.ContainerUpdateRequest(memory=0, cpu_shares=None)) == {"Memory": 0}


def test_exec_bodies_encode() -> None:
    create = models.ExecConfig(
        attach_stdout=True, attach_stderr=True, cmd=["sh", "-c", "echo out"], working_dir="/tmp"
    )
    assert as_json(create) == {
        "AttachStdout": True,
        "AttachStderr": True,
        "Cmd": ["sh", "-c", "echo out"],
        "WorkingDir": "/tmp",
    }
    assert as_json(models.ExecStartConfig(detach=False, tty=True, console_size=[24, 80])) == {
        "Detach": False,
        "Tty": True,
        "ConsoleSize": [24, 80],
    }


def test_lower_case_and_keyword_wire_names_round_trip() -> None:
    event = models.EventMessage(from_="busybox", time_nano=1, type="container")
    assert as_json(event) == {"from": "busybox", "timeNano": 1, "Type": "container"}
    auth = models.AuthConfig(username="u", password="p", serveraddress="127.0.0.1:5000")
    assert as_json(auth) == {"username": "u", "password": "p", "serveraddress": "127.0.0.1:5000"}


def test_service_mode_global_is_an_empty_object() -> None:
    spec = models.ServiceSpec(name="web", mode=models.ServiceSpecMode(global_={}))
    assert as_json(spec) == {"Name": "web", "Mode": {"Global": {}}}


def test_decoded_responses_encode_back_to_the_same_model() -> None:
    for data, type_ in [
        (p.CONTAINER_INSPECT, models.ContainerInspectResponse),
        (p.SYSTEM_INFO, models.SystemInfo),
        (p.IMAGE_INSPECT, models.ImageInspect),
        (p.STATS, models.ContainerStatsResponse),
        (p.NETWORK_INSPECT, models.NetworkInspect),
    ]:
        first = msgspec.json.decode(data, type=type_)
        again = msgspec.json.decode(msgspec.json.encode(first), type=type_)
        assert again == first, type_.__name__


def test_repr_shows_only_the_fields_that_are_set() -> None:
    assert (
        repr(models.ContainerWaitResponse(status_code=0)) == "ContainerWaitResponse(status_code=0)"
    )


def test_cluster_volume_spec_carries_availability_and_the_rest_beside_access_mode() -> None:
    """Go's `ClusterVolumeSpec` has them at its top level (the spec files nest them in
    AccessMode, where dockerd never reads them); `volumes.update` reads only Availability."""
    spec = models.ClusterVolumeSpec(
        group="g",
        access_mode=models.ClusterVolumeSpecAccessMode(scope="single", block_volume={}),
        availability="drain",
        capacity_range=models.ClusterVolumeSpecCapacityRange(required_bytes=1),
        secrets=[models.ClusterVolumeSpecSecretsItem(key="k", secret="s")],
    )
    assert as_json(spec) == {
        "Group": "g",
        "AccessMode": {"Scope": "single", "BlockVolume": {}},
        "CapacityRange": {"RequiredBytes": 1},
        "Secrets": [{"Key": "k", "Secret": "s"}],
        "Availability": "drain",
    }
    assert msgspec.json.decode(msgspec.json.encode(spec), type=models.ClusterVolumeSpec) == spec
