"""`containers.run`: the `docker run` flow, as the Engine API docs describe it step by step.

1. Create the container; if the image is missing (404 naming the image), pull it and
   create again.
2. Unless detached, attach (stream, stdout, stderr, and stdin when given) *before*
   start, so no early output is lost.
3. Start; feed stdin (then half-close it) while collecting output.
4. Wait for the exit code; remove the container if asked, even when the caller is
   cancelled (under a shielded scope); raise ContainerError with `check=True`.
   With removal asked for, the create request itself is shielded: a create cut off by
   a cancel still makes the container on the daemon, and nothing would remove it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any

import anyio
import msgspec

from aiodocker_engine import errors
from aiodocker_engine.api._create import create_request
from aiodocker_engine.api._stdin import Stdin, check_stdin, feeding_stdin
from aiodocker_engine.models import ContainerCreateRequest, ContainerCreateResponse
from aiodocker_engine.streams._frames import Frame
from aiodocker_engine.streams._output import FrameStream

if TYPE_CHECKING:
    from aiodocker_engine.api._wait import ContainerWaiter
    from aiodocker_engine.api.containers import ContainersApi

__all__ = ["RunResult", "RunStream", "create_pulling", "run_container", "run_streaming"]


class RunResult(msgspec.Struct, frozen=True):
    """What `containers.run` returns: exit code and the collected output (never None)."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    container_id: str = ""


class RunStream:
    """A running container's live output: iterate its frames, then `await wait()`.

    Yielded by `containers.run_streaming`; stdin given to it is fed in the background.
    """

    def __init__(
        self,
        api: ContainersApi,
        container_id: str,
        frames: FrameStream,
        waiter: ContainerWaiter | None = None,
        *,
        removed_on_leave: bool = False,
    ) -> None:
        self._api = api
        self._waiter = waiter
        self._removed_on_leave = removed_on_leave
        self._left = False
        self.container_id = container_id
        self.frames = frames
        self.exit_code: int | None = None

    def __repr__(self) -> str:
        return f"<RunStream {self.container_id[:12]} exit_code={self.exit_code}>"

    def __aiter__(self) -> AsyncIterator[Frame]:
        return self.frames.__aiter__()

    async def collect(self) -> tuple[bytes, bytes]:
        """Read the rest of the output: (stdout, stderr)."""
        return await self.frames.collect()

    async def wait(self) -> int:
        """Wait for the container to exit; return (and keep in `exit_code`) its exit code.

        Call it inside the `async with` block when the container goes with the block
        (`remove=True`, `auto_remove=True`): afterwards there is no container left to ask.
        """
        if self.exit_code is not None:
            await anyio.lowlevel.checkpoint()
            return self.exit_code
        if self._left and self._removed_on_leave:
            raise errors.DockerError(
                f"wait for container {self.container_id}: the `async with` block that "
                "removed it was left first; call wait() inside the block"
            )
        if self._waiter is not None:
            status = await self._waiter.result()
        else:
            status = await self._api.wait(self.container_id)
        self.exit_code = int(status.status_code or 0)
        return self.exit_code


def _is_missing_image(exc: errors.NotFound, image: str) -> bool:
    text = exc.message.lower()
    return "no such image" in text or image.lower() in text


async def create_pulling(
    api: ContainersApi,
    image: str,
    *,
    name: str | None,
    platform: str | None,
    pull: bool,
    fields: dict[str, Any],
    shielded: bool = False,
) -> ContainerCreateResponse:
    """Create, pulling the image first when the daemon says it is missing.

    `shielded`: a cancel cannot interrupt a create request (the client timeout still
    bounds it). The daemon goes on creating a container whose request was cut off, so
    a caller who must remove what it made has to learn its id.
    """

    async def create() -> ContainerCreateResponse:
        with anyio.CancelScope(shield=shielded):
            created = await api.create(image=image, name=name, platform=platform, **fields)
        return created

    try:
        return await create()
    except errors.NotFound as exc:
        if not pull or not _is_missing_image(exc, image):
            raise
    await api._docker.images.pull(image, platform=platform)
    return await create()


def _attach_fields(fields: dict[str, Any], stdin: Stdin) -> dict[str, Any]:
    wanted = dict(fields)
    wanted.setdefault("attach_stdout", True)
    wanted.setdefault("attach_stderr", True)
    if stdin is not None:
        wanted.update(attach_stdin=True, open_stdin=True, stdin_once=True)
    return wanted


def _planned(fields: dict[str, Any]) -> ContainerCreateRequest:
    """The create body these run arguments make (raising here for a bad field)."""
    given = dict(fields)
    body = given.pop("body", None)
    request, _ = create_request(body, given)
    return request


def _with_auto_remove(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` with HostConfig.AutoRemove set, wherever the HostConfig is given."""
    given = dict(fields)
    host_config = given.get("host_config")
    if host_config is None:
        given["auto_remove"] = True  # joins a body's own HostConfig, if it has one
    elif isinstance(host_config, Mapping):
        given["host_config"] = {**host_config, "AutoRemove": True}
    else:
        given["host_config"] = msgspec.structs.replace(host_config, auto_remove=True)
    return given


async def _remove_quietly(api: ContainersApi, container: str) -> None:
    with anyio.CancelScope(shield=True):
        # Conflict: the daemon is removing it already (auto_remove).
        with suppress(errors.NotFound, errors.Conflict):
            await api.remove(container, force=True, v=True)


@asynccontextmanager
async def run_streaming(
    api: ContainersApi,
    image: str,
    *,
    name: str | None,
    platform: str | None,
    stdin: Stdin,
    remove: bool,
    pull: bool,
    fields: dict[str, Any],
) -> AsyncIterator[RunStream]:
    """Create, attach, start; yield the live frame stream (stdin is fed in the background)."""
    check_stdin(stdin, "containers.run")
    planned = _planned(_attach_fields(fields, stdin))
    created = await create_pulling(
        api,
        image,
        name=name,
        platform=platform,
        pull=pull,
        fields=_attach_fields(fields, stdin),
        shielded=remove,
    )
    container = created.id
    assert container is not None
    try:
        stream = api.attach(
            container,
            stdin=stdin is not None,
            stdout=True,
            stderr=True,
            tty=bool(planned.tty),
        )
        async with stream, AsyncExitStack() as later:
            waiter = None
            if planned.host_config is not None and planned.host_config.auto_remove:
                # The daemon removes the container as it exits, so a wait sent after the
                # output ends may find nothing: register it before the start, as
                # `docker run --rm` does.
                waiter = await later.enter_async_context(
                    api.waiting(container, condition="removed")
                )
            await api.start(container)
            run = RunStream(
                api, container, stream, waiter, removed_on_leave=remove or waiter is not None
            )
            try:
                async with feeding_stdin(stream, stdin):
                    yield run
            finally:
                run._left = True
    finally:
        if remove:
            await _remove_quietly(api, container)


async def run_container(
    api: ContainersApi,
    image: str,
    *,
    name: str | None,
    platform: str | None,
    stdin: Stdin,
    detach: bool,
    remove: bool,
    check: bool,
    pull: bool,
    fields: dict[str, Any],
) -> RunResult | ContainerCreateResponse:
    """The whole flow; see the module docstring."""
    if detach:
        if stdin is not None:
            raise ValueError("containers.run: stdin needs an attached (not detached) run")
        if remove:  # as `docker run -d --rm` and docker-py: the daemon removes it on exit
            fields = _with_auto_remove(fields)
        created = await create_pulling(
            api, image, name=name, platform=platform, pull=pull, fields=fields, shielded=remove
        )
        assert created.id is not None
        try:
            await api.start(created.id)
        except BaseException:
            if remove:
                await _remove_quietly(api, created.id)
            raise
        return created
    async with run_streaming(
        api,
        image,
        name=name,
        platform=platform,
        stdin=stdin,
        remove=remove,
        pull=pull,
        fields=fields,
    ) as run:
        container = run.container_id
        stdout, stderr = await run.collect()
        exit_code = await run.wait()
    if check and exit_code != 0:
        raise errors.ContainerError(container, exit_code, stderr, stdout=stdout)
    return RunResult(exit_code, stdout, stderr, container)
