"""Push and pull against real registries (open and basic-auth) through the real engine."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from aiodocker_engine import Docker, errors, models
from aiodocker_engine._auth import CredentialStore, RegistryAuth
from aiodocker_engine.streams._progress import ProgressError, ProgressTotals
from aiodocker_engine.testing._registry import Registry

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


@pytest.fixture
async def pushed_names(docker: Docker) -> AsyncIterator[list[str]]:
    made: list[str] = []
    try:
        yield made
    finally:
        with anyio.CancelScope(shield=True):
            for name in made:
                with contextlib.suppress(errors.NotFound):
                    await docker.images.remove(name, force=True)


def _name(registry: Registry, stem: str, session: str, backend: object) -> str:
    return f"{registry.host}/aiodocker/{stem}-{session}-{backend}:v1"


async def test_push_remove_pull_round_trip(
    docker: Docker,
    docker_registry: Registry,
    docker_test_image: str,
    docker_session_id: str,
    anyio_backend: str,
    pushed_names: list[str],
) -> None:
    name = _name(docker_registry, "roundtrip", docker_session_id, anyio_backend)
    pushed_names.append(name)
    await docker.images.tag(docker_test_image, name)
    pushed = await docker.images.push(name)
    assert pushed.digest is not None and pushed.digest.startswith("sha256:")
    await docker.images.remove(name)
    with pytest.raises(errors.NotFound):
        await docker.images.inspect(name)

    stream = docker.images.pull(name)
    messages: list[models.ProgressMessage] = []
    async with stream:
        async for message in stream:
            messages.append(message)
    assert stream.result.digest == pushed.digest
    assert stream.result.status is not None and name in stream.result.status
    info = await docker.images.inspect(name)
    assert f"{name.rsplit(':', 1)[0]}@{pushed.digest}" in (info.repo_digests or [])
    assert isinstance(stream.totals, ProgressTotals)
    # Pulling by digest resolves to the same image.
    by_digest = await docker.images.pull(f"{name.rsplit(':', 1)[0]}@{pushed.digest}")
    assert by_digest.digest == pushed.digest


async def test_push_progress_totals_add_up(
    docker: Docker,
    docker_registry: Registry,
    docker_session_id: str,
    anyio_backend: str,
    pushed_names: list[str],
    tmp_path: Path,
) -> None:
    """A fresh 3 MiB layer: its Pushing progress sums to its size, every layer ends done."""
    name = _name(docker_registry, "totals", docker_session_id, anyio_backend)
    pushed_names.append(name)
    (tmp_path / "blob").write_bytes(os.urandom(3 * 1024 * 1024))
    (tmp_path / "Dockerfile").write_text("FROM busybox\nCOPY blob /blob\n")
    await docker.images.build(tmp_path, tag=name)
    stream = docker.images.push(name)
    fractions: list[float] = []
    async with stream:
        async for _ in stream:
            if stream.totals.fraction is not None:
                fractions.append(stream.totals.fraction)
    totals = stream.totals
    assert totals.layers and totals.done == len(totals.layers)
    assert totals.total >= 3 * 1024 * 1024 and totals.current == totals.total
    assert fractions and fractions[-1] == 1.0
    assert any(0 < f < 1 for f in fractions) or len(fractions) > 1


async def test_pull_of_a_missing_image_is_not_found(
    docker: Docker, docker_registry: Registry
) -> None:
    with pytest.raises(errors.NotFound):
        await docker.images.pull(f"{docker_registry.host}/aiodocker/never-pushed:v1")


async def test_push_with_bad_credentials_raises(
    docker: Docker,
    docker_auth_registry: Registry,
    docker_test_image: str,
    docker_session_id: str,
    anyio_backend: str,
    pushed_names: list[str],
) -> None:
    name = _name(docker_auth_registry, "denied", docker_session_id, anyio_backend)
    pushed_names.append(name)
    await docker.images.tag(docker_test_image, name)
    wrong = {"username": docker_auth_registry.username or "", "password": "not-the-password"}
    with pytest.raises(errors.StreamError) as caught:
        await docker.images.push(name, auth=wrong)
    assert isinstance(caught.value, ProgressError)
    assert "unauthorized" in caught.value.message.lower() or "auth" in caught.value.message
    assert "not-the-password" not in str(caught.value)
    with pytest.raises(errors.StreamError):
        await docker.images.push(name, auth={})  # no credentials at all


async def test_push_and_pull_with_credentials(
    docker: Docker,
    docker_auth_registry: Registry,
    docker_test_image: str,
    docker_session_id: str,
    anyio_backend: str,
    pushed_names: list[str],
) -> None:
    name = _name(docker_auth_registry, "allowed", docker_session_id, anyio_backend)
    pushed_names.append(name)
    await docker.images.tag(docker_test_image, name)
    pushed = await docker.images.push(name, auth=docker_auth_registry.auth)
    assert pushed.digest
    await docker.images.remove(name)
    with pytest.raises(errors.DockerError):
        await docker.images.pull(name, auth={})
    pulled = await docker.images.pull(name, auth=RegistryAuth.coerce(docker_auth_registry.auth))
    assert pulled.digest == pushed.digest


async def test_credentials_for_another_registry_are_refused(
    docker: Docker, docker_auth_registry: Registry
) -> None:
    auth = {**docker_auth_registry.auth, "serveraddress": "elsewhere.example:5000"}
    with pytest.raises(ValueError, match="will not be sent") as caught:
        await docker.images.pull(f"{docker_auth_registry.host}/aiodocker/x:v1", auth=auth)
    assert (docker_auth_registry.password or "?") not in str(caught.value)


def _config(directory: Path, content: dict[str, object]) -> CredentialStore:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(content))
    return CredentialStore(directory)


async def test_push_with_credentials_from_config_auths(
    docker: Docker,
    docker_auth_registry: Registry,
    docker_test_image: str,
    docker_session_id: str,
    anyio_backend: str,
    pushed_names: list[str],
    tmp_path: Path,
) -> None:
    secret = f"{docker_auth_registry.username}:{docker_auth_registry.password}"
    docker.images.credentials = _config(
        tmp_path,
        {"auths": {f"http://{docker_auth_registry.host}/v1/": {"auth": _b64(secret)}}},
    )
    name = _name(docker_auth_registry, "config", docker_session_id, anyio_backend)
    pushed_names.append(name)
    await docker.images.tag(docker_test_image, name)
    assert (await docker.images.push(name)).digest


async def test_push_with_a_credential_helper(
    docker: Docker,
    docker_auth_registry: Registry,
    docker_test_image: str,
    docker_session_id: str,
    anyio_backend: str,
    pushed_names: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked.txt"
    answer = json.dumps(
        {
            "ServerURL": docker_auth_registry.host,
            "Username": docker_auth_registry.username,
            "Secret": docker_auth_registry.password,
        }
    )
    helper = bin_dir / "docker-credential-aiodockertest"
    helper.write_text(f"#!/bin/sh\n[ \"$1\" = get ] || exit 3\ncat > {asked}\necho '{answer}'\n")
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    docker.images.credentials = _config(
        tmp_path / "config",
        {"credHelpers": {docker_auth_registry.host: "aiodockertest"}},
    )
    name = _name(docker_auth_registry, "helper", docker_session_id, anyio_backend)
    pushed_names.append(name)
    await docker.images.tag(docker_test_image, name)
    assert (await docker.images.push(name)).digest
    assert asked.read_text().strip() == docker_auth_registry.host


async def test_a_missing_credential_helper_is_reported(
    docker: Docker, docker_auth_registry: Registry, tmp_path: Path
) -> None:
    docker.images.credentials = _config(tmp_path, {"credsStore": "aiodocker-absent"})
    with pytest.raises(errors.DockerError, match="docker-credential-aiodocker-absent"):
        await docker.images.pull(f"{docker_auth_registry.host}/aiodocker/x:v1")


async def test_build_pulls_from_an_auth_registry_with_registry_config(
    docker: Docker,
    docker_auth_registry: Registry,
    docker_test_image: str,
    docker_session_id: str,
    anyio_backend: str,
    pushed_names: list[str],
    tmp_path: Path,
) -> None:
    base = _name(docker_auth_registry, "base", docker_session_id, anyio_backend)
    pushed_names.append(base)
    await docker.images.tag(docker_test_image, base)
    await docker.images.push(base, auth=docker_auth_registry.auth)
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nRUN true\n")
    built = await docker.images.build(
        tmp_path, pull=True, auth={docker_auth_registry.host: docker_auth_registry.auth}
    )
    assert built.image_id
    with pytest.raises(errors.StreamError):
        await docker.images.build(tmp_path, pull=True, nocache=True, auth={})


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
