"""The create body built from a model and keywords (`containers.create`, `containers.run`)."""

from __future__ import annotations

import pytest

from aiodocker_engine._versions import require_parameters
from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._create import create_request
from aiodocker_engine.errors import VersionError
from aiodocker_engine.models import (
    ContainerCreateRequest,
    HealthConfig,
    HostConfig,
    Mount,
    MountBindOptions,
    PortBinding,
    ServiceSpec,
    TaskSpec,
    TaskSpecContainerSpec,
)


def test_keywords_land_in_the_body_or_its_host_config() -> None:
    request, names = create_request(None, {"cmd": "sh -c 'echo hi'", "memory": 5, "tty": True})
    assert request.cmd == ["sh", "-c", "echo hi"]
    assert request.tty is True
    assert request.host_config == HostConfig(memory=5)
    assert sorted(names) == ["Cmd", "HostConfig", "HostConfig.Memory", "Tty"]


def test_keywords_add_to_the_bodys_own_host_config() -> None:
    body = ContainerCreateRequest(image="x", host_config=HostConfig(auto_remove=True))
    request, names = create_request(body, {"memory": 5})
    assert request.host_config is not None
    assert (request.host_config.auto_remove, request.host_config.memory) == (True, 5)
    assert request.image == "x"
    assert set(names) == {"HostConfig", "HostConfig.AutoRemove", "HostConfig.Memory", "Image"}
    assert body.host_config == HostConfig(auto_remove=True)  # the caller's model is untouched


def test_a_host_config_given_as_a_mapping_is_typed() -> None:
    request, _ = create_request(None, {"host_config": {"AutoRemove": True}})
    assert request.host_config == HostConfig(auto_remove=True)


def test_bad_fields_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"unknown field 'memroy'.*did you mean memory"):
        create_request(None, {"memroy": 5})
    with pytest.raises(TypeError, match=r"inside host_config= or as keywords, not both"):
        create_request(None, {"host_config": {"Memory": 1}, "memory": 5})
    with pytest.raises(ValueError, match=r"containers.create\(\): Expected `int.*Memory"):
        create_request(None, {"memory": "lots"})


def test_nested_fields_are_gated_by_version_both_ways() -> None:
    _, names = create_request(None, {"annotations": {"a": "b"}, "kernel_memory": 1 << 22})
    with pytest.raises(VersionError, match=r"'HostConfig.Annotations' needs API 1\.43"):
        require_parameters("ContainerCreate", (1, 41), names)
    with pytest.raises(VersionError, match=r"'HostConfig.KernelMemory' was removed after"):
        require_parameters("ContainerCreate", (1, 43), names)
    _, names = create_request(None, {"cgroupns_mode": "private", "init": True})
    require_parameters("ContainerCreate", (1, 41), names)  # both exist at 1.41
    with pytest.raises(VersionError, match=r"HostConfig\.CgroupnsMode"):
        require_parameters("ContainerCreate", (1, 40), names)


def test_fields_deep_inside_the_host_config_are_gated_too() -> None:
    options = MountBindOptions(create_mountpoint=True)
    mount = Mount(type="bind", source="/srv", target="/srv", bind_options=options)
    _, names = create_request(None, {"mounts": [mount]})
    assert "HostConfig.Mounts[].BindOptions.CreateMountpoint" in names
    with pytest.raises(VersionError, match=r"'HostConfig\.Mounts\[\]\.BindOptions\.CreateMount"):
        require_parameters("ContainerCreate", (1, 41), names)
    require_parameters("ContainerCreate", (1, 42), names)


def test_a_field_the_docs_only_reshaped_is_not_gated() -> None:
    # PortBindings values were documented as objects up to v1.34 and as lists of them
    # since: no evidence of a change in the daemon, so no gate either way.
    bindings = {"80/tcp": [PortBinding(host_ip="127.0.0.1", host_port="8080")]}
    _, names = create_request(None, {"port_bindings": bindings})
    assert "HostConfig.PortBindings{}[].HostPort" in names
    for version in ((1, 25), (1, 34), (1, 41), (1, 55)):
        require_parameters("ContainerCreate", version, names)


def test_a_service_healthcheck_field_is_gated_under_the_key_the_daemon_reads() -> None:
    hc = HealthConfig(test=["CMD", "true"], start_interval=1_000_000_000)
    task = TaskSpec(container_spec=TaskSpecContainerSpec(image="busybox", healthcheck=hc))
    _, names = build_body(ServiceSpec, None, {"task_template": task}, gated=("task_template",))
    assert "TaskTemplate.ContainerSpec.Healthcheck.StartInterval" in names
    with pytest.raises(VersionError, match=r"Healthcheck\.StartInterval' needs API 1\.44"):
        require_parameters("ServiceCreate", (1, 41), names)
