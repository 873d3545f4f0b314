"""The async fixtures on both anyio backends: the `docker` client and `container_factory`."""

from __future__ import annotations

import json

import pytest

from aiodocker_engine import Docker
from aiodocker_engine.testing import SESSION_LABEL, Engine, _http
from aiodocker_engine.testing.plugin import ContainerFactory

pytestmark = pytest.mark.anyio


def _labelled_containers(engine: Engine, labels: dict[str, str]) -> list[str]:
    label = [f"{key}={value}" for key, value in labels.items()]
    listed = _http.request_json(
        engine.host,
        "GET",
        "/v1.41/containers/json",
        query={"all": "1", "filters": json.dumps({"label": label})},
    )
    return [c["Id"] for c in listed]


async def test_docker_fixture_talks_to_the_session_engine(
    docker: Docker, docker_engine: Engine
) -> None:
    ping = await docker.system.ping()
    assert ping.api_version == docker_engine.api_version


async def test_container_factory_labels_containers_with_the_session(
    container_factory: ContainerFactory,
    docker: Docker,
    docker_test_labels: dict[str, str],
    docker_test_image: str,
) -> None:
    created = await container_factory(cmd=["true"], labels={"purpose": "check"})
    assert created.id is not None
    inspected = await docker.containers.inspect(created.id)
    assert inspected.config is not None
    assert inspected.config.image == docker_test_image
    assert inspected.config.labels == {"purpose": "check", **docker_test_labels}
    assert created.id in container_factory.ids


_FAILING_TEST = """
import pytest

pytestmark = pytest.mark.anyio

async def test_fails_after_creating(container_factory, anyio_backend):
    await container_factory(cmd=["sleep", "600"], labels={LABELS})
    await container_factory(labels={LABELS})
    assert len(container_factory.ids) == 2
    raise RuntimeError("the test failed")
"""


def test_container_factory_removes_containers_when_the_test_fails(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    docker_engine: Engine,
    docker_test_image: str,
    docker_session_id: str,
) -> None:
    labels = {f"{SESSION_LABEL}.inner": docker_session_id}
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(_FAILING_TEST.replace("{LABELS}", repr(labels)))
    monkeypatch.setenv("DOCKER_HOST", docker_engine.host)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--docker-engine=external")
    result.assert_outcomes(failed=2)  # once per anyio backend
    result.stdout.fnmatch_lines(["*RuntimeError: the test failed*"])
    assert _labelled_containers(docker_engine, labels) == []


_LEAKY_TEST = """
import json
from aiodocker_engine.testing import _http

def test_leaks_a_volume(docker_engine, docker_test_labels):
    body = {"Name": "aet-leaked-volume", "Labels": docker_test_labels}
    resp = _http.request(docker_engine.host, "POST", "/v1.41/volumes/create",
                         body=json.dumps(body).encode(),
                         headers={"Content-Type": "application/json"})
    assert resp.status == 201
"""


def test_session_sweep_removes_what_tests_leaked_on_an_external_engine(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, docker_engine: Engine
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(_LEAKY_TEST)
    monkeypatch.setenv("DOCKER_HOST", docker_engine.host)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--docker-engine=external")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*swept 1 leftover objects: volume aet-leaked-volume*"])
    assert (
        _http.request(docker_engine.host, "GET", "/v1.41/volumes/aet-leaked-volume").status == 404
    )
