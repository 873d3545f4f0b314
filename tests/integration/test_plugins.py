"""Managed plugins and distribution inspect against the real engine and a local registry.

No plugin registry is reachable, so the plugin is made here: `config.json` plus a rootfs
taken from the busybox test image (`containers.export`) and a tiny static program that
listens on the plugin's socket (dockerd enables a plugin only once something accepts
connections there; busybox cannot listen on a Unix socket). It is compiled with the
machine's C compiler. The plugin goes to the local registry and comes back by pull and
upgrade, so every plugin operation runs for real.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from aiodocker_engine import Docker, errors, models
from aiodocker_engine.streams._progress import ProgressResult
from aiodocker_engine.testing._registry import Registry

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]

_LISTENER_C = rb"""
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (argc < 2 || s < 0) return 2;
    strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
    unlink(argv[1]);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) return 1;
    for (;;) { int c = accept(s, 0, 0); if (c >= 0) close(c); }
}
"""


def _config(description: str) -> bytes:
    return json.dumps(
        {
            "Description": description,
            "Documentation": "https://example.invalid/aiodocker-engine",
            "Entrypoint": ["/listener", "/run/docker/plugins/test.sock"],
            "Interface": {"Types": ["docker.volumedriver/1.0"], "Socket": "test.sock"},
            "Network": {"Type": "host"},
            "Env": [{"Name": "DEBUG", "Description": "debug", "Settable": ["value"], "Value": "0"}],
            "Linux": {"Capabilities": [], "AllowAllDevices": False, "Devices": None},
            "Args": {"Name": "", "Description": "", "Settable": None, "Value": None},
        }
    ).encode()


@pytest.fixture(scope="module")
def listener(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The static socket listener, compiled once (a missing compiler fails, never skips)."""
    import shutil
    import subprocess

    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.fail("the plugin tests need a C compiler (apt-get install gcc libc6-dev)")
    work = tmp_path_factory.mktemp("listener")
    (work / "listener.c").write_bytes(_LISTENER_C)
    done = subprocess.run(
        [compiler, "-static", "-Os", "-o", str(work / "listener"), str(work / "listener.c")],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"cannot build the plugin's listener: {done.stderr.decode()[-2000:]}")
    return (work / "listener").read_bytes()


async def _plugin_tar(docker: Docker, image: str, listener: bytes, description: str) -> bytes:
    container = await docker.containers.create(image=image, cmd=["true"])
    try:
        exported = bytearray()
        async for chunk in docker.containers.export(container.id):
            exported += chunk
    finally:
        await docker.containers.remove(container.id, force=True)

    def build() -> bytes:
        out = io.BytesIO()
        with (
            tarfile.open(fileobj=io.BytesIO(bytes(exported))) as source,
            tarfile.open(fileobj=out, mode="w") as tar,
        ):
            config = tarfile.TarInfo("config.json")
            data = _config(description)
            config.size = len(data)
            tar.addfile(config, io.BytesIO(data))
            for member in source.getmembers():
                payload = source.extractfile(member) if member.isfile() else None
                member.name = f"rootfs/{member.name.lstrip('./')}".rstrip("/")
                if member.islnk():
                    member.linkname = f"rootfs/{member.linkname.lstrip('./')}"
                tar.addfile(member, payload)
            for directory in ("rootfs/run/docker/plugins",):
                info = tarfile.TarInfo(directory)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            program = tarfile.TarInfo("rootfs/listener")
            program.size = len(listener)
            program.mode = 0o755
            tar.addfile(program, io.BytesIO(listener))
        return out.getvalue()

    return await anyio.to_thread.run_sync(build)


@pytest.fixture
async def plugin_names(docker: Docker) -> AsyncIterator[list[str]]:
    made: list[str] = []
    try:
        yield made
    finally:
        with anyio.CancelScope(shield=True):
            for name in made:
                with contextlib.suppress(errors.NotFound):
                    await docker.plugins.remove(name, force=True)


async def test_plugin_create_inspect_configure_enable_disable_remove(
    docker: Docker,
    docker_test_image: str,
    listener: bytes,
    plugin_names: list[str],
    docker_session_id: str,
    anyio_backend: str,
    tmp_path: Path,
) -> None:
    name = f"aiodocker/plugin-{docker_session_id}-{anyio_backend}:v1"
    plugin_names.append(name)
    tar = tmp_path / "plugin.tar"
    tar.write_bytes(await _plugin_tar(docker, docker_test_image, listener, "first"))
    await docker.plugins.create(name, tar)  # streamed from the file
    plugin = await docker.plugins.inspect(name)
    assert isinstance(plugin, models.Plugin)
    assert plugin.name == name and plugin.enabled is False
    assert plugin.config is not None and plugin.config.description == "first"
    assert plugin.settings is not None and plugin.settings.env == ["DEBUG=0"]
    assert plugin.id is not None and (await docker.plugins.inspect(plugin.id[:12])).name == name
    listed = await docker.plugins.list(filters={"capability": "volumedriver"})
    assert name in [p.name for p in listed]
    assert name not in [p.name for p in await docker.plugins.list(filters={"enabled": True})]

    await docker.plugins.configure(name, {"DEBUG": "1"})
    configured = await docker.plugins.inspect(name)
    assert configured.settings is not None and configured.settings.env == ["DEBUG=1"]
    with pytest.raises(errors.APIError, match="NOPE"):
        await docker.plugins.configure(name, ["NOPE=1"])

    await docker.plugins.enable(name, timeout=30)
    assert (await docker.plugins.inspect(name)).enabled is True
    assert name in [p.name for p in await docker.plugins.list(filters={"enabled": True})]
    with pytest.raises(errors.APIError):
        await docker.plugins.configure(name, ["DEBUG=0"])  # refused while enabled
    with pytest.raises(errors.APIError):
        await docker.plugins.remove(name)  # refused while enabled
    await docker.plugins.disable(name)
    assert (await docker.plugins.inspect(name)).enabled is False
    await docker.plugins.remove(name)
    with pytest.raises(errors.NotFound):
        await docker.plugins.inspect(name)
    with pytest.raises(errors.APIError):
        await docker.plugins.create(name, b"not a tar")


async def test_plugin_enable_without_a_timeout_sends_the_default_and_missing_is_not_found(
    docker: Docker,
    docker_test_image: str,
    listener: bytes,
    plugin_names: list[str],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    """dockerd parses `timeout` with Atoi: a request without it fails with 500 (20.10)."""
    name = f"aiodocker/plugin-default-timeout-{docker_session_id}-{anyio_backend}:v1"
    plugin_names.append(name)
    await docker.plugins.create(
        name, await _plugin_tar(docker, docker_test_image, listener, "default timeout")
    )
    await docker.plugins.enable(name)
    assert (await docker.plugins.inspect(name)).enabled is True
    await docker.plugins.disable(name)
    with pytest.raises(errors.NotFound, match="not found"):
        await docker.plugins.enable(f"aiodocker/no-such-plugin-{docker_session_id}:v1")


async def test_plugin_push_privileges_pull_and_upgrade_through_a_registry(
    docker: Docker,
    docker_registry: Registry,
    docker_test_image: str,
    listener: bytes,
    plugin_names: list[str],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    repo = f"{docker_registry.host}/aiodocker/plugin-{docker_session_id}-{anyio_backend}"
    v1, v2 = f"{repo}:v1", f"{repo}:v2"
    plugin_names.extend([v1, v2])
    for ref, description in ((v1, "first"), (v2, "second")):
        await docker.plugins.create(
            ref, await _plugin_tar(docker, docker_test_image, listener, description)
        )
        pushed = await docker.plugins.push(ref)
        assert isinstance(pushed, ProgressResult)
        assert pushed.digest is not None and pushed.digest.startswith("sha256:")
        await docker.plugins.remove(ref)

    privileges = await docker.plugins.privileges(v1)
    assert [(p.name, p.value) for p in privileges] == [("network", ["host"])]
    # Granting less than the plugin asks for is refused.
    with pytest.raises(errors.DockerError):
        await docker.plugins.pull(v1)
    local = f"aiodocker/pulled-{docker_session_id}-{anyio_backend}:latest"
    plugin_names.append(local)
    stream = docker.plugins.pull(v1, name=local, privileges=privileges)
    messages = [message async for message in stream]
    assert messages and stream.result.digest is not None
    pulled = await docker.plugins.inspect(local)
    assert pulled.plugin_reference == v1 and pulled.enabled is False
    assert pulled.config is not None and pulled.config.description == "first"

    await docker.plugins.upgrade(local, v2, privileges=await docker.plugins.privileges(v2))
    upgraded = await docker.plugins.inspect(local)
    assert upgraded.plugin_reference == v2 and upgraded.name == local
    assert upgraded.config is not None and upgraded.config.description == "second"
    await docker.plugins.remove(local)


async def test_plugin_privileges_are_read_with_credentials_from_a_registry_that_needs_them(
    docker: Docker,
    docker_auth_registry: Registry,
    docker_test_image: str,
    listener: bytes,
    plugin_names: list[str],
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    ref = f"{docker_auth_registry.host}/aiodocker/plugin-{docker_session_id}-{anyio_backend}:v1"
    plugin_names.append(ref)
    await docker.plugins.create(
        ref, await _plugin_tar(docker, docker_test_image, listener, "behind a login")
    )
    await docker.plugins.push(ref, auth=docker_auth_registry.auth)
    await docker.plugins.remove(ref)
    privileges = await docker.plugins.privileges(ref, auth=docker_auth_registry.auth)
    assert [(p.name, p.value) for p in privileges] == [("network", ["host"])]
    await docker.plugins.pull(ref, privileges=privileges, auth=docker_auth_registry.auth)
    assert (await docker.plugins.inspect(ref)).plugin_reference == ref
    await docker.plugins.remove(ref)


async def test_distribution_inspect_reports_the_pushed_digest(
    docker: Docker,
    docker_registry: Registry,
    docker_test_image: str,
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    name = f"{docker_registry.host}/aiodocker/dist-{docker_session_id}-{anyio_backend}:v1"
    await docker.images.tag(docker_test_image, name)
    try:
        pushed = await docker.images.push(name)
        info = await docker.distribution.inspect(name)
        assert isinstance(info, models.DistributionInspect)
        assert info.descriptor is not None and info.descriptor.digest == pushed.digest
        assert info.platforms and info.platforms[0].os == "linux"
        with pytest.raises(errors.APIError):
            await docker.distribution.inspect(f"{docker_registry.host}/aiodocker/none:nope")
    finally:
        await docker.images.remove(name)
