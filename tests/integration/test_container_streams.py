"""Attach, logs, archives, export and run against the real engine."""

from __future__ import annotations

import functools
import gc
import io
import tarfile
import uuid
from collections.abc import AsyncIterator
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import pytest

from aiodocker_engine import Docker, StdStream, errors
from aiodocker_engine.models import HostConfig
from aiodocker_engine.testing import Engine
from aiodocker_engine.testing._registry import Registry
from tests.fake_engine import open_fds
from tests.integration._scripts import Release, closed_by_another_task, until_tty_size

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


async def test_attach_with_stdin_to_cat_half_close_then_eof_and_exit_zero(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(
        cmd=["cat"], open_stdin=True, stdin_once=True, attach_stdin=True
    )
    async with docker.containers.attach(created.id, stdin=True) as stream:
        assert stream.tty is False and stream.is_hijacked
        await docker.containers.start(created.id)
        await stream.write(b"hello\n")
        await stream.write(b"world\n")
        await stream.close_stdin()
        stdout, stderr = await stream.collect()
    assert (stdout, stderr) == (b"hello\nworld\n", b"")
    assert (await docker.containers.wait(created.id)).status_code == 0


async def test_attach_keeps_interleaved_stdout_and_stderr_apart(
    docker: Docker, container_factory: Any
) -> None:
    script = "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done"
    created = await container_factory(cmd=["sh", "-c", script])
    frames = []
    async with docker.containers.attach(created.id) as stream:
        await docker.containers.start(created.id)
        async for frame in stream:
            frames.append((frame.stream, bytes(frame.data)))
    out = b"".join(data for kind, data in frames if kind is StdStream.STDOUT)
    err = b"".join(data for kind, data in frames if kind is StdStream.STDERR)
    assert out == b"".join(b"out%d\n" % i for i in range(1, 6))
    assert err == b"".join(b"err%d\n" % i for i in range(1, 6))


async def test_frames_kept_from_bulk_attach_output_stay_intact(
    docker: Docker, container_factory: Any
) -> None:
    # Bulk output is read into a few reused buffers: frames kept without a copy must
    # keep their bytes (a buffer is reused only once nothing views it).
    created = await container_factory(cmd=["seq", "1", "300000"])
    kept = []
    async with docker.containers.attach(created.id) as stream:
        await docker.containers.start(created.id)
        async for frame in stream:
            kept.append(frame.data)
    assert b"".join(kept) == b"".join(b"%d\n" % i for i in range(1, 300_001))


async def test_attach_before_start_sees_the_first_line(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["echo", "first-and-only"])
    async with docker.containers.attach(created.id) as stream:
        await docker.containers.start(created.id)
        stdout, _ = await stream.collect()
    assert stdout == b"first-and-only\n"


async def test_attach_to_a_tty_container_gives_raw_output_and_resizes(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(
        cmd=["sh", "-c", f"{until_tty_size('30 90')}; echo tty-out; echo tty-err >&2"], tty=True
    )
    async with docker.containers.attach(created.id) as stream:
        assert stream.tty is True
        await docker.containers.start(created.id)
        await stream.resize(30, 90)
        stdout, stderr = await stream.collect()
    assert stdout == b"30 90\r\ntty-out\r\ntty-err\r\n" and stderr == b""


async def test_detach_keys_end_an_attach_and_leave_the_container_running(
    docker: Docker, container_factory: Any
) -> None:
    # The daemon watches stdin for the keys on TTY containers (Docker 20.10 copies a
    # non-TTY stdin as it is).
    created = await container_factory(cmd=["cat"], tty=True, open_stdin=True, attach_stdin=True)
    await docker.containers.start(created.id)
    with anyio.fail_after(20):
        async with docker.containers.attach(
            created.id, stdin=True, detach_keys="ctrl-x,x"
        ) as stream:
            await stream.write(b"echoed\n")
            seen = b""
            async for frame in stream:
                seen += frame.data
                if b"echoed" in seen:
                    break
            await stream.write(b"\x18x")  # ctrl-x, then x
            rest, _ = await stream.collect()  # the daemon ends the stream
    assert b"\x18" not in rest
    state = (await docker.containers.inspect(created.id)).state
    assert state is not None and state.running is True


async def test_a_slow_reader_holds_the_container_back_instead_of_buffering(
    docker: Docker, container_factory: Any
) -> None:
    size = 64 * 1024 * 1024
    created = await container_factory(cmd=["head", "-c", str(size), "/dev/zero"])
    with anyio.fail_after(120):
        async with docker.containers.attach(created.id) as stream:
            await docker.containers.start(created.id)
            total = 0
            async for frame in stream:
                total += len(frame.data)
                break
            # Unread for a second: 64 MiB take the daemon a fraction of that, but the
            # socket fills and the container's writes block.
            await anyio.sleep(1.0)
            state = (await docker.containers.inspect(created.id)).state
            assert state is not None and state.running is True
            async for frame in stream:
                total += len(frame.data)
    assert total == size
    assert (await docker.containers.wait(created.id)).status_code == 0


async def test_logs_tail_timestamps_since_and_until(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done"])
    await docker.containers.start(created.id)
    await docker.containers.wait(created.id)
    async with docker.containers.logs(created.id, tail=2) as logs:
        out, _ = await logs.collect()
    assert out == b"line4\nline5\n"
    stamped = [f async for f in docker.containers.logs(created.id, timestamps=True)]
    assert [bytes(f.data) for f in stamped] == [b"line%d\n" % i for i in range(1, 6)]
    first = stamped[0].timestamp
    assert first is not None and first.tzinfo is not None
    assert abs((datetime.now(timezone.utc) - first).total_seconds()) < 120
    later = [f async for f in docker.containers.logs(created.id, since=first.timestamp() + 3600)]
    assert later == []
    earlier = [f async for f in docker.containers.logs(created.id, until=first.timestamp() - 3600)]
    assert earlier == []


async def test_logs_select_stdout_or_stderr(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sh", "-c", "echo out1; echo err1 >&2; echo out2"])
    await docker.containers.start(created.id)
    await docker.containers.wait(created.id)
    async with docker.containers.logs(created.id, stderr=False) as logs:
        assert await logs.collect() == (b"out1\nout2\n", b"")
    async with docker.containers.logs(created.id, stdout=False) as logs:
        assert await logs.collect() == (b"", b"err1\n")
    async with docker.containers.logs(created.id) as logs:
        assert await logs.collect() == (b"out1\nout2\n", b"err1\n")


async def test_logs_since_and_until_as_datetime_int_and_float(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["sh", "-c", "echo early; sleep 3; echo late"])
    await docker.containers.start(created.id)
    await docker.containers.wait(created.id)
    stamped = [f async for f in docker.containers.logs(created.id, timestamps=True)]
    assert [bytes(f.data) for f in stamped] == [b"early\n", b"late\n"]
    early, late = (f.timestamp for f in stamped)
    assert early is not None and late is not None
    assert (late - early).total_seconds() > 2
    between = early + (late - early) / 2
    # A whole second after the first line and still before the second (3 s apart).
    second = int(early.timestamp()) + 1

    async def lines(**window: Any) -> list[bytes]:
        return [bytes(f.data) async for f in docker.containers.logs(created.id, **window)]

    assert await lines(since=between) == [b"late\n"]
    assert await lines(until=between) == [b"early\n"]
    assert await lines(since=second) == [b"late\n"]
    assert await lines(until=second) == [b"early\n"]
    assert await lines(since=between.timestamp()) == [b"late\n"]
    # A datetime holds microseconds, the log nanoseconds: `late` itself is a hair early.
    just_after = late + timedelta(milliseconds=1)
    assert await lines(since=early, until=just_after) == [b"early\n", b"late\n"]
    # Text as the CLI takes it: a duration before now, an RFC 3339 time, Unix seconds.
    assert await lines(since="1h") == [b"early\n", b"late\n"]
    assert await lines(until="1h") == []
    assert await lines(since=between.isoformat()) == [b"late\n"]
    assert await lines(until=str(second)) == [b"early\n"]


async def test_logs_of_a_tty_container_are_raw(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["echo", "from-tty"], tty=True)
    await docker.containers.start(created.id)
    await docker.containers.wait(created.id)
    async with docker.containers.logs(created.id) as logs:
        out, err = await logs.collect()
        assert logs.tty is True
    assert (out, err) == (b"from-tty\r\n", b"")


async def test_follow_ends_when_the_container_stops(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["sh", "-c", "echo a; sleep 0.5; echo b"])
    await docker.containers.start(created.id)
    with anyio.fail_after(20):
        async with docker.containers.logs(created.id, follow=True) as logs:
            out, _ = await logs.collect()
    assert out == b"a\nb\n"


async def test_leaving_a_followed_log_early_releases_the_connection(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(
        cmd=["sh", "-c", "while true; do echo tick; sleep 0.05; done"]
    )
    await docker.containers.start(created.id)
    before = await descriptors_in_use(docker)
    for _ in range(5):
        async with docker.containers.logs(created.id, follow=True) as logs:
            async for frame in logs:
                assert bytes(frame.data) == b"tick\n"
                break
    await assert_nothing_leaked(docker, before)


async def descriptors_in_use(docker: Docker) -> int:
    """Open descriptors once the pool holds its idle connection and garbage is gone."""
    await docker.system.ping()
    gc.collect()
    return open_fds()


async def assert_nothing_leaked(docker: Docker, before: int) -> None:
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]
    gc.collect()
    assert open_fds() <= before


def make_tar(files: dict[str, bytes], dirs: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in dirs:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


async def test_archive_round_trip_of_a_file_and_a_directory_tree(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["true"])
    files = {"tree/a.txt": b"alpha\n", "tree/sub/b.bin": bytes(range(256)) * 100}

    async def chunks() -> AsyncIterator[bytes]:
        data = make_tar(files, dirs=("tree", "tree/sub"))
        for i in range(0, len(data), 4096):
            yield data[i : i + 4096]

    await docker.containers.put_archive(created.id, "/tmp", chunks())
    stat = await docker.containers.stat_path(created.id, "/tmp/tree/sub/b.bin")
    assert (stat.name, stat.size, stat.is_dir) == ("b.bin", 25600, False)
    assert (await docker.containers.stat_path(created.id, "/tmp/tree")).is_dir
    async with docker.containers.get_archive(created.id, "/tmp/tree") as archive:
        assert archive.stat.is_dir and archive.stat.name == "tree"
        data = await archive.read()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        got = {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }
    assert got == files
    with pytest.raises(errors.NotFound):
        await docker.containers.stat_path(created.id, "/no/such/path")


async def test_stat_path_errors_carry_the_daemons_text(
    docker: Docker, container_factory: Any
) -> None:
    # An answer to HEAD has no body: without the daemon's text a missing path and a
    # missing container would both read "Not Found".
    created = await container_factory(cmd=["true"])
    with pytest.raises(errors.NotFound) as missing_path:
        await docker.containers.stat_path(created.id, "/no/such/path")
    with pytest.raises(errors.NotFound) as missing_container:
        await docker.containers.stat_path("aiodocker-engine-no-such-container", "/etc")
    with pytest.raises(errors.ServerError) as not_a_dir:
        await docker.containers.stat_path(created.id, "/etc/passwd/")
    assert "/no/such/path" in missing_path.value.message
    assert "No such container" in missing_container.value.message
    assert "not a directory" in not_a_dir.value.message
    # A path that exists still costs one HEAD and nothing more.
    assert (await docker.containers.stat_path(created.id, "/etc/passwd")).name == "passwd"


async def test_export_streams_the_filesystem_as_tar(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["true"])
    chunks = 0
    buf = bytearray()
    async with docker.containers.export(created.id) as export:
        async for chunk in export:
            chunks += 1
            buf += chunk
    with tarfile.open(fileobj=io.BytesIO(bytes(buf))) as tar:
        assert "bin/busybox" in tar.getnames()
    assert chunks > 1  # streamed, not gathered: busybox alone is over 1 MiB


async def test_put_archive_takes_bytes_too(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["true"])
    await docker.containers.put_archive(created.id, "/tmp", make_tar({"given.txt": b"bytes\n"}))
    async with docker.containers.get_archive(created.id, "/tmp/given.txt") as archive:
        assert archive.stat.size == 6
        data = await archive.read()
    assert archive.stat.name == "given.txt"  # kept once the body is read and closed
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        member = tar.extractfile("given.txt")
        assert member is not None and member.read() == b"bytes\n"


async def test_text_where_bytes_belong_is_a_clear_type_error(
    docker: Docker, container_factory: Any
) -> None:
    created = await container_factory(cmd=["cat"], open_stdin=True, stdin_once=True)

    async def text_chunks() -> AsyncIterator[Any]:
        yield make_tar({"a.txt": b"a\n"})[:512]
        yield "not bytes"

    with pytest.raises(TypeError, match="body source yielded str: chunks must be bytes"):
        await docker.containers.put_archive(created.id, "/tmp", text_chunks())
    async with docker.containers.attach(created.id, stdin=True) as stream:
        await docker.containers.start(created.id)
        with pytest.raises(TypeError, match=r"stdin takes bytes, got str \(encode text first\)"):
            await stream.write("text")  # type: ignore[arg-type]
        await stream.write(b"still works\n")
        await stream.close_stdin()
        assert await stream.collect() == (b"still works\n", b"")


async def test_put_archive_of_megabytes_to_a_missing_place_raises_the_daemons_error(
    docker: Docker, container_factory: Any
) -> None:
    """The daemon answers before it has read the body: its answer still comes through."""
    created = await container_factory(cmd=["true"])
    big = make_tar({"big.bin": bytes(range(256)) * (32 * 1024)})  # 8 MiB

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    for data in (big, chunks()):
        with anyio.fail_after(30), pytest.raises(errors.NotFound):
            await docker.containers.put_archive(created.id, "/no/such/dir", data)
    with anyio.fail_after(30), pytest.raises(errors.NotFound):
        await docker.containers.put_archive("aiodocker-engine-no-such-container", "/tmp", big)
    with pytest.raises(TypeError, match="data takes tar bytes or an async iterable"):
        await docker.containers.put_archive(created.id, "/tmp", [big])  # type: ignore[arg-type]
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]
    await docker.containers.put_archive(created.id, "/tmp", big)  # the client is unharmed
    assert (await docker.containers.stat_path(created.id, "/tmp/big.bin")).size == 8 << 20


async def test_streams_abandoned_mid_way_leak_no_socket(
    docker: Docker, container_factory: Any, docker_test_image: str
) -> None:
    chatty = ["sh", "-c", "while true; do echo tick; sleep 0.02; done"]
    running = await container_factory(cmd=chatty, open_stdin=True, attach_stdin=True)
    await docker.containers.start(running.id)
    stopped = await container_factory(cmd=["true"])
    before = await descriptors_in_use(docker)
    for _ in range(3):
        async with docker.containers.attach(running.id, stdin=True) as stream:
            async for _frame in stream:
                break
        async with docker.containers.attach_websocket(running.id) as ws:
            async for _frame in ws:
                break
        async with docker.containers.export(stopped.id) as export:
            async for _chunk in export:
                break
        async with docker.containers.get_archive(stopped.id, "/bin") as archive:
            async for _chunk in archive:
                break
        async with docker.containers.run_streaming(docker_test_image, chatty, remove=True) as run:
            async for _frame in run:
                break
        with anyio.move_on_after(1):
            await docker.containers.run(docker_test_image, ["sleep", "30"], remove=True)
    await assert_nothing_leaked(docker, before)


async def test_run_collects_output_and_exit_code(docker: Docker, docker_test_image: str) -> None:
    result = await docker.containers.run(
        docker_test_image, ["sh", "-c", "echo out; echo err >&2; exit 3"], remove=True
    )
    assert (result.exit_code, result.stdout, result.stderr) == (3, b"out\n", b"err\n")
    with pytest.raises(errors.NotFound):
        await docker.containers.inspect(result.container_id)


async def test_run_with_auto_remove_gets_the_exit_code_of_a_container_the_daemon_removes(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    script = ["sh", "-c", "echo bye; exit 6"]
    for how in ({"auto_remove": True}, {"host_config": HostConfig(auto_remove=True)}):
        with anyio.fail_after(30):
            result = await docker.containers.run(
                docker_test_image, script, labels=docker_test_labels, **how
            )
        assert (result.exit_code, result.stdout, result.stderr) == (6, b"bye\n", b"")
        with pytest.raises(errors.NotFound):
            await docker.containers.inspect(result.container_id)
    with anyio.fail_after(30):
        result = await docker.containers.run(
            docker_test_image, script, auto_remove=True, remove=True, labels=docker_test_labels
        )
    assert result.exit_code == 6
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_run_with_check_raises_container_error_with_stderr(
    docker: Docker, docker_test_image: str
) -> None:
    with pytest.raises(errors.ContainerError) as caught:
        await docker.containers.run(
            docker_test_image, "sh -c 'echo broken >&2; exit 7'", remove=True, check=True
        )
    assert caught.value.exit_code == 7
    assert caught.value.stderr == b"broken\n"


async def test_run_streams_stdin_in(docker: Docker, docker_test_image: str) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"x" * 16384

    result = await docker.containers.run(
        docker_test_image, ["wc", "-c"], stdin=chunks(), remove=True
    )
    assert result.stdout.strip() == b"1048576"


async def test_run_raises_the_daemons_own_error_not_a_group(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    name = f"aiodocker-engine-nobin-{uuid.uuid4().hex[:12]}"
    with pytest.raises(errors.APIError) as caught:
        await docker.containers.run(
            docker_test_image, ["no-such-binary"], name=name, remove=True, labels=docker_test_labels
        )
    assert type(caught.value) is errors.BadRequest  # 20.10: "executable file not found"
    assert "no-such-binary" in caught.value.message
    with pytest.raises(errors.NotFound):
        await docker.containers.inspect(name)
    with pytest.raises(KeyError, match="mine"):  # the caller's own error, as raised
        async with docker.containers.run_streaming(
            docker_test_image, ["cat"], stdin=b"x", remove=True, labels=docker_test_labels
        ):
            raise KeyError("mine")


async def test_run_with_a_stalled_stdin_source_ends_with_the_process(
    docker: Docker, docker_test_image: str
) -> None:
    async def stalls() -> AsyncIterator[bytes]:
        yield b"hello"
        await anyio.sleep_forever()
        yield b"never"  # pragma: no cover

    with anyio.fail_after(30):
        result = await docker.containers.run(
            docker_test_image, ["head", "-c", "5"], stdin=stalls(), remove=True
        )
    assert (result.exit_code, result.stdout) == (0, b"hello")


async def test_a_failing_stdin_source_fails_the_run_with_its_error(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    async def breaks() -> AsyncIterator[bytes]:
        yield b"some input\n"
        raise ValueError("the source broke")

    name = f"aiodocker-engine-badsrc-{uuid.uuid4().hex[:12]}"
    with anyio.fail_after(30), pytest.raises(ValueError, match="the source broke"):
        await docker.containers.run(
            docker_test_image,
            ["cat"],
            stdin=breaks(),
            name=name,
            remove=True,
            labels=docker_test_labels,
        )
    with pytest.raises(errors.NotFound):
        await docker.containers.inspect(name)
    with pytest.raises(TypeError, match="stdin takes bytes or an async iterable"):
        await docker.containers.run(  # type: ignore[call-overload]
            docker_test_image, ["cat"], stdin="text", name=name, labels=docker_test_labels
        )
    with pytest.raises(errors.NotFound):  # refused before anything was created
        await docker.containers.inspect(name)


async def test_run_takes_stdin_as_bytes(docker: Docker, docker_test_image: str) -> None:
    result = await docker.containers.run(
        docker_test_image, ["tr", "a-z", "A-Z"], stdin=b"shout\n", remove=True
    )
    assert (result.exit_code, result.stdout) == (0, b"SHOUT\n")


async def test_run_streaming_yields_frames_live_then_the_exit_code(
    docker: Docker, docker_test_image: str
) -> None:
    # `two` is written only after the test has seen `one` (see the exec test).
    gate = Release()
    script = ["sh", "-c", "echo one; read x; echo two; exit 4"]
    lines: list[bytes] = []
    with anyio.fail_after(30):
        async with docker.containers.run_streaming(
            docker_test_image, script, stdin=gate.stdin(), remove=True
        ) as run:
            async for frame in run:
                lines.append(bytes(frame.data))
                gate.release()
            assert await run.wait() == 4
    assert lines == [b"one\n", b"two\n"]


async def test_run_streaming_wait_after_the_block(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    script = ["sh", "-c", "exit 4"]
    with anyio.fail_after(30):
        # A container that outlives the block can still be asked.
        async with docker.containers.run_streaming(
            docker_test_image, script, labels=docker_test_labels
        ) as kept:
            await kept.collect()
        assert await kept.wait() == 4
        await docker.containers.remove(kept.container_id)
        gone_with_the_block: list[dict[str, Any]] = [{"remove": True}, {"auto_remove": True}]
        for gone in gone_with_the_block:
            async with docker.containers.run_streaming(
                docker_test_image, script, labels=docker_test_labels, **gone
            ) as run:
                await run.collect()
            with pytest.raises(errors.DockerError, match="call wait\\(\\) inside the block"):
                await run.wait()
            # Asked inside the block, the exit code is kept for later.
            async with docker.containers.run_streaming(
                docker_test_image, script, labels=docker_test_labels, **gone
            ) as run:
                assert await run.wait() == 4
            assert (await run.wait(), run.exit_code) == (4, 4)


async def test_a_detached_run_with_remove_is_removed_by_the_daemon_when_it_exits(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    for how in ({}, {"host_config": {"Memory": 64 << 20}}, {"host_config": HostConfig()}):
        created = await docker.containers.run(
            docker_test_image,
            ["sleep", "0.5"],
            detach=True,
            remove=True,
            labels=docker_test_labels,
            **how,
        )
        with anyio.fail_after(30):
            while True:  # gone once it has exited: nobody but the daemon removes it
                try:
                    await docker.containers.inspect(created.id)
                except errors.NotFound:
                    break
                await anyio.sleep(0.1)


async def test_run_detached_returns_the_started_container(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    created = await docker.containers.run(
        docker_test_image, ["sleep", "30"], detach=True, labels=docker_test_labels
    )
    try:
        info = await docker.containers.inspect(created.id)
        assert info.state is not None and info.state.running
    finally:
        await docker.containers.remove(created.id, force=True)


async def test_cancelled_run_with_remove_leaves_no_container(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    name = f"aiodocker-engine-cancel-{uuid.uuid4().hex[:12]}"

    async def run() -> None:
        await docker.containers.run(
            docker_test_image, ["sleep", "60"], name=name, remove=True, labels=docker_test_labels
        )

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        with anyio.fail_after(30):
            while True:  # cancel once the container runs
                with suppress(errors.NotFound):
                    state = (await docker.containers.inspect(name)).state
                    if state is not None and state.running:
                        break
                await anyio.sleep(0.02)
        tg.cancel_scope.cancel()
    with pytest.raises(errors.NotFound):
        await docker.containers.inspect(name)


async def test_a_run_with_remove_cancelled_at_any_moment_leaves_no_container(
    docker: Docker, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    """Also a cancel that cuts off the create request: the daemon creates it all the same."""
    for delay in (0.0, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3):
        name = f"aiodocker-engine-cancel-{uuid.uuid4().hex[:12]}"
        options: dict[str, Any] = {"name": name, "remove": True, "labels": docker_test_labels}
        with anyio.move_on_after(delay):
            await docker.containers.run(docker_test_image, ["sleep", "60"], **options)
        with pytest.raises(errors.NotFound):
            await docker.containers.inspect(name)
        with anyio.move_on_after(delay) as scope:
            await docker.containers.run(docker_test_image, ["sleep", "60"], detach=True, **options)
        if scope.cancelled_caught:
            with pytest.raises(errors.NotFound):
                await docker.containers.inspect(name)
        else:  # started in time: it runs on, detached, until it exits
            await docker.containers.remove(name, force=True)


async def test_websocket_attach_echoes_through_cat(docker: Docker, container_factory: Any) -> None:
    created = await container_factory(cmd=["cat"], open_stdin=True, attach_stdin=True)
    await docker.containers.start(created.id)
    async with docker.containers.attach_websocket(created.id, stdin=True) as ws:
        await ws.write(b"ping over websocket\n")
        received = b""
        with anyio.fail_after(10):
            async for frame in ws:
                received += frame.data
                if received.endswith(b"\n"):
                    break
        assert received == b"ping over websocket\n"
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_websocket_attach_to_a_missing_container_is_not_found(docker: Docker) -> None:
    with pytest.raises(errors.NotFound):
        async with docker.containers.attach_websocket("no-such-container-ws"):
            pass


async def test_run_pulls_a_missing_image_from_the_local_registry(
    docker: Docker,
    docker_test_image: str,
    docker_registry: Registry,
    docker_session_id: str,
    anyio_backend: str,
) -> None:
    name = f"{docker_registry.host}/aiodocker/run-pull-{docker_session_id}-{anyio_backend}:v1"
    await docker.images.tag(docker_test_image, name)
    await docker.images.push(name)
    await docker.images.remove(name)
    with pytest.raises(errors.NotFound):
        await docker.images.inspect(name)
    try:
        result = await docker.containers.run(name, ["echo", "pulled and ran"], remove=True)
        assert (result.exit_code, result.stdout) == (0, b"pulled and ran\n")
        assert (await docker.images.inspect(name)).id
    finally:
        with anyio.CancelScope(shield=True):
            await docker.images.remove(name, force=True)


@pytest.mark.parametrize("kind", ["logs", "attach", "exec", "export", "websocket"])
async def test_aclose_from_another_task_ends_the_iteration_cleanly(
    docker: Docker, container_factory: Any, kind: str
) -> None:
    """A shutdown handler closing a stream that another task iterates: that task's
    `async for` ends; it never sees the closed connection as an error."""
    created = await container_factory(cmd=["sh", "-c", "while :; do echo x; sleep 0.2; done"])
    await docker.containers.start(created.id)
    stream: Any
    if kind == "logs":
        stream = docker.containers.logs(created.id, follow=True)
    elif kind == "attach":
        stream = docker.containers.attach(created.id, stdout=True)
    elif kind == "exec":
        made = await docker.exec.create(created.id, cmd=["sh", "-c", "while :; do echo y; done"])
        stream = docker.exec.start(made.id)
    elif kind == "export":
        stream = docker.containers.export(created.id)
    else:
        stream = docker.containers.attach_websocket(created.id, stdout=True, stream=True)
    outcome = await closed_by_another_task(stream, after_first=True)
    assert outcome[0] == "item" and outcome[-1] == "ended"
    assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_several_tasks_writing_stdin_at_once_take_turns(
    docker: Docker, container_factory: Any
) -> None:
    """Each write holds the stream's stdin: every byte arrives, and none of the writers
    hangs (asyncio) or collides on the socket (trio)."""
    created = await container_factory(
        cmd=["sh", "-c", "wc -c"], open_stdin=True, stdin_once=True, attach_stdin=True
    )
    chunk = b"x" * (128 * 1024)  # larger than the socket buffers: writers must wait
    async with docker.containers.attach(created.id, stdin=True, stdout=True) as stream:
        await docker.containers.start(created.id)

        async def writer() -> None:
            for _ in range(10):
                await stream.write(chunk)

        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                for _ in range(4):
                    tg.start_soon(writer)
                tg.start_soon(functools.partial(stream.write_all, chunk, close=False))
            await stream.close_stdin()
            out, _ = await stream.collect()
    assert int(out) == 41 * len(chunk)


# trio rightly warns that a frame stream's generator was collected unfinished.
@pytest.mark.filterwarnings("ignore:Async generator .* garbage collected:ResourceWarning")
async def test_streams_left_by_a_bare_async_for_give_their_slot_and_socket_back(
    docker_engine: Engine, container_factory: Any
) -> None:
    """No `async with`, no `aclose()`: `break` drops the stream; the next request reclaims
    its pool slot and closes its socket (with one connection allowed, it waited forever)."""
    chatty = ["sh", "-c", "while true; do echo tick; sleep 0.02; done"]
    running = await container_factory(cmd=chatty)
    async with Docker(docker_engine.host, max_connections=1, timeout=10) as docker:
        await docker.containers.start(running.id)
        before = await descriptors_in_use(docker)
        for _ in range(3):
            # Message streams are freed at once; a frame stream and its async generator
            # reference each other, so the cycle collector frees them.
            async for _frame in docker.containers.logs(running.id, follow=True):
                break
            gc.collect()
            async for _sample in docker.containers.stats(running.id):
                break
            async for _event in docker.system.events(since=0):
                break
            with anyio.fail_after(10):
                await docker.system.ping()
        await assert_nothing_leaked(docker, before)


async def test_websocket_attach_error_carries_the_daemons_text_and_path_as_attach_does(
    docker: Docker,
) -> None:
    """The refused upgrade's JSON body gives `.message`; `.path` has no query string."""
    with pytest.raises(errors.NotFound) as plain:
        async with docker.containers.attach("no-such-container-ws"):
            pass
    with pytest.raises(errors.NotFound) as ws:
        async with docker.containers.attach_websocket("no-such-container-ws"):
            pass
    assert ws.value.message == plain.value.message == "No such container: no-such-container-ws"
    assert ws.value.path == f"{plain.value.path}/ws"
    assert ws.value.path.endswith("/containers/no-such-container-ws/attach/ws")
