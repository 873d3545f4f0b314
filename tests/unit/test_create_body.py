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


def test_mappings_for_models_take_attribute_or_wire_names_at_every_level() -> None:
    """msgspec drops unknown keys: `{"name": "always"}` used to arrive as an empty policy."""
    request, _ = create_request(
        None,
        {
            "restart_policy": {"name": "always", "MaximumRetryCount": 0},
            "ulimits": [{"name": "nofile", "soft": 1024, "hard": 2048}],
            "port_bindings": {"80/tcp": [{"host_ip": "127.0.0.1", "HostPort": "8080"}]},
            "healthcheck": {"test": ["CMD", "true"], "interval": 10**9},
            "log_config": {"type": "none"},
        },
    )
    hc = request.host_config
    assert hc is not None and hc.restart_policy is not None
    assert hc.restart_policy.name == "always"
    assert hc.ulimits is not None and (hc.ulimits[0].name, hc.ulimits[0].hard) == ("nofile", 2048)
    assert hc.port_bindings == {"80/tcp": [PortBinding(host_ip="127.0.0.1", host_port="8080")]}
    assert hc.log_config is not None and hc.log_config.type == "none"
    assert request.healthcheck == HealthConfig(test=["CMD", "true"], interval=10**9)
    whole, _ = create_request(None, {"host_config": {"network_mode": "none", "Memory": 64}})
    assert whole.host_config == HostConfig(network_mode="none", memory=64)
    # A mapping put inside a model is not checked when the model is made: it is here.
    inside = ContainerCreateRequest(host_config=HostConfig(restart_policy={"name": "no"}))  # type: ignore[arg-type]
    merged, _ = create_request(inside, {})
    assert merged.host_config is not None and merged.host_config.restart_policy is not None
    assert merged.host_config.restart_policy.name == "no"


def test_a_nested_model_keyword_adds_to_the_bodys_own_field_by_field() -> None:
    body = ContainerCreateRequest(
        image="x", host_config=HostConfig(memory=64, network_mode="none", cpu_shares=2)
    )
    request, _ = create_request(body, {"host_config": HostConfig(cpu_shares=512)})
    assert request.host_config == HostConfig(memory=64, network_mode="none", cpu_shares=512)
    request, _ = create_request(body, {"host_config": {"memory": 128}, "image": "y"})
    assert request.host_config == HostConfig(memory=128, network_mode="none", cpu_shares=2)
    assert request.image == "y"  # a keyword wins over the body's field


def test_a_key_no_model_has_is_refused_not_dropped() -> None:
    with pytest.raises(TypeError, match=r"RestartPolicy has no field 'nmae'.*did you mean name"):
        create_request(None, {"restart_policy": {"nmae": "always"}})
    with pytest.raises(TypeError, match=r"host_config.*HostConfig has no field 'memroy'"):
        create_request(None, {"host_config": {"memroy": 5}})


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
