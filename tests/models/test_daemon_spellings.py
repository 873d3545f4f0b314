"""Shapes real daemons send where the spec says otherwise (see PATCHES in generate_models)."""

from __future__ import annotations

import msgspec

from aiodocker_engine import models


def test_a_service_healthcheck_is_read_under_the_key_dockerd_sends() -> None:
    # Go's ContainerSpec.Healthcheck has no JSON tag: the key is `Healthcheck`.
    raw = b'{"Image": "busybox", "Healthcheck": {"Test": ["CMD", "true"], "Retries": 2}}'
    spec = msgspec.json.decode(raw, type=models.TaskSpecContainerSpec)
    assert spec.healthcheck == models.HealthConfig(test=["CMD", "true"], retries=2)
    assert b'"Healthcheck":' in msgspec.json.encode(spec)  # and written back the same way


def test_volume_status_values_may_be_any_json() -> None:
    raw = b'{"Volumes": [{"Name": "v", "Driver": "x", "Status": {"ready": true, "size": "1G"}}]}'
    listed = msgspec.json.decode(raw, type=models.VolumeListResponse)
    assert listed.volumes is not None
    assert listed.volumes[0].status == {"ready": True, "size": "1G"}


def test_a_rollback_config_may_say_rollback_as_dockerd_reports_it() -> None:
    raw = b'{"Name": "s", "RollbackConfig": {"FailureAction": "rollback"}}'
    spec = msgspec.json.decode(raw, type=models.ServiceSpec)
    assert spec.rollback_config is not None
    assert spec.rollback_config.failure_action == "rollback"
