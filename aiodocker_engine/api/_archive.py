"""Container filesystem archives: the path stat header and the streamed tar download."""

from __future__ import annotations

import base64
import binascii

import msgspec

from aiodocker_engine.errors import DockerError
from aiodocker_engine.streams._bytes import BytesStream
from aiodocker_engine.streams._messages import Opener
from aiodocker_engine.transport._base import Response

__all__ = ["ArchiveStream", "PathStat", "decode_path_stat"]

STAT_HEADER = "x-docker-container-path-stat"


class PathStat(msgspec.Struct, frozen=True, kw_only=True):
    """What the daemon says about a path in a container (`X-Docker-Container-Path-Stat`)."""

    name: str
    size: int
    mode: int
    mtime: str
    link_target: str = msgspec.field(default="", name="linkTarget")

    @property
    def is_dir(self) -> bool:
        # Go's os.FileMode keeps the directory bit at 1 << 31.
        return bool(self.mode & (1 << 31))


_stat_decoder = msgspec.json.Decoder(PathStat)


def decode_path_stat(response: Response) -> PathStat:
    """Decode the base64 JSON stat header of an archive response."""
    raw = response.headers.get(STAT_HEADER)
    if raw is None:
        raise DockerError(f"the daemon sent no {STAT_HEADER} header")
    try:
        return _stat_decoder.decode(base64.b64decode(raw))
    except (binascii.Error, msgspec.DecodeError) as exc:
        raise DockerError(f"malformed {STAT_HEADER} header: {exc}") from exc


class ArchiveStream(BytesStream):
    """A tar stream of a container path; `stat` is known once the stream is open."""

    def __init__(self, opener: Opener, *, what: str = "") -> None:
        super().__init__(opener, what=what)
        self._stat: PathStat | None = None

    async def open(self) -> None:
        """Send the request now; the stat header is decoded (and checked) as it arrives."""
        await super().open()
        if self._stat is None and self.response is not None:
            try:
                self._stat = decode_path_stat(self.response)
            except DockerError:
                await self.aclose()
                raise

    @property
    def stat(self) -> PathStat:
        """The path's stat, from the response head; kept after the body is read or closed."""
        if self._stat is None:
            raise DockerError("the archive stream is not open yet: use `async with` first")
        return self._stat
