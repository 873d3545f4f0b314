"""The harness against real engines: the session engine, the test image, restarts, killed runs.

These use the harness's own stdlib HTTP, not the async client, so they test the harness alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiodocker_engine.testing import SESSION_LABEL, Engine, HarnessError, _http, provide_engine
from aiodocker_engine.testing._cleanup import mount_points_under, pid_alive, processes_naming
from aiodocker_engine.testing._image import TEST_IMAGE, ensure_test_image
from aiodocker_engine.testing.plugin import sweep

pytestmark = pytest.mark.aiodocker_engine

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="starting a private dockerd needs root")

V = "/v1.41"


def run_container(host: str, cmd: list[str], *, image: str = TEST_IMAGE) -> tuple[int, bytes]:
    """Create, start and wait for a container; its exit code and stdout+stderr."""
    created = _http.request(
        host,
        "POST",
        f"{V}/containers/create",
        body=json.dumps({"Image": image, "Cmd": cmd}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert created.status == 201, created.body
    ident = created.json()["Id"]
    try:
        assert _http.request(host, "POST", f"{V}/containers/{ident}/start").status == 204
        waited = _http.request_json(host, "POST", f"{V}/containers/{ident}/wait")
        logs = _http.request(
            host, "GET", f"{V}/containers/{ident}/logs", query={"stdout": "1", "stderr": "1"}
        ).body
    finally:
        _http.request(host, "DELETE", f"{V}/containers/{ident}", query={"force": "1"})
    return waited["StatusCode"], _demultiplex(logs)


def _demultiplex(data: bytes) -> bytes:
    out, pos = bytearray(), 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "big")
        out += data[pos + 8 : pos + 8 + size]
        pos += 8 + size
    return bytes(out)


@pytest.fixture
def private_base() -> Iterator[Path]:
    """A short base dir of our own (Unix socket paths must stay under 108 bytes)."""
    base = Path(tempfile.mkdtemp(prefix="aet-"))
    try:
        yield base
    finally:
        leftovers = processes_naming(f"{base}/")
        subprocess.run(["rm", "-rf", str(base)], check=False)
        assert not leftovers, f"processes left running in {base}: {leftovers}"


def test_engine_answers_ping(docker_engine: Engine) -> None:
    headers = _http.ping(docker_engine.host)
    assert headers is not None
    assert headers["api-version"] == docker_engine.api_version
    if docker_engine.started_here:
        # The daemon the harness starts is Debian's docker.io: Docker 20.10, API 1.41.
        assert docker_engine.api_version == "1.41"
        assert docker_engine.server.startswith("Docker/20.10")
        assert docker_engine.data_root is not None and docker_engine.data_root.is_dir()
        assert set(docker_engine.pids) == {"dockerd", "containerd"}
        info = _http.request_json(docker_engine.host, "GET", f"{V}/info")
        assert info["Driver"] == docker_engine.storage_driver
        assert info["DockerRootDir"] == str(docker_engine.data_root)


def test_test_image_has_busybox_applets_and_users(
    docker_engine: Engine, docker_test_image: str
) -> None:
    image = _http.request_json(docker_engine.host, "GET", f"{V}/images/{docker_test_image}/json")
    assert image["Config"]["Cmd"] == ["sh"]
    code, out = run_container(
        docker_engine.host,
        ["sh", "-c", "echo hello | wc -c; id -u user; id -u nobody; ls -d /tmp; busybox true"],
    )
    assert (code, out) == (0, b"6\n1000\n65534\n/tmp\n")


def test_busybox_alias_points_at_test_image_on_own_engine(
    docker_engine: Engine, docker_test_image: str
) -> None:
    alias = _http.request_json(docker_engine.host, "GET", f"{V}/images/busybox:latest/json")
    image = _http.request_json(docker_engine.host, "GET", f"{V}/images/{docker_test_image}/json")
    if docker_engine.started_here:
        assert alias["Id"] == image["Id"]
    assert run_container(docker_engine.host, ["echo", "hi"], image="busybox")[1] == b"hi\n"


def test_ensure_test_image_is_idempotent(docker_engine: Engine, docker_test_image: str) -> None:
    before = _http.request_json(docker_engine.host, "GET", f"{V}/images/{docker_test_image}/json")
    ensure_test_image(docker_engine.host, api_version=docker_engine.api_version, aliases=())
    after = _http.request_json(docker_engine.host, "GET", f"{V}/images/{docker_test_image}/json")
    assert before["Id"] == after["Id"]


def test_sweep_removes_only_this_sessions_labelled_objects(
    docker_engine: Engine, docker_test_image: str
) -> None:
    host = docker_engine.host
    # A session of its own, so whatever another test may have left is not in the count.
    session = f"sweep-{uuid.uuid4().hex[:10]}"
    labels = {SESSION_LABEL: session}
    other = {SESSION_LABEL: f"someone-else-{session}"}

    def create(path: str, body: dict[str, object]) -> str:
        resp = _http.request(
            host,
            "POST",
            f"{V}{path}",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert resp.status == 201, resp.body
        made = resp.json()
        return str(made.get("Id") or made.get("Name"))

    label = f"{SESSION_LABEL}={session}"
    try:
        mine = [
            create("/containers/create", {"Image": docker_test_image, "Labels": labels}),
            create("/networks/create", {"Name": f"aet-{session}-net", "Labels": labels}),
            create("/volumes/create", {"Name": f"aet-{session}-vol", "Labels": labels}),
        ]
        theirs = create("/volumes/create", {"Name": f"aet-{session}-other", "Labels": other})
        try:
            removed = sweep(host, docker_engine.api_version, label)
            assert sorted(r.split()[1] for r in removed) == sorted(mine)
            assert _http.request(host, "GET", f"{V}/volumes/{theirs}").status == 200
        finally:
            _http.request(host, "DELETE", f"{V}/volumes/{theirs}")
    finally:
        sweep(host, docker_engine.api_version, label)


@needs_root
def test_restart_keeps_data_root_and_image(private_base: Path) -> None:
    with provide_engine("start", base_dir=private_base) as engine:
        ensure_test_image(engine.host)
        old_pids = engine.pids
        began = time.monotonic()
        engine.restart()
        restart_seconds = time.monotonic() - began
        assert engine.pids.keys() == old_pids.keys()
        assert not set(engine.pids.values()) & set(old_pids.values())
        assert _http.ping(engine.host) is not None
        info = _http.request_json(engine.host, "GET", f"{V}/info")
        assert info["DockerRootDir"] == str(engine.data_root)
        assert _http.request(engine.host, "GET", f"{V}/images/{TEST_IMAGE}/json").status == 200
        assert run_container(engine.host, ["echo", "again"])[1] == b"again\n"
        assert restart_seconds < 30
    assert not (private_base / "slot-0").exists()
    assert not mount_points_under(private_base)


_KILLED_RUN = """
import json, sys, time
from pathlib import Path
from aiodocker_engine.testing import provide_engine, ensure_test_image
engine = provide_engine("start", base_dir=Path(sys.argv[1]))
ensure_test_image(engine.host)
print(json.dumps({"host": engine.host, "pids": engine.pids}), flush=True)
time.sleep(600)
"""


@needs_root
def test_provide_engine_recovers_from_a_killed_run(private_base: Path) -> None:
    """A run killed with SIGKILL leaves dockerd, containerd, a shim, a container and mounts."""
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_RUN, str(private_base)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, "the child run could not start its engine"
        started = json.loads(line)
        host = started["host"]
        created = _http.request(
            host,
            "POST",
            f"{V}/containers/create",
            body=json.dumps({"Image": TEST_IMAGE, "Cmd": ["sleep", "600"]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        ident = created.json()["Id"]
        assert _http.request(host, "POST", f"{V}/containers/{ident}/start").status == 204
        container_pid = _http.request_json(host, "GET", f"{V}/containers/{ident}/json")["State"][
            "Pid"
        ]
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    # What a killed run leaves behind: live daemons, shim, container, mounts, pidfiles.
    assert all(pid_alive(pid) for pid in started["pids"].values())
    assert pid_alive(container_pid)
    assert mount_points_under(private_base)
    assert (private_base / "slot-0" / "dockerd.pid").exists()

    with provide_engine("start", base_dir=private_base) as engine:
        assert engine.host == host  # the slot was free again, and was reused
        assert not any(pid_alive(pid) for pid in started["pids"].values())
        assert not pid_alive(container_pid)
        assert _http.request(host, "GET", f"{V}/containers/{ident}/json").status == 404
        assert (
            run_container(engine.host, ["echo", "fresh"], image=ensure_test_image(host))[1]
            == b"fresh\n"
        )
    assert not processes_naming(f"{private_base}/")
    assert not mount_points_under(private_base)


@needs_root
def test_failed_start_raises_with_the_end_of_dockerds_log(private_base: Path) -> None:
    with pytest.raises(HarnessError, match="dockerd exited with status") as caught:
        provide_engine("start", base_dir=private_base, storage_driver="no-such-driver")
    assert "no-such-driver" in str(caught.value)  # dockerd's own complaint, from its log
    assert not (private_base / "slot-0").exists()
    assert not mount_points_under(private_base)
