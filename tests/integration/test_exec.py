"""Exec against the real engine: create, start, inspect, resize, run and run_streaming."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from aiodocker_engine import Docker, StdStream, errors
from aiodocker_engine.api.exec import ExecResult
from tests.fake_engine import open_fds
from tests.integration._scripts import Release

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]

MiB = 1024 * 1024


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def exit_code_of(docker: Docker, exec_id: str) -> int | None:
    """Poll inspect until the exec has stopped (the daemon sends no other exit signal)."""
    with anyio.fail_after(20):
        while (info := await docker.exec.inspect(exec_id)).running is not False:  # noqa: ASYNC110
            await anyio.sleep(0.02)
    return info.exit_code


@pytest.fixture
async def running(docker: Docker, container_factory: Any) -> str:
    """A running container that does nothing for an hour (removed after the test)."""
    created = await container_factory(cmd=["sleep", "3600"])
    await docker.containers.start(created.id)
    container_id: str = created.id
    return container_id


async def test_run_keeps_stdout_and_stderr_apart_and_returns_the_exit_code(
    docker: Docker, running: str
) -> None:
    result = await docker.exec.run(running, ["sh", "-c", "echo out; echo err >&2; exit 3"])
    assert (result.exit_code, result.stdout, result.stderr) == (3, b"out\n", b"err\n")
    assert isinstance(result, ExecResult) and result.exec_id


async def test_run_without_output_gives_empty_bytes_never_none(
    docker: Docker, running: str
) -> None:
    result = await docker.exec.run(running, ["true"])
    assert result.exit_code == 0
    assert type(result.stdout) is bytes and type(result.stderr) is bytes
    assert (result.stdout, result.stderr) == (b"", b"")


@pytest.mark.parametrize(
    ("script", "code"),
    [
        ("exit 0", 0),
        ("exit 1", 1),
        ("kill -9 $$", 137),
        ("no-such-command", 127),
    ],
    ids=["zero", "one", "killed", "not-found"],
)
async def test_run_returns_the_real_exit_code(
    docker: Docker, running: str, script: str, code: int
) -> None:
    result = await docker.exec.run(running, ["sh", "-c", script])
    assert result.exit_code == code
    if code == 127:
        assert b"not found" in result.stderr


async def test_exec_of_a_missing_binary_exits_127_with_the_daemon_message(
    docker: Docker, running: str
) -> None:
    """The daemon writes the runtime's error into the stream (stdout) and sets the code itself.

    Docker maps runc's "executable file not found" to 127, but Docker 20.10.24 with a newer
    runc ("unable to start container process") misses the match and reports 126.
    """
    result = await docker.exec.run(running, ["no-such-binary"])
    assert result.exit_code in (126, 127)
    assert b"no-such-binary" in result.stdout and b"not found" in result.stdout
    assert result.stderr == b""


async def test_exec_run_errors_come_out_as_themselves(docker: Docker, running: str) -> None:
    async def stalls() -> AsyncIterator[bytes]:
        yield b"hello"
        await anyio.sleep_forever()
        yield b"never"  # pragma: no cover

    async def breaks() -> AsyncIterator[bytes]:
        yield b"some input\n"
        raise ValueError("the source broke")

    with anyio.fail_after(30):
        # The process ends after 5 bytes; the stalled source does not hold the run.
        result = await docker.exec.run(running, ["head", "-c", "5"], stdin=stalls())
        assert (result.exit_code, result.stdout) == (0, b"hello")
        with pytest.raises(ValueError, match="the source broke"):
            await docker.exec.run(running, ["cat"], stdin=breaks())
        with pytest.raises(KeyError, match="mine"):
            async with docker.exec.run_streaming(running, ["cat"], stdin=b"x"):
                raise KeyError("mine")
        with pytest.raises(TypeError, match="stdin takes bytes"):
            await docker.exec.run(running, ["cat"], stdin=[b"a list"])  # type: ignore[arg-type]


async def test_wc_counts_50_mib_sent_in_chunks_with_backpressure(
    docker: Docker, running: str
) -> None:
    """The feeder waits for the process (which sleeps before reading) and nothing piles up."""
    chunk_size, chunks = 256 * 1024, 200  # 50 MiB
    produced = 0
    produced_while_asleep: list[int] = []

    async def source() -> AsyncIterator[bytes]:
        nonlocal produced
        for i in range(chunks):
            produced += chunk_size
            yield bytes([i % 251]) * chunk_size  # a fresh chunk each time

    async def snapshot() -> None:
        await anyio.sleep(0.6)
        produced_while_asleep.append(produced)

    tracemalloc.start()
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(snapshot)
            result = await docker.exec.run(
                running, ["sh", "-c", "sleep 1.5; wc -c"], stdin=source()
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, b"52428800", b"")
    assert produced == 50 * MiB
    # Socket and pipe buffers hold a few MiB at most while the process does not read.
    assert produced_while_asleep[0] < 16 * MiB
    assert peak < 16 * MiB


async def test_tty_mode_puts_everything_on_stdout_with_crlf(docker: Docker, running: str) -> None:
    result = await docker.exec.run(running, ["sh", "-c", "echo a; echo b >&2; exit 2"], tty=True)
    assert (result.exit_code, result.stdout, result.stderr) == (2, b"a\r\nb\r\n", b"")


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("user", b"1000 user\n"),
        ("1000", b"1000 user\n"),
        ("nobody", b"65534 nobody\n"),
        ("0:0", b"0 root\n"),
    ],
)
async def test_run_as_user_by_name_and_by_uid(
    docker: Docker, running: str, user: str, expected: bytes
) -> None:
    result = await docker.exec.run(running, ["sh", "-c", "echo $(id -u) $(id -un)"], user=user)
    assert (result.exit_code, result.stdout) == (0, expected)


async def test_run_with_env_as_dict_or_list_and_workdir(docker: Docker, running: str) -> None:
    script = ["sh", "-c", 'echo "$A|$B"; pwd']
    by_dict = await docker.exec.run(
        running, script, env={"A": "1", "B": "two words"}, workdir="/tmp"
    )
    by_list = await docker.exec.run(running, script, env=["A=1", "B=two words"], workdir="/home")
    assert by_dict.stdout == b"1|two words\n/tmp\n"
    assert by_list.stdout == b"1|two words\n/home\n"
    with pytest.raises(TypeError, match="env"):
        await docker.exec.create(running, ["true"], env="A=1")


async def test_exec_in_a_stopped_container_raises_conflict(
    docker: Docker, container_factory: Any
) -> None:
    never_started = await container_factory(cmd=["sleep", "3600"])
    with pytest.raises(errors.Conflict):
        await docker.exec.run(never_started.id, ["true"])
    exited = await container_factory(cmd=["true"])
    await docker.containers.start(exited.id)
    await docker.containers.wait(exited.id)
    with pytest.raises(errors.Conflict):
        await docker.exec.create(exited.id, ["true"])


async def test_exec_in_a_missing_container_raises_not_found(docker: Docker) -> None:
    with pytest.raises(errors.NotFound):
        await docker.exec.run("aiodocker-engine-no-such-container", ["true"])
    with pytest.raises(errors.NotFound):
        await docker.exec.inspect("0" * 64)


async def test_cancelling_run_midway_leaves_no_open_socket(docker: Docker, running: str) -> None:
    """Also when stdin is blocked: the process never reads it, so unsent bytes are pending."""
    pool = docker.transport

    def sockets_outside_the_pool() -> int:
        gc.collect()
        return open_fds() - pool.num_idle  # type: ignore[attr-defined, no-any-return]

    await docker.system.ping()
    before = sockets_outside_the_pool()
    for stdin in (None, b"x" * (4 * MiB)):
        with anyio.move_on_after(0.5) as scope:
            await docker.exec.run(
                running, ["sh", "-c", "while true; do echo tick; sleep 0.05; done"], stdin=stdin
            )
        assert scope.cancelled_caught
        assert pool.num_active == 0  # type: ignore[attr-defined]
        assert sockets_outside_the_pool() <= before, f"a socket is left open (stdin: {stdin!r:.20})"
    # The abandoned processes go on in the container; the client is unharmed.
    assert (await docker.exec.run(running, ["echo", "after"])).stdout == b"after\n"


async def test_200_concurrent_runs_on_one_container_all_get_their_own_output(
    docker: Docker, running: str
) -> None:
    results: dict[int, ExecResult] = {}

    async def one(i: int) -> None:
        script = f"echo out{i}; echo err{i} >&2; exit {i % 7}"
        results[i] = await docker.exec.run(running, ["sh", "-c", script])

    with anyio.fail_after(120):
        async with anyio.create_task_group() as tg:
            for i in range(200):
                tg.start_soon(one, i)
    assert len(results) == 200
    for i, result in results.items():
        expected = (i % 7, f"out{i}\n".encode(), f"err{i}\n".encode())
        assert (result.exit_code, result.stdout, result.stderr) == expected


async def test_start_gives_the_hijacked_stream_with_stdin_and_half_close(
    docker: Docker, running: str
) -> None:
    created = await docker.exec.create(running, ["cat"], stdin=True)
    assert created.id is not None
    async with docker.exec.start(created.id) as stream:
        assert stream.tty is False and stream.is_hijacked
        await stream.write(b"hello\n")
        await stream.write_all(chunks(b"wor", b"ld\n"))  # then half-closes
        stdout, stderr = await stream.collect()
    assert (stdout, stderr) == (b"hello\nworld\n", b"")
    assert await exit_code_of(docker, created.id) == 0


async def test_tty_exec_resizes_and_inspect_shows_it_running(docker: Docker, running: str) -> None:
    created = await docker.exec.create(
        running, ["sh", "-c", "read line; stty size"], tty=True, stdin=True
    )
    assert created.id is not None
    async with docker.exec.start(created.id, tty=True) as stream:
        assert stream.tty is True
        await stream.resize(30, 90)
        info = await docker.exec.inspect(created.id)
        assert info.running is True and info.pid and info.pid > 0
        assert info.process_config is not None and info.process_config.tty is True
        await stream.write(b"go\n")
        stdout, stderr = await stream.collect()
    assert stdout.endswith(b"30 90\r\n") and stderr == b""


async def test_start_detached_then_inspect_gives_the_exit_code(
    docker: Docker, running: str
) -> None:
    created = await docker.exec.create(running, ["sh", "-c", "sleep 0.2; exit 7"])
    assert created.id is not None
    await docker.exec.start_detached(created.id)
    assert await exit_code_of(docker, created.id) == 7
    with pytest.raises(errors.Conflict):
        await docker.exec.start_detached(created.id)


async def test_console_size_is_gated_by_the_api_version(docker: Docker, running: str) -> None:
    version = await docker.negotiate()
    if tuple(int(p) for p in version.split(".")) < (1, 42):
        with pytest.raises(errors.VersionError, match="ConsoleSize"):
            await docker.exec.create(running, ["true"], console_size=(20, 80))
    else:
        created = await docker.exec.create(
            running, ["stty", "size"], tty=True, console_size=(20, 80)
        )
        assert created.id is not None
        async with docker.exec.start(created.id, tty=True, console_size=(20, 80)) as stream:
            stdout, _ = await stream.collect()
        assert stdout == b"20 80\r\n"


async def test_run_streaming_yields_frames_live_then_the_exit_code(
    docker: Docker, running: str
) -> None:
    seen: list[tuple[StdStream, bytes]] = []
    # `two` is written only after the test has seen `one`: output held back until the
    # end would never let it through (fail_after).
    gate = Release()
    script = "echo one; read x; echo two >&2; exit 4"
    with anyio.fail_after(30):
        async with docker.exec.run_streaming(
            running, ["sh", "-c", script], stdin=gate.stdin()
        ) as run:
            async for frame in run:
                seen.append((frame.stream, bytes(frame.data)))
                gate.release()
            assert await run.wait() == 4
    assert seen == [(StdStream.STDOUT, b"one\n"), (StdStream.STDERR, b"two\n")]
    assert run.exit_code == 4


async def test_run_streaming_wait_drops_unread_output_and_feeds_stdin(
    docker: Docker, running: str
) -> None:
    async with docker.exec.run_streaming(running, ["sh", "-c", "cat; exit 5"], stdin=b"abc") as run:
        assert await run.wait() == 5
    async with docker.exec.run_streaming(running, ["sh", "-c", "cat"], stdin=b"abc") as run:
        assert await run.collect() == (b"abc", b"")
        assert await run.wait() == 0


async def test_tty_runs_with_stdin_end_it_with_the_terminals_eof_and_keep_the_output(
    docker: Docker, container_factory: Any, docker_test_image: str
) -> None:
    """On a TTY the daemon ends the output when stdin closes: a half-close lost it all."""
    created = await container_factory(cmd=["sleep", "60"])
    await docker.containers.start(created.id)
    with anyio.fail_after(30):
        late = await docker.exec.run(
            created.id, ["sh", "-c", "sleep 0.5; echo hi"], tty=True, stdin=b"x\n"
        )
        cat = await docker.exec.run(created.id, ["cat"], tty=True, stdin=b"abc")
        ran = await docker.containers.run(
            docker_test_image, ["sh", "-c", "sleep 0.5; echo hi"], tty=True, stdin=b"", remove=True
        )
    assert (late.exit_code, late.stdout.endswith(b"hi\r\n")) == (0, True)
    assert cat.exit_code == 0 and b"abc" in cat.stdout  # echoed, then ended by Ctrl-D
    assert (ran.exit_code, ran.stdout) == (0, b"hi\r\n")


async def test_writing_to_a_closed_exec_stream_says_so(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["sleep", "60"])
    await docker.containers.start(created.id)
    made = await docker.exec.create(created.id, cmd=["true"], stdin=True)
    with anyio.fail_after(30):
        async with docker.exec.start(made.id) as stream:
            await stream.collect()
            with pytest.raises(errors.DockerError, match="the stream is closed"):
                await stream.write(b"x")


async def test_exec_run_with_check_raises_container_error_with_stderr(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["sleep", "60"])
    await docker.containers.start(created.id)
    with anyio.fail_after(30):
        with pytest.raises(errors.ContainerError) as caught:
            await docker.exec.run(created.id, ["sh", "-c", "echo bad >&2; exit 4"], check=True)
        ok = await docker.exec.run(created.id, ["true"], check=True)
    assert (caught.value.exit_code, caught.value.stderr) == (4, b"bad\n")
    assert ok.exit_code == 0


async def test_exec_run_with_check_keeps_the_daemons_reason_for_a_command_it_cannot_start(
    docker: Docker, container_factory: Any
) -> None:
    """Docker 20.10 writes the runtime's refusal on stdout and exits 126."""
    created = await container_factory(cmd=["sleep", "60"])
    await docker.containers.start(created.id)
    with anyio.fail_after(30):
        with pytest.raises(errors.ContainerError) as caught:
            await docker.exec.run(created.id, ["/nonexistent"], check=True)
        with pytest.raises(errors.ContainerError) as both:
            await docker.exec.run(
                created.id, ["sh", "-c", "echo out; echo err >&2; exit 5"], check=True
            )
    error = caught.value
    assert error.exit_code == 126 and error.stderr == b""
    assert b"no such file or directory" in error.stdout
    assert (await docker.exec.inspect(error.exec_id)).container_id == created.id
    assert str(error).startswith(f"exec {error.exec_id[:12]} in container {created.id} exited")
    assert "/nonexistent: no such file or directory" in str(error)
    assert (both.value.stdout, both.value.stderr) == (b"out\n", b"err\n")
    assert str(both.value).endswith("exited with 5: err")
