"""Exec: run commands in running containers — create, start, inspect, resize, and one-call run.

Theory of operation
-------------------
1. Framing. From API 1.42 the start response's Content-Type says raw or multiplexed.
   Before, the daemon (Docker 20.10) always answers `raw-stream` and frames the output
   by the `Tty` of the *start* request, not of the exec's config; so that `Tty` is the
   hint FrameStream falls back on, and no inspect is ever spent on it.
2. The exit code is not in the stream. Once the output ends, `inspect` gives it; the
   daemon may still report `Running` for a few milliseconds (the output pipes close
   before containerd's exit event is handled), so it is polled with a doubling pause,
   for at most `EXIT_WAIT` seconds, then DockerError. (Docker 20.10 ends the output of
   a process that closes its stdout and stderr only when it exits, so only a daemon
   that lags that long gets there; measured with 400 concurrent execs on one container,
   the longest wait was 3 ms.)
3. `run` feeds stdin from a background task while the output is read, so a command
   that reads all its input before writing (`wc -c`) cannot deadlock, and a process
   that reads slowly slows the feeder through socket backpressure (nothing is queued).
4. Cancelling closes the hijacked connection under a shielded scope. The process
   itself keeps running in the container: the Engine API has no call to stop an exec.
"""

from __future__ import annotations

import shlex
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import msgspec

from aiodocker_engine import errors
from aiodocker_engine.api._body import build_body
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.api._query import terminal_size
from aiodocker_engine.api._stdin import Stdin, check_stdin, feeding_stdin
from aiodocker_engine.models import ExecConfig, ExecInspectResponse, ExecStartConfig, IDResponse
from aiodocker_engine.streams._frames import Frame
from aiodocker_engine.streams._output import FrameStream
from aiodocker_engine.transport._base import Response

__all__ = ["EXIT_WAIT", "ExecApi", "ExecResult", "ExecStream", "Stdin"]

EXIT_WAIT = 5.0
"""Seconds to keep asking for the exit code while the daemon still says Running."""

_FIRST_PAUSE = 0.001
_LONGEST_PAUSE = 0.1

Env = Mapping[str, str] | Sequence[str]


class ExecResult(msgspec.Struct, frozen=True):
    """What `exec.run` returns: the exit code and the collected output (never None)."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    exec_id: str = ""


class ExecStream:
    """A running exec's live output: iterate its frames, then `await wait()` for the exit code.

    Yielded by `exec.run_streaming`; stdin given there is fed in the background.
    """

    def __init__(self, api: ExecApi, exec_id: str, frames: FrameStream) -> None:
        self._api = api
        self.exec_id = exec_id
        self.frames = frames
        self.exit_code: int | None = None

    def __repr__(self) -> str:
        return f"<ExecStream {self.exec_id[:12]} exit_code={self.exit_code}>"

    def __aiter__(self) -> AsyncIterator[Frame]:
        return self.frames.__aiter__()

    @property
    def tty(self) -> bool:
        """True when the output is raw TTY bytes (all on stdout)."""
        return self.frames.tty

    async def collect(self) -> tuple[bytes, bytes]:
        """Read the rest of the output: (stdout, stderr)."""
        return await self.frames.collect()

    async def wait(self) -> int:
        """Drop any output not read yet, then return (and keep in `exit_code`) the exit code."""
        async for _ in self.frames:
            pass
        self.exit_code = await self._api._exit_code(self.exec_id)
        return self.exit_code


def _command(cmd: Sequence[str] | str) -> list[str]:
    # Like docker-py: a command given as one string is split the way a shell would.
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd)


def _env(env: Env | None) -> list[str] | None:
    if env is None:
        return None
    if isinstance(env, Mapping):
        return [f"{key}={value}" for key, value in env.items()]
    if isinstance(env, str):
        raise TypeError(f"env must be a mapping or a list of KEY=value strings, got {env!r}")
    return list(env)


class ExecApi(ApiGroup):
    """Exec instances: `docker.exec`."""

    def _api_version(self) -> tuple[int, int]:
        version = self._docker._version
        assert version is not None, "the stream opener negotiates before framing is decided"
        return version

    async def create(
        self,
        container: str,
        cmd: Sequence[str] | str | None = None,
        *,
        body: ExecConfig | None = None,
        env: Env | None = None,
        workdir: str | None = None,
        user: str | None = None,
        privileged: bool | None = None,
        tty: bool | None = None,
        stdin: bool | None = None,
        stdout: bool | None = None,
        stderr: bool | None = None,
        detach_keys: str | None = None,
        console_size: tuple[int, int] | None = None,
    ) -> IDResponse:
        """Set up a command to run in a running container; returns the exec id.

        `env` is a mapping or `["KEY=value", ...]`; `user` is a name or "uid[:gid]";
        `console_size` is (height, width) and needs API 1.42 (VersionError before, sent
        nothing). Without `body`, stdout and stderr are attached unless set to False.
        A stopped or paused container raises Conflict; a missing one NotFound.
        """
        fields: dict[str, object] = {
            "cmd": _command(cmd) if cmd is not None else None,
            "env": _env(env),
            "working_dir": workdir,
            "user": user,
            "privileged": privileged,
            "tty": tty,
            "attach_stdin": stdin,
            "attach_stdout": stdout,
            "attach_stderr": stderr,
            "detach_keys": detach_keys,
            "console_size": list(console_size) if console_size is not None else None,
        }
        if body is None:
            fields["attach_stdout"] = True if stdout is None else stdout
            fields["attach_stderr"] = True if stderr is None else stderr
        request, set_fields = build_body(ExecConfig, body, fields, where="exec.create")
        if not request.cmd:
            raise ValueError("exec.create: a command (cmd) is required")
        return await self._docker._json(
            "ContainerExec",
            "POST",
            f"/containers/{quote_path(container)}/exec",
            IDResponse,
            body=request,
            fields=set_fields,
        )

    def start(
        self, exec_id: str, *, tty: bool = False, console_size: tuple[int, int] | None = None
    ) -> FrameStream:
        """Start an exec instance attached: the hijacked stream of its stdio.

        Use as `async with docker.exec.start(id, tty=...) as s:`; like attach it offers
        `write()`, `close_stdin()`, `resize()`, frames and `collect()`. Pass the `tty`
        the exec was created with: before API 1.42 it decides the framing. The stream
        ends when the process exits; leaving the block closes the connection but does
        not stop the process. An exec that already ran (or runs) is refused by the
        daemon inside the stream: its "Error: Exec command ... has already run" comes as
        output (Docker 20.10); `inspect` tells beforehand.
        """
        path = f"/exec/{quote_path(exec_id)}/start"
        request = ExecStartConfig(
            detach=False,
            tty=tty,
            console_size=list(console_size) if console_size is not None else None,
        )
        fields = ["ConsoleSize"] if console_size is not None else []

        async def opener() -> Response:
            return await self._docker._send(
                "ExecStart",
                "POST",
                path,
                body=request,
                fields=fields,
                buffered=False,
                upgrade=True,
            )

        async def resizer(h: int, w: int) -> None:
            await self.resize(exec_id, h=h, w=w)

        return FrameStream(
            opener,
            api_version=self._api_version,
            tty=tty,
            resizer=resizer,
            what=f"exec {exec_id[:12]}",
        )

    async def start_detached(self, exec_id: str) -> None:
        """Start an exec instance in the background; `inspect` tells when it has exited."""
        await self._docker._empty(
            "ExecStart",
            "POST",
            f"/exec/{quote_path(exec_id)}/start",
            body=ExecStartConfig(detach=True, tty=False),
        )

    async def inspect(self, exec_id: str) -> ExecInspectResponse:
        """An exec's state: `running`, `exit_code` (None until it exits), `pid`, its config."""
        return await self._docker._json(
            "ExecInspect", "GET", f"/exec/{quote_path(exec_id)}/json", ExecInspectResponse
        )

    async def resize(self, exec_id: str, *, h: int, w: int) -> None:
        """Resize the TTY of an exec created and started with `tty=True`."""
        await self._docker._empty(
            "ExecResize",
            "POST",
            f"/exec/{quote_path(exec_id)}/resize",
            query=terminal_size(h, w, "exec.resize"),
        )

    async def _exit_code(self, exec_id: str) -> int:
        """The exit code once the daemon says the exec stopped (theory rule 2)."""
        deadline = anyio.current_time() + EXIT_WAIT
        pause = _FIRST_PAUSE
        while True:
            info = await self.inspect(exec_id)
            if not info.running:
                if info.exit_code is None:
                    raise errors.DockerError(f"exec {exec_id[:12]} has no exit code: not started?")
                return info.exit_code
            if anyio.current_time() >= deadline:
                raise errors.DockerError(
                    f"exec {exec_id[:12]} still runs {EXIT_WAIT} s after its output ended "
                    "(the daemon has not handled its exit)"
                )
            await anyio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    async def run(
        self,
        container: str,
        cmd: Sequence[str] | str,
        *,
        stdin: Stdin = None,
        env: Env | None = None,
        workdir: str | None = None,
        user: str | None = None,
        tty: bool = False,
        privileged: bool = False,
        check: bool = False,
    ) -> ExecResult:
        """`docker exec`: run a command, return ExecResult(exit_code, stdout, stderr).

        `stdin` (bytes or an async iterable of chunks) is streamed in, with backpressure,
        then closed. With `tty=True` all output arrives on stdout, with `\\r\\n` line ends.
        Output is collected in memory: use `run_streaming` for long or large output.
        `check=True` raises `errors.ContainerError` (the exit code, stderr, stdout and
        exec id) on a non-zero exit, as `containers.run` does; its message ends with the
        tail of stderr, or of stdout when stderr is empty: dockerd writes there why the
        runtime could not start the command ("OCI runtime exec failed: ...", exit 126).
        Cancelling closes the connection; the process keeps running in the container.
        """
        async with self.run_streaming(
            container,
            cmd,
            stdin=stdin,
            env=env,
            workdir=workdir,
            user=user,
            tty=tty,
            privileged=privileged,
        ) as run:
            stdout, stderr = await run.collect()
            exit_code = await run.wait()
        if check and exit_code != 0:
            raise errors.ContainerError(
                container, exit_code, stderr, stdout=stdout, exec_id=run.exec_id
            )
        return ExecResult(exit_code, stdout, stderr, run.exec_id)

    def run_streaming(
        self,
        container: str,
        cmd: Sequence[str] | str,
        *,
        stdin: Stdin = None,
        env: Env | None = None,
        workdir: str | None = None,
        user: str | None = None,
        tty: bool = False,
        privileged: bool = False,
    ) -> AbstractAsyncContextManager[ExecStream]:
        """`docker exec` with live output: `async with ... as run:` iterate frames, then
        `await run.wait()` for the exit code. Leaving the block stops feeding stdin and
        closes the connection."""
        return self._run_streaming(
            container,
            cmd,
            stdin=stdin,
            env=env,
            workdir=workdir,
            user=user,
            tty=tty,
            privileged=privileged,
        )

    @asynccontextmanager
    async def _run_streaming(
        self,
        container: str,
        cmd: Sequence[str] | str,
        *,
        stdin: Stdin,
        env: Env | None,
        workdir: str | None,
        user: str | None,
        tty: bool,
        privileged: bool,
    ) -> AsyncIterator[ExecStream]:
        check_stdin(stdin, "exec.run")
        created = await self.create(
            container,
            cmd,
            env=env,
            workdir=workdir,
            user=user,
            privileged=privileged or None,
            tty=tty or None,
            stdin=stdin is not None or None,
        )
        exec_id = created.id
        if not exec_id:
            raise errors.DockerError(f"exec.create on {container} returned no id")
        stream = self.start(exec_id, tty=tty)
        async with stream, feeding_stdin(stream, stdin):
            yield ExecStream(self, exec_id, stream)
