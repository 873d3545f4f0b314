"""Container operations that need no stream, against the real engine."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest

from aiodocker_engine import Docker, errors, models
from aiodocker_engine.testing import Engine
from tests.fake_engine import open_fds
from tests.integration._scripts import printed, ready_then, until_tty_size

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


async def api_version(docker: Docker) -> tuple[int, ...]:
    return tuple(int(part) for part in (await docker.negotiate()).split("."))


async def test_create_start_inspect_list_and_remove(
    docker: Docker, container_factory: Any, docker_test_labels: dict[str, str]
) -> None:
    created = await container_factory(cmd=["sleep", "30"], env=["A=1"], working_dir="/tmp")
    assert isinstance(created, models.ContainerCreateResponse)
    await docker.containers.start(created.id)
    info = await docker.containers.inspect(created.id)
    assert info.state is not None and info.state.running is True
    assert info.config is not None and info.config.env is not None
    assert "A=1" in info.config.env and info.config.working_dir == "/tmp"
    label = next(iter(docker_test_labels.items()))
    listed = await docker.containers.list(filters={"label": f"{label[0]}={label[1]}"})
    assert created.id in [c.id for c in listed]
    await docker.containers.remove(created.id, force=True)
    with pytest.raises(errors.NotFound):
        await docker.containers.inspect(created.id)


async def test_create_accepts_host_config_fields_as_keywords(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["true"], memory=64 * 1024 * 1024, init=True)
    info = await docker.containers.inspect(created.id)
    assert info.host_config is not None
    assert info.host_config.memory == 64 * 1024 * 1024
    assert info.host_config.init is True


async def test_host_config_fields_newer_than_the_api_are_refused_before_sending(
    docker: Docker, container_factory: Any, docker_test_labels: dict[str, str]
) -> None:
    # A field 1.41 has (CgroupnsMode, new in 1.41) goes through and takes effect.
    created = await container_factory(cmd=["true"], cgroupns_mode="private")
    info = await docker.containers.inspect(created.id)
    assert info.host_config is not None and info.host_config.cgroupns_mode == "private"
    if await api_version(docker) >= (1, 43):  # a newer daemon: annotations exist
        created = await container_factory(cmd=["true"], annotations={"a": "b"})
        info = await docker.containers.inspect(created.id)
        assert info.host_config is not None and info.host_config.annotations == {"a": "b"}
        return
    name = f"aiodocker-engine-gate-{uuid.uuid4().hex[:12]}"
    body = models.ContainerCreateRequest(
        image="busybox", host_config=models.HostConfig(annotations={"a": "b"})
    )
    for given in ({"annotations": {"a": "b"}}, {"host_config": {"Annotations": {"a": "b"}}}):
        with pytest.raises(errors.VersionError, match=r"'HostConfig.Annotations' needs API 1\.43"):
            await docker.containers.create(
                image="busybox", name=name, labels=docker_test_labels, **given
            )
    with pytest.raises(errors.VersionError, match=r"HostConfig\.Annotations"):
        await docker.containers.create(body, name=name)
    with pytest.raises(errors.NotFound):  # nothing was sent
        await docker.containers.inspect(name)


async def test_create_rejects_unknown_and_mistyped_fields_before_sending(docker: Docker) -> None:
    with pytest.raises(TypeError, match=r"unknown field 'comand'.*did you mean cmd"):
        await docker.containers.create(image="busybox", comand=["true"])
    with pytest.raises(ValueError, match="Env"):
        await docker.containers.create(image="busybox", env={"A": "1"})


async def test_create_with_a_taken_name_is_a_conflict(
    docker: Docker, container_factory: Any, docker_session_id: str
) -> None:
    name = f"aiodocker-engine-dup-{docker_session_id}"
    await container_factory(cmd=["true"], name=name)
    with pytest.raises(errors.Conflict):
        await docker.containers.create(image="busybox", name=name)


async def test_kill_by_signal_name_and_number(docker: Docker, container_factory: Any) -> None:
    script = ready_then("trap 'echo got-hup' HUP", "while true; do sleep 0.1; done")
    created = await container_factory(cmd=["sh", "-c", script])
    await docker.containers.start(created.id)
    await printed(docker, created.id, b"ready\n")
    await docker.containers.kill(created.id, signal="SIGHUP")
    await printed(docker, created.id, b"got-hup\n")  # the trap ran: the signal went by its name
    await docker.containers.kill(created.id, signal=9)
    result = await docker.containers.wait(created.id)
    assert result.status_code == 137
    with pytest.raises(errors.Conflict):
        await docker.containers.kill(created.id, signal="SIGKILL")


async def test_wait_conditions(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sh", "-c", "exit 3"])
    # not-running returns at once for a created container; next-exit waits for an exit.
    with anyio.fail_after(10):
        early = await docker.containers.wait(created.id, condition="not-running")
    assert early.status_code == 0
    with anyio.move_on_after(1) as still_waiting:
        await docker.containers.wait(created.id, condition="next-exit")
    assert still_waiting.cancelled_caught
    with anyio.fail_after(30):
        async with docker.containers.waiting(created.id, condition="next-exit") as exited:
            await docker.containers.start(created.id)
            result = await exited.result()
    assert result.status_code == 3 and result.error is None
    assert await exited.result() is result  # kept


async def test_waiting_sees_a_restart_exit(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sh", "-c", "sleep 0.2; exit 4"])
    await docker.containers.start(created.id)
    with anyio.fail_after(30):
        assert (await docker.containers.wait(created.id)).status_code == 4
        # The first exit is over: next-exit registered now sees the restart's exit only.
        async with docker.containers.waiting(created.id, condition="next-exit") as exited:
            await docker.containers.restart(created.id, t=1)
            assert (await exited.result()).status_code == 4
    state = (await docker.containers.inspect(created.id)).state
    assert state is not None and state.running is False and state.exit_code == 4


async def test_wait_removed_returns_when_the_container_is_gone(
    docker: Docker, docker_test_labels: dict[str, str]
) -> None:
    created = await docker.containers.create(
        image="busybox", cmd=["sh", "-c", "exit 2"], auto_remove=True, labels=docker_test_labels
    )
    with anyio.fail_after(30):
        async with docker.containers.waiting(created.id, condition="removed") as removed:
            await docker.containers.start(created.id)
            result = await removed.result()
    assert result.status_code == 2
    with pytest.raises(errors.NotFound):
        await docker.containers.inspect(created.id)


async def test_a_registered_wait_leaves_the_pool_to_the_start_it_waits_for(
    docker_engine: Engine, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    """With one connection allowed, the wait must not hold it: the start in the block,
    and `run(auto_remove=True)` (which waits for the removal), need it."""
    async with Docker(docker_engine.host, max_connections=1, timeout=20) as docker:
        created = await docker.containers.create(
            image=docker_test_image, cmd=["sh", "-c", "exit 5"], labels=docker_test_labels
        )
        try:
            with anyio.fail_after(30):
                async with docker.containers.waiting(created.id, condition="next-exit") as w:
                    await docker.containers.start(created.id)
                    assert (await w.result()).status_code == 5
                result = await docker.containers.run(
                    docker_test_image,
                    ["sh", "-c", "echo hi"],
                    auto_remove=True,
                    labels=docker_test_labels,
                )
            assert (result.exit_code, result.stdout) == (0, b"hi\n")
        finally:
            await docker.containers.remove(created.id, force=True)
        assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_leaving_a_waiting_block_early_releases_its_connection(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["sleep", "30"])
    await docker.containers.start(created.id)
    async with docker.containers.waiting(created.id) as waiter:
        inside = open_fds()
        assert docker.transport.num_active == 0  # type: ignore[attr-defined]  # no slot
        with anyio.move_on_after(0.5) as timed_out:
            await waiter.result()
        assert timed_out.cancelled_caught
        with pytest.raises(errors.DockerError, match="closed before the answer came"):
            await waiter.result()
    with anyio.fail_after(5):  # its connection is closed, not kept
        while open_fds() > inside - 1:  # noqa: ASYNC110 - asyncio closes on the next turn
            await anyio.sleep(0.01)
    assert docker.transport.num_idle == 0  # type: ignore[attr-defined]
    state = (await docker.containers.inspect(created.id)).state
    assert state is not None and state.running is True
    with pytest.raises(errors.NotFound):
        async with docker.containers.waiting("aiodocker-engine-no-such-container"):
            pytest.fail("entered a wait for a missing container")


async def test_pause_unpause_top_and_changes(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sh", "-c", "touch /tmp/made; sleep 30"])
    await docker.containers.start(created.id)
    with anyio.fail_after(30):
        while True:  # until the shell has started `sleep`
            top = await docker.containers.top(created.id, ps_args="-o pid,comm")
            # ps_args reached ps: exactly the two columns asked for.
            assert top.titles == ["PID", "COMMAND"]
            assert top.processes and all(len(row) == 2 for row in top.processes)
            if "sleep" in [row[1] for row in top.processes]:
                break
            await anyio.sleep(0.05)
    await docker.containers.pause(created.id)
    state = (await docker.containers.inspect(created.id)).state
    assert state is not None and state.paused is True
    await docker.containers.unpause(created.id)
    state = (await docker.containers.inspect(created.id)).state
    assert state is not None and state.paused is False and state.running is True
    changes = await docker.containers.changes(created.id)
    assert any(change.path == "/tmp/made" for change in changes)


async def test_changes_of_an_untouched_container_is_an_empty_list(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["true"])
    assert await docker.containers.changes(created.id) == []


async def test_rename_restart_stop(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sleep", "30"])
    new_name = f"renamed-{created.id[:12]}"
    await docker.containers.rename(created.id, new_name)
    await docker.containers.start(new_name)
    before = await docker.containers.inspect(new_name)
    await docker.containers.restart(new_name, t=0)
    after = await docker.containers.inspect(new_name)
    assert before.state is not None and after.state is not None
    assert after.state.started_at != before.state.started_at
    await docker.containers.stop(new_name, t=0)
    stopped = await docker.containers.inspect(new_name)
    assert stopped.state is not None and stopped.state.running is False


async def test_update_memory_limit_live(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sleep", "30"], memory=64 * 1024 * 1024)
    await docker.containers.start(created.id)
    result = await docker.containers.update(
        created.id, memory=128 * 1024 * 1024, memory_swap=256 * 1024 * 1024
    )
    assert isinstance(result, models.ContainerUpdateResponse)
    info = await docker.containers.inspect(created.id)
    assert info.host_config is not None and info.host_config.memory == 128 * 1024 * 1024


async def test_resize_tty_container(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sh", "-c", until_tty_size("40 100")], tty=True)
    await docker.containers.start(created.id)
    await docker.containers.resize(created.id, h=40, w=100)
    with anyio.fail_after(30):
        await docker.containers.wait(created.id)
    async with docker.containers.logs(created.id) as logs:
        out, _ = await logs.collect()
    assert out == b"40 100\r\n"


async def test_start_with_detach_keys(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sleep", "30"])
    await docker.containers.start(created.id, detach_keys="ctrl-x,x")
    state = (await docker.containers.inspect(created.id)).state
    assert state is not None and state.running is True


async def test_stop_signal_needs_api_1_42_and_the_stop_signal_field_works_before(
    docker: Docker, container_factory: Any
) -> None:
    script = ready_then("trap 'echo got-usr1; exit 5' USR1", "while true; do sleep 0.1; done")
    created = await container_factory(cmd=["sh", "-c", script], stop_signal="SIGUSR1")
    await docker.containers.start(created.id)
    await printed(docker, created.id, b"ready\n")
    if await api_version(docker) < (1, 42):
        # Docker 20.10 speaks 1.41: refused before sending, and the container runs on.
        with pytest.raises(errors.VersionError, match="signal"):
            await docker.containers.stop(created.id, signal="SIGUSR1", t=5)
        with pytest.raises(errors.VersionError, match="signal"):
            await docker.containers.restart(created.id, signal=10, t=5)
        state = (await docker.containers.inspect(created.id)).state
        assert state is not None and state.running is True
        await docker.containers.stop(created.id, t=5)  # the container's own StopSignal
    else:
        await docker.containers.stop(created.id, signal="SIGUSR1", t=5)
    assert (await docker.containers.wait(created.id)).status_code == 5
    async with docker.containers.logs(created.id) as logs:
        out, _ = await logs.collect()
    assert out == b"ready\ngot-usr1\n"


async def test_list_limit_and_size_and_inspect_size(
    docker: Docker, container_factory: Any, docker_test_labels: dict[str, str]
) -> None:
    made = [await container_factory(cmd=["sh", "-c", "echo data > /grown"]) for _ in range(3)]
    for created in made:
        await docker.containers.start(created.id)
        await docker.containers.wait(created.id)
    label = "=".join(next(iter(docker_test_labels.items())))
    listed = await docker.containers.list(all=True, filters={"label": label})
    assert {c.id for c in made} <= {c.id for c in listed}
    # The most recently created come first; limit cuts the list.
    limited = await docker.containers.list(all=True, limit=2, filters={"label": label})
    assert [c.id for c in limited] == [c.id for c in listed[:2]]
    sized = await docker.containers.list(all=True, size=True, filters={"label": label})
    assert all(c.size_rw is not None and c.size_rw > 0 for c in sized if c.id == made[0].id)
    assert listed[0].size_rw is None  # only sent when asked for
    info = await docker.containers.inspect(made[0].id, size=True)
    assert info.size_rw is not None and info.size_rw > 0
    assert info.size_root_fs is not None and info.size_root_fs >= info.size_rw
    assert (await docker.containers.inspect(made[0].id)).size_root_fs is None


async def test_create_from_a_model_body_and_with_a_platform(
    docker: Docker,
    container_factory: Any,
    docker_test_image: str,
    docker_test_labels: dict[str, str],
) -> None:
    body = models.ContainerCreateRequest(
        image=docker_test_image,
        cmd=["true"],
        labels=docker_test_labels,
        host_config=models.HostConfig(memory=32 * 1024 * 1024),
    )
    created = await docker.containers.create(body)
    try:
        info = await docker.containers.inspect(created.id)
        assert info.config is not None and info.config.cmd == ["true"]
        assert info.host_config is not None and info.host_config.memory == 32 * 1024 * 1024
    finally:
        await docker.containers.remove(created.id, force=True)
    if await api_version(docker) >= (1, 41):
        arch = (await docker.system.version()).arch
        made = await container_factory(cmd=["true"], platform=f"linux/{arch}")
        assert (await docker.containers.inspect(made.id)).platform == "linux"


async def test_remove_with_v_removes_anonymous_volumes(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["true"], volumes={"/data": {}})
    mounts = (await docker.containers.inspect(created.id)).mounts or []
    names = [m.name for m in mounts if m.destination == "/data"]
    assert len(names) == 1 and names[0]
    await docker.volumes.inspect(names[0])
    await docker.containers.remove(created.id, v=True)
    with pytest.raises(errors.NotFound):
        await docker.volumes.inspect(names[0])


async def test_names_as_the_daemon_lists_them_work_and_a_redirect_is_an_error(
    docker: Docker, container_factory: Any, docker_session_id: str
) -> None:
    name = f"aiodocker-engine-slash-{docker_session_id}"
    created = await container_factory(cmd=["true"], name=name)
    listed = await docker.containers.list(all=True, filters={"name": [name]})
    assert listed[0].names == [f"/{name}"]
    assert (await docker.containers.inspect(f"/{name}")).id == created.id
    # The router cleans "a//b" to "a/b" and redirects: an error, never a success.
    with pytest.raises(errors.APIError, match="redirects to") as caught:
        await docker.containers.remove(f"{name}//x", link=True)
    assert caught.value.status == 301
    await docker.containers.inspect(created.id)


async def test_remove_with_link_removes_a_legacy_link_only(
    docker: Docker, container_factory: Any, docker_session_id: str
) -> None:
    target_name = f"aiodocker-engine-link-target-{docker_session_id}"
    target = await container_factory(cmd=["sleep", "30"], name=target_name)
    await docker.containers.start(target.id)
    child_name = f"aiodocker-engine-link-child-{docker_session_id}"
    child = await container_factory(
        cmd=["sleep", "30"], name=child_name, links=[f"{target_name}:peer"]
    )
    # A legacy link is a name of its own, "/child/alias", for the target container.
    alias = f"/{child_name}/peer"
    assert (await docker.containers.inspect(alias)).id == target.id
    await docker.containers.remove(alias, link=True)
    with pytest.raises(errors.NotFound):
        await docker.containers.inspect(alias)
    # Only the link went: both containers stay.
    await docker.containers.inspect(target.id)
    await docker.containers.inspect(child.id)


async def test_prune_removes_only_stopped_labelled_containers(
    docker: Docker, container_factory: Any, docker_test_labels: dict[str, str]
) -> None:
    mark = {"prune-me": uuid.uuid4().hex}  # only this test's containers match
    stopped = await container_factory(cmd=["true"], labels=mark)
    running = await container_factory(cmd=["sleep", "30"], labels=mark)
    await docker.containers.start(running.id)
    result = await docker.containers.prune(filters={"label": [f"prune-me={mark['prune-me']}"]})
    assert stopped.id in (result.containers_deleted or [])
    assert running.id not in (result.containers_deleted or [])


async def test_mappings_with_attribute_names_reach_the_daemon(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(
        cmd=["sleep", "30"],
        restart_policy={"name": "on-failure", "maximum_retry_count": 3},
        ulimits=[{"name": "nofile", "soft": 1024, "hard": 2048}],
        log_config={"type": "none"},
    )
    await docker.containers.update(created.id, restart_policy={"name": "always"})
    host = (await docker.containers.inspect(created.id)).host_config
    assert host is not None and host.restart_policy is not None
    assert host.restart_policy.name == "always"
    assert host.ulimits is not None and host.ulimits[0].hard == 2048
    assert host.log_config is not None and host.log_config.type == "none"
