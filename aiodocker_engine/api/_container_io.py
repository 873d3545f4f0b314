"""Container I/O: logs, attach (hijacked and websocket), export and filesystem archives."""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

import anyio.abc
import msgspec

from aiodocker_engine._sources import check_source
from aiodocker_engine._timestamps import daemon_time
from aiodocker_engine.api._archive import ArchiveStream, PathStat, decode_path_stat
from aiodocker_engine.api._group import ApiGroup
from aiodocker_engine.api._path import quote_path
from aiodocker_engine.errors import APIError, DockerError
from aiodocker_engine.streams._bytes import BytesStream
from aiodocker_engine.streams._messages import Opener
from aiodocker_engine.streams._output import FrameStream, TtyHint
from aiodocker_engine.streams._websocket import WebSocketStream
from aiodocker_engine.transport._base import Response

if TYPE_CHECKING:
    from aiodocker_engine.client import Docker

__all__ = ["ContainerIoApi", "Since", "tty_before_stream"]

# From this version the answer's Content-Type tells raw from multiplexed output.
_CONTENT_TYPE_TELLS = (1, 42)


def tty_before_stream(
    docker: Docker, opener: Opener, find_tty: Callable[[], Awaitable[bool]]
) -> tuple[Opener, TtyHint]:
    """An opener that asks for the TTY setting first where the framing needs it (below
    API 1.42), and the hint that then knows it.

    For streams that keep a pooled connection (logs): asked once the stream holds its
    connection, the inspect waits for another one, forever when the pool is full of log
    streams (or `max_connections=1`).
    """
    found: list[bool] = []

    async def ask_then_open() -> Response:
        version = await docker.negotiate()
        if tuple(int(part) for part in version.split(".")) < _CONTENT_TYPE_TELLS:
            found.append(await find_tty())
        return await opener()

    async def tty() -> bool:
        return found[0] if found else await find_tty()

    return ask_then_open, tty


class _TtyConfig(msgspec.Struct):
    tty: bool = msgspec.field(default=False, name="Tty")


class _TtyOf(msgspec.Struct):
    """The one field of an inspect that framing needs: nothing else can fail to decode."""

    config: _TtyConfig | None = msgspec.field(default=None, name="Config")


Since = datetime | int | float | str
"""A point in time for `since`/`until`: a datetime, Unix seconds, or text as the CLI takes
it (a duration before now such as "10m", an RFC 3339 time, Unix seconds)."""


class ContainerIoApi(ApiGroup):
    """The streaming half of `docker.containers` (see `ContainersApi`)."""

    def _api_version(self) -> tuple[int, int]:
        version = self._docker._version
        assert version is not None, "the stream opener negotiates before framing is decided"
        return version

    def _tty_of(self, container: str) -> Callable[[], Awaitable[bool]]:
        async def container_tty() -> bool:
            info: _TtyOf = await self._docker._json(
                "ContainerInspect", "GET", f"/containers/{quote_path(container)}/json", _TtyOf
            )
            return info.config is not None and info.config.tty

        return container_tty

    def logs(
        self,
        container: str,
        *,
        stdout: bool = True,
        stderr: bool = True,
        follow: bool = False,
        since: Since | None = None,
        until: Since | None = None,
        tail: int | str | None = None,
        timestamps: bool = False,
        tty: bool | None = None,
    ) -> FrameStream:
        """The container's log as frames (`async with` it, or iterate it).

        `follow=True` keeps the stream open until the container stops. `timestamps=True`
        moves each line's timestamp into `frame.timestamp`. Before API 1.42 the daemon
        does not say whether output is TTY; pass `tty=` when you know it to save the
        inspect that otherwise finds out (asked before the stream takes its connection,
        so a pool full of log streams cannot starve it). Leaving the iterator early
        closes the connection.
        """
        path = f"/containers/{quote_path(container)}/logs"
        query: dict[str, object] = {
            "stdout": stdout,
            "stderr": stderr,
            "follow": follow or None,
            "since": daemon_time(since, "logs(since)"),
            "until": daemon_time(until, "logs(until)"),
            "tail": tail,
            "timestamps": timestamps or None,
        }

        async def opener() -> Response:
            return await self._docker._send(
                "ContainerLogs", "GET", path, query=query, buffered=False
            )

        send: Opener = opener
        hint: TtyHint = tty
        if tty is None:
            send, hint = tty_before_stream(self._docker, opener, self._tty_of(container))
        return FrameStream(
            send,
            api_version=self._api_version,
            tty=hint,
            timestamps=timestamps,
            what=f"logs of {container}",
        )

    def attach(
        self,
        container: str,
        *,
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        stream: bool = True,
        logs: bool = False,
        detach_keys: str | None = None,
        tty: bool | None = None,
    ) -> FrameStream:
        """Attach to the container's stdio over a hijacked connection.

        Use as `async with docker.containers.attach(id, stdin=True) as s:`; the stream
        offers `write()`, `close_stdin()`, `resize()`, frames and `collect()`. Attach
        before `start()` to see the very first output. The hijacked connection leaves
        the pool and is closed when the block is left.
        """
        path = f"/containers/{quote_path(container)}/attach"
        query: dict[str, object] = {
            "stream": stream,
            "logs": logs or None,
            "stdin": stdin or None,
            "stdout": stdout,
            "stderr": stderr,
            "detachKeys": detach_keys,
        }

        async def opener() -> Response:
            return await self._docker._send(
                "ContainerAttach", "POST", path, query=query, buffered=False, upgrade=True
            )

        async def resizer(h: int, w: int) -> None:
            await self._docker.containers.resize(container, h=h, w=w)

        return FrameStream(
            opener,
            api_version=self._api_version,
            tty=self._tty_of(container) if tty is None else tty,
            resizer=resizer,
            what=f"attach to {container}",
        )

    def attach_websocket(
        self,
        container: str,
        *,
        stdin: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        stream: bool = True,
        logs: bool = False,
        detach_keys: str | None = None,
    ) -> WebSocketStream:
        """Attach over a websocket (binary messages); same interface as `attach`.

        Output arrives as raw bytes with stdout and stderr merged. Before API 1.42 the
        daemon ignores `stdin`/`stdout`/`stderr` here and attaches all three.
        """
        path = f"/containers/{quote_path(container)}/attach/ws"
        target = [""]

        async def open_raw() -> anyio.abc.ByteStream:
            query: dict[str, object] = {
                "stream": stream,
                "logs": logs or None,
                "detachKeys": detach_keys,
            }
            version = self._docker._version
            if version is None:
                await self._docker.negotiate()
                version = self._docker._version
            if version is not None and version >= (1, 42):
                query.update(stdin=stdin, stdout=stdout, stderr=stderr)
            raw, target[0] = await self._docker._open_raw("ContainerAttachWebsocket", path, query)
            ws.set_target(target[0])
            return raw

        async def resizer(h: int, w: int) -> None:
            await self._docker.containers.resize(container, h=h, w=w)

        ws = WebSocketStream(
            open_raw, host="docker", resizer=resizer, handshake_timeout=self._docker.timeout
        )
        return ws

    def export(self, container: str) -> BytesStream:
        """The container's filesystem as a tar stream (iterate it, or `write_to(path)`)."""
        path = f"/containers/{quote_path(container)}/export"

        async def opener() -> Response:
            return await self._docker._send("ContainerExport", "GET", path, buffered=False)

        return BytesStream(opener, what=f"export of {container}")

    async def stat_path(self, container: str, path: str) -> PathStat:
        """Stat a path inside the container (HEAD archive); NotFound if it does not exist.

        The error carries the daemon's text ("Could not find the file ... in container
        ..." or "No such container: ..."), as `get_archive`'s does.
        """
        url = f"/containers/{quote_path(container)}/archive"
        try:
            response = await self._docker._send(
                "ContainerArchiveInfo", "HEAD", url, query={"path": path}
            )
        except APIError as refused:
            # An answer to HEAD has no body, so the error has only the status line
            # (a missing path and a missing container both read "Not Found"). The same
            # GET answers with the daemon's text; should the path exist by now, its
            # head carries the same stat, and its body is not read. If the GET fails
            # otherwise (a timeout, a broken connection), the HEAD's error stands.
            try:
                response = await self._docker._send(
                    "ContainerArchive", "GET", url, query={"path": path}, buffered=False
                )
            except APIError:
                raise
            except DockerError:
                raise refused from None
        await response.aclose()
        return decode_path_stat(response)

    def get_archive(self, container: str, path: str) -> ArchiveStream:
        """A tar stream of `path` in the container; its `stat` is set once open."""
        url = f"/containers/{quote_path(container)}/archive"

        async def opener() -> Response:
            return await self._docker._send(
                "ContainerArchive", "GET", url, query={"path": path}, buffered=False
            )

        return ArchiveStream(opener, what=f"{container}:{path}")

    async def put_archive(
        self,
        container: str,
        path: str,
        data: bytes | AsyncIterable[bytes],
        *,
        no_overwrite_dir_non_dir: bool = False,
        copy_uid_gid: bool = False,
    ) -> None:
        """Extract a tar archive into the directory `path` of the container.

        `data` may be bytes or an async iterable of chunks, streamed as the request body
        (never gathered in memory). Not bounded by the client timeout.
        """
        check_source(data, "put_archive: data", kind="tar bytes")
        await self._docker._empty(
            "PutContainerArchive",
            "PUT",
            f"/containers/{quote_path(container)}/archive",
            query={
                "path": path,
                "noOverwriteDirNonDir": no_overwrite_dir_non_dir or None,
                "copyUIDGID": copy_uid_gid or None,
            },
            body=data,
            headers={"Content-Type": "application/x-tar"},
            time_limit=None,
        )
