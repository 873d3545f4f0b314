"""System endpoints and version negotiation against the real engine."""

from __future__ import annotations

import anyio
import pytest

from aiodocker_engine import Docker, errors, models
from aiodocker_engine.testing import Engine
from aiodocker_engine.testing._registry import Registry
from aiodocker_engine.transport._pool import PoolTransport

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


async def test_negotiation_settles_on_the_daemons_version(docker_engine: Engine) -> None:
    async with Docker(docker_engine.host) as docker:
        assert docker.api_version is None
        version = await docker.system.version()
        assert docker.api_version == docker_engine.api_version
        assert version.api_version == docker_engine.api_version
        assert docker.ping_info is not None and docker.ping_info.os_type == "linux"
        if docker_engine.started_here:
            # The harness runs Debian's Docker 20.10: API 1.41.
            assert docker.api_version == "1.41"


async def test_negotiation_is_single_flight_under_concurrency(docker_engine: Engine) -> None:
    async with Docker(docker_engine.host) as docker:
        pings = 0
        original = docker.system._ping_unversioned

        async def counting_ping() -> object:
            nonlocal pings
            pings += 1
            return await original()

        docker.system._ping_unversioned = counting_ping  # type: ignore[method-assign,assignment]
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(docker.system.info)
        assert pings == 1


async def test_every_request_path_carries_the_version(docker_engine: Engine) -> None:
    seen: list[str] = []

    class Recording(PoolTransport):
        async def request(self, request, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(request.target)
            return await super().request(request, **kwargs)

    from aiodocker_engine.transport._connect import make_connector
    from aiodocker_engine.transport._host import parse_host

    transport = Recording(make_connector(parse_host(docker_engine.host)))
    async with Docker(transport=transport) as docker:
        await docker.system.ping()
        await docker.system.info()
        await docker.containers.list(all=True)
    assert seen[0] == "/_ping"  # negotiation itself cannot know the version yet
    assert all(t.startswith(f"/v{docker.api_version}/") for t in seen[1:]), seen


async def test_pinned_version_is_used_without_negotiating(docker_engine: Engine) -> None:
    async with Docker(docker_engine.host, api_version="1.40") as docker:
        assert docker.api_version == "1.40"
        version = await docker.system.version()
        assert docker.ping_info is None  # no negotiation ping happened
        assert version.api_version == docker_engine.api_version


async def test_pinned_version_from_environment(
    docker_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_API_VERSION", "1.39")
    async with Docker(docker_engine.host) as docker:
        assert docker.api_version == "1.39"
        await docker.system.ping()


async def test_pinned_version_outside_the_supported_range_is_refused() -> None:
    with pytest.raises(errors.VersionError, match=r"api_version= 1\.12"):
        Docker("unix:///nonexistent.sock", api_version="1.12")
    with pytest.raises(errors.VersionError, match="not an API version"):
        Docker("unix:///nonexistent.sock", api_version="latest")
    await anyio.lowlevel.checkpoint()


async def test_operation_newer_than_pinned_version_fails_before_sending(
    docker_engine: Engine,
) -> None:
    async with Docker(docker_engine.host, api_version="1.40") as docker:
        # `platform` on ContainerCreate appeared in 1.41.
        with pytest.raises(errors.VersionError, match="platform"):
            await docker.containers.create(image="busybox", platform="linux/amd64")
        assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_ping_get_and_head(docker: Docker) -> None:
    got = await docker.system.ping()
    head = await docker.system.ping_head()
    assert got.api_version == head.api_version == docker.api_version
    assert got.os_type == "linux"
    assert got.swarm in ("inactive", None) or got.swarm.startswith("active")


async def test_a_ping_is_kept_even_when_the_version_is_pinned(docker_engine: Engine) -> None:
    async with Docker(docker_engine.host, api_version="1.41") as pinned:
        assert pinned.ping_info is None  # no negotiation, so no ping yet
        got = await pinned.system.ping()
        assert pinned.ping_info == got and got.os_type == "linux"


async def test_version_and_info_decode_into_models(docker: Docker) -> None:
    version = await docker.system.version()
    info = await docker.system.info()
    assert version.os == "linux"
    assert version.version
    assert info.id and info.containers is not None and info.containers >= 0
    assert info.server_version == version.version


async def test_df_reports_usage(docker: Docker, docker_test_image: str) -> None:
    usage = await docker.system.df()
    tags = [tag for image in usage.images or [] for tag in image.repo_tags or []]
    assert docker_test_image in tags


async def test_auth_against_a_missing_registry_raises_a_daemon_error(docker: Docker) -> None:
    with pytest.raises(errors.APIError) as caught:
        await docker.system.auth(
            username="user", password="s3cret-value", serveraddress="127.0.0.1:9"
        )
    assert "s3cret-value" not in str(caught.value)
    assert "s3cret-value" not in repr(caught.value)


async def test_missing_container_maps_to_not_found_with_the_daemons_message(
    docker: Docker,
) -> None:
    with pytest.raises(errors.NotFound) as caught:
        await docker.containers.inspect("no-such-container-xyz")
    assert caught.value.status == 404
    assert "no-such-container-xyz" in caught.value.message


async def test_missing_socket_says_what_to_check() -> None:
    async with Docker("unix:///nonexistent/docker.sock") as docker:
        with pytest.raises(errors.ConnectionFailed, match="is the Docker daemon running"):
            await docker.system.ping()


async def test_auth_takes_the_credentials_mapping_that_pull_takes(
    docker: Docker, docker_auth_registry: Registry
) -> None:
    answer = await docker.system.auth(docker_auth_registry.auth)
    assert answer.status == "Login Succeeded"
    # Wire or attribute names alike; keywords are merged into the mapping.
    wrong = {**docker_auth_registry.auth, "password": "wrong"}
    answer = await docker.system.auth(wrong, password=docker_auth_registry.password)
    assert answer.status == "Login Succeeded"


async def test_auth_with_a_wrong_password_raises_unauthorized_with_the_daemons_text(
    docker: Docker, docker_auth_registry: Registry
) -> None:
    """Docker 20.10 answers a rejected login with 500 "... failed with status: 401"."""
    with pytest.raises(errors.Unauthorized) as caught:
        await docker.system.auth(
            username=docker_auth_registry.username,
            password="wrong-s3cret",
            serveraddress=docker_auth_registry.host,
        )
    assert "401" in caught.value.message
    assert docker_auth_registry.host in caught.value.message
    assert "wrong-s3cret" not in str(caught.value) + repr(caught.value)


async def test_auth_refuses_unknown_and_wrongly_typed_fields_before_sending(
    docker: Docker,
) -> None:
    with pytest.raises(TypeError, match=r"'user'.*did you mean username"):
        await docker.system.auth({"user": "u", "password": "p"})
    with pytest.raises(ValueError, match=r"\$\.username"):
        await docker.system.auth(username=123, password="p")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"\$\.password"):
        await docker.system.auth(models.AuthConfig(username="u", password=["p"]))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="AuthConfig or a mapping, not str"):
        await docker.system.auth("u:p")  # type: ignore[arg-type]
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]
