"""Build contexts: a directory streamed as a tar while it is read, filtered by .dockerignore.

Theory of operation.

1. `.dockerignore` (`parse_dockerignore`, `PatternMatcher`) follows the docker CLI, which uses
   moby's `dockerignore.ReadAll` and `patternmatcher`:
   a. a UTF-8 BOM on the first line is dropped; lines starting with "#" in column 0 are
      comments; the rest is stripped of surrounding white space, empty lines are dropped;
   b. "!" negates; a pattern is cleaned like Go's `filepath.Clean` and loses one leading
      "/" (patterns are relative to the context root);
   c. "*" and "?" never match "/", "**" matches any number of directories, "[...]" are
      classes, "\\" escapes; a pattern that starts with "**" matches any path that ends with
      the rest, one that ends with "**" any path that starts with the rest;
   d. the walk decides as the CLI's `archive.TarWithOptions` has since Docker 23
      (`MatchesUsingParentResults`): patterns are tried in order, a negation only while
      the path is excluded and any other only while it is not, and the last that matches
      decides; a pattern that matched a path's directory matches the path too, but only
      if it was tried on that directory. So after `**/*.pyc` and `!src`, `src/a.pyc`
      stays out: `!src` was never tried on `src`, which nothing had excluded. Deciding
      whether the Dockerfile and .dockerignore need re-including (f) asks instead
      whether a pattern matches the path or any parent (`MatchesOrParentMatches`), as
      the CLI does there;
   e. an excluded directory is not descended into unless a negation pattern names something
      inside it; then its members are matched one by one and the directory entry itself
      is left out (as `archive.TarWithOptions` does);
   f. the Dockerfile and .dockerignore are always sent (the CLI appends "!Dockerfile" and
      "!.dockerignore" when the patterns exclude them); the daemon applies .dockerignore
      again, after reading the Dockerfile.
2. A Dockerfile outside the context (where it really is, symlinks resolved, as the CLI
   decides) is sent under a random name ".dockerfile.<20 hex>" and that name is appended
   to the .dockerignore sent along, as the CLI does, so COPY cannot see it. Without a
   Dockerfile given, "Dockerfile" is used, or "dockerfile" when only that exists.
3. The tar is written as it is sent: one directory listing and one file chunk at a time,
   all file system calls in worker threads (`anyio.to_thread`), never the whole context in
   memory and never a temporary file. Owners are 0:0 like the CLI's, hard links are kept,
   symlinks are not followed, sockets are left out. A file that shrinks while it is read
   raises `DockerError` instead of sending a corrupt archive.
4. Optional gzip compresses the stream on the fly (the daemon detects compression itself).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import secrets
import stat
import tarfile
import zlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio

from aiodocker_engine import errors

__all__ = [
    "DirectoryContext",
    "FileChunks",
    "Pattern",
    "PatternMatcher",
    "parse_dockerignore",
]

CHUNK_SIZE = 256 * 1024
_FLUSH_AT = 64 * 1024
_BLOCK = 512
_BOM = "\ufeff"
_GO_ESCAPE = frozenset(".+()|{}$")


def go_clean(path: str) -> str:
    """Go's `filepath.Clean` on a slash path (posixpath.normpath keeps a leading "//")."""
    cleaned = posixpath.normpath(path) if path else "."
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def parse_dockerignore(text: str) -> list[str]:
    """The patterns of a .dockerignore file, normalised as `dockerignore.ReadAll` does."""
    patterns: list[str] = []
    for number, line in enumerate(text.splitlines()):
        if number == 0 and line.startswith(_BOM):
            line = line[len(_BOM) :]
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


@dataclass(frozen=True)
class Pattern:
    """One compiled pattern: how it matches (exact, prefix, suffix, regexp) and if it negates."""

    text: str
    exclusion: bool
    kind: str
    regexp: re.Pattern[str] | None

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix[:1] == "/" and path == suffix[1:])
        assert self.regexp is not None
        return self.regexp.match(path) is not None


def _compile(text: str, exclusion: bool, source: str) -> Pattern:
    """Translate one cleaned pattern the way patternmatcher's `compile` does."""
    out = ["^"]
    kind = "exact"
    in_class = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        at_start = i == 0
        i += 1
        if in_class and ch not in "]\\":
            # Inside a class characters are literal; escape those Python would read as
            # set operations or nested sets (Go has neither).
            out.append("\\" + ch if ch in "[&~|" or (ch == "-" and text[i : i + 1] == "-") else ch)
            continue
        if ch == "*":
            if text[i : i + 1] == "*":
                i += 1
                if text[i : i + 1] == "/":
                    i += 1
                if i >= n:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out.append(".*")
                        kind = "regexp"
                else:
                    out.append("(.*/)?")
                    kind = "regexp"
                if at_start:
                    kind = "suffix"
            else:
                out.append("[^/]*")
                kind = "regexp"
        elif ch == "?":
            out.append("[^/]")
            kind = "regexp"
        elif ch in _GO_ESCAPE:
            out.append("\\" + ch)
        elif ch == "\\":
            if i >= n:
                raise ValueError(f"{source}: pattern {text!r} ends with an escape character")
            out.append(re.escape(text[i]))
            i += 1
            kind = "regexp"
        elif ch == "[":
            in_class = True
            out.append("[")
            kind = "regexp"
        elif ch == "]":
            in_class = False
            out.append("]")
            kind = "regexp"
        else:
            out.append(re.escape(ch))
    if in_class:
        raise ValueError(f"{source}: pattern {text!r} has an unclosed '['")
    regexp = None
    if kind == "regexp":
        try:
            regexp = re.compile("".join(out) + r"\Z", re.DOTALL)
        except re.error as exc:
            raise ValueError(f"{source}: pattern {text!r} is not valid: {exc}") from None
    return Pattern(text, exclusion, kind, regexp)


class PatternMatcher:
    """.dockerignore patterns, compiled once; `matches(path)` says if a path is excluded.

    Paths are slash-separated and relative to the context root ("src/app.py").
    Invalid patterns raise ValueError naming the pattern and `source`.
    """

    def __init__(self, patterns: Sequence[str], *, source: str = ".dockerignore") -> None:
        self.patterns: list[Pattern] = []
        for raw in patterns:
            text = raw.strip()
            if not text:
                continue
            text = go_clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise ValueError(f'{source}: illegal exclusion pattern: "!"')
                text = text[1:]
            self.patterns.append(_compile(text, exclusion, source))
        self.exclusions = any(p.exclusion for p in self.patterns)

    def __repr__(self) -> str:
        shown = ", ".join(("!" if p.exclusion else "") + p.text for p in self.patterns)
        return f"<PatternMatcher [{shown}]>"

    def matches(self, path: str) -> bool:
        """Whether `path` is excluded (rule 1d of the module docstring)."""
        path = go_clean(path)
        if path == ".":
            return False
        parent = posixpath.dirname(path)
        parents = parent.split("/") if parent else []
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            hit = pattern.match(path)
            if not hit:
                for depth in range(1, len(parents) + 1):
                    if pattern.match("/".join(parents[:depth])):
                        hit = True
                        break
            if hit:
                matched = not pattern.exclusion
        return matched

    def matches_below(self, path: str, parent: Sequence[bool] | None) -> tuple[bool, list[bool]]:
        """Whether `path` is excluded during the walk (rule 1d), given which patterns
        matched its directory (None for a top-level path); also which patterns matched
        `path` itself, for its own members."""
        matched = False
        hits = [False] * len(self.patterns)
        for index, pattern in enumerate(self.patterns):
            if parent is not None and parent[index]:
                hit = True  # matched the directory: no need to look again
            elif pattern.exclusion != matched:
                continue  # untried: recorded as no match, so members are tried afresh
            else:
                hit = pattern.match(path)
            hits[index] = hit
            if hit:
                matched = not pattern.exclusion
        return matched, hits

    def may_include_under(self, directory: str) -> bool:
        """Whether a negation pattern names something inside the excluded `directory`."""
        prefix = directory + "/"
        return any(p.exclusion and (p.text + "/").startswith(prefix) for p in self.patterns)


# -- tar entries ---------------------------------------------------------------------


def _header(
    name: str,
    st: os.stat_result | None,
    *,
    kind: bytes,
    size: int = 0,
    linkname: str = "",
    mode: int | None = None,
    mtime: int | None = None,
) -> bytes:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = size
    info.linkname = linkname
    info.mode = mode if mode is not None else (stat.S_IMODE(st.st_mode) if st else 0o644)
    info.mtime = mtime if mtime is not None else (int(st.st_mtime) if st else 0)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if st is not None and kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


# One directory level of the walk: its path prefix, its entries left (reversed), and
# which patterns matched the directory itself (None at the top).
_Level = tuple[str, list[tuple[str, os.stat_result, str]], list[bool] | None]


def _padding(size: int) -> bytes:
    return b"\0" * (-size % _BLOCK)


def _scan(path: str) -> list[tuple[str, os.stat_result, str]]:
    """One directory's entries, sorted by name, with lstat and link targets (in a thread)."""
    out: list[tuple[str, os.stat_result, str]] = []
    with os.scandir(path) as entries:
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            target = os.readlink(entry.path) if stat.S_ISLNK(st.st_mode) else ""
            out.append((entry.name, st, target))
    out.sort(key=lambda item: os.fsencode(item[0]))
    return out


class FileChunks:
    """Async iterator of a file's bytes in chunks, read in a worker thread; `aclose()` closes it.

    Used to upload tarballs (load, import) without reading them into memory.
    """

    def __init__(self, path: str | os.PathLike[str], *, chunk_size: int = CHUNK_SIZE) -> None:
        self.path = Path(path)
        self._chunk_size = chunk_size
        self._file: anyio.AsyncFile[bytes] | None = None
        self._done = False

    def __repr__(self) -> str:
        return f"<FileChunks {str(self.path)!r}>"

    def __aiter__(self) -> FileChunks:
        return self

    async def __anext__(self) -> bytes:
        if self._done:
            raise StopAsyncIteration
        if self._file is None:
            self._file = await anyio.open_file(self.path, "rb")
        chunk = await self._file.read(self._chunk_size)
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        self._done = True
        file, self._file = self._file, None
        if file is not None:
            with anyio.CancelScope(shield=True):
                await file.aclose()


def _locate_dockerfile(
    root: Path, dockerfile: str | os.PathLike[str] | None
) -> tuple[str, Path | None]:
    """The Dockerfile's name in the context, or a random name and its path when it really
    lives outside (after symlinks), as the CLI's `getDockerfileRelPath` decides.

    A relative `dockerfile` is relative to the context (the API's meaning). Without
    one, "Dockerfile", or "dockerfile" when only that exists, as the CLI looks.
    """
    root_abs = Path(os.path.abspath(root))
    if dockerfile is None:
        candidate = root_abs / "Dockerfile"
        if not os.path.lexists(candidate) and os.path.lexists(root_abs / "dockerfile"):
            candidate = root_abs / "dockerfile"
    else:
        candidate = root_abs / Path(dockerfile)
    real_root = Path(os.path.realpath(root_abs))
    real = Path(os.path.realpath(candidate))
    if real_root in real.parents:
        return real.relative_to(real_root).as_posix(), None
    return ".dockerfile." + secrets.token_hex(10), real


class DirectoryContext:
    """A directory as a streamed (optionally gzipped) tar build context, as the CLI sends it.

    Iterate it once; `dockerfile_name` is what to pass as the build's `dockerfile`
    parameter (the random name when the Dockerfile lives outside the directory). Call
    `aclose()` when the upload was abandoned, to close the file being read.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        dockerfile: str | os.PathLike[str] | None = None,
        gzip: bool = False,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.root = Path(root)
        self._gzip = gzip
        self._chunk_size = chunk_size
        self.dockerfile_name, self._outside = _locate_dockerfile(self.root, dockerfile)
        self._iterator: AsyncIterator[bytes] | None = None
        self._reader: FileChunks | None = None

    def __repr__(self) -> str:
        extra = " gzip" if self._gzip else ""
        return f"<DirectoryContext {str(self.root)!r} dockerfile={self.dockerfile_name!r}{extra}>"

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._iterator is not None:
            raise RuntimeError("a DirectoryContext can be sent only once")
        self._iterator = self._chunks()
        return self._iterator

    async def aclose(self) -> None:
        """Stop reading: closes the file being read and the generator (idempotent)."""
        with anyio.CancelScope(shield=True):
            if self._reader is not None:
                await self._reader.aclose()
            iterator = self._iterator
            if iterator is not None and hasattr(iterator, "aclose"):
                await iterator.aclose()

    async def _chunks(self) -> AsyncIterator[bytes]:
        # One generator, no nested ones: closing it closes everything (see aclose).
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if self._gzip else None
        root = os.fspath(self.root)
        if not await anyio.to_thread.run_sync(os.path.isdir, root):
            raise errors.DockerError(f"build context {root!r} is not a directory")
        ignore_path = os.path.join(root, ".dockerignore")
        ignore_text = await anyio.to_thread.run_sync(_read_text, ignore_path)
        patterns = parse_dockerignore(ignore_text or "")
        matcher = PatternMatcher(patterns, source=ignore_path)
        buffer = bytearray()
        if self._outside is not None:
            content = await anyio.to_thread.run_sync(_read_bytes, self._outside)
            if content is None:
                raise errors.DockerError(f"Dockerfile {str(self._outside)!r} does not exist")
            name = self.dockerfile_name
            buffer += _header(name, None, kind=tarfile.REGTYPE, size=len(content), mode=0o600)
            buffer += content + _padding(len(content))
            ignore = (ignore_text if ignore_text is not None else ".dockerignore").encode()
            ignore += f"\n{name}\n".encode()
            buffer += _header(
                ".dockerignore", None, kind=tarfile.REGTYPE, size=len(ignore), mode=0o600
            )
            buffer += ignore + _padding(len(ignore))
        else:
            extra = []
            if matcher.matches(".dockerignore"):
                extra.append("!.dockerignore")
            if matcher.matches(self.dockerfile_name):
                extra.append("!" + self.dockerfile_name)
            if extra:
                matcher = PatternMatcher([*patterns, *extra], source=ignore_path)
        links: dict[tuple[int, int], str] = {}
        # Depth-first in name order, like filepath.Walk; each level's entries reversed so
        # pop() takes the next one; with each level, which patterns matched its directory.
        top: _Level = ("", await self._scan(root, ""), None)
        stack = [top]
        while stack:
            prefix, entries, parent_hits = stack[-1]
            if not entries:
                stack.pop()
                continue
            name, st, target = entries.pop()
            rel = prefix + name
            if self._outside is not None and rel == ".dockerignore":
                continue  # sent above, with the random Dockerfile name appended
            is_dir = stat.S_ISDIR(st.st_mode)
            excluded, hits = matcher.matches_below(rel, parent_hits)
            if excluded:
                if is_dir and matcher.exclusions and matcher.may_include_under(rel):
                    stack.append((rel + "/", await self._scan(root, rel), hits))
                continue
            if is_dir:
                buffer += _header(rel, st, kind=tarfile.DIRTYPE)
                stack.append((rel + "/", await self._scan(root, rel), hits))
            elif stat.S_ISLNK(st.st_mode):
                buffer += _header(rel, st, kind=tarfile.SYMTYPE, linkname=target)
            elif stat.S_ISREG(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and key in links:
                    buffer += _header(rel, st, kind=tarfile.LNKTYPE, linkname=links[key])
                    continue
                if st.st_nlink > 1:
                    links[key] = rel
                buffer += _header(rel, st, kind=tarfile.REGTYPE, size=st.st_size)
                if st.st_size:
                    out = _compress(compressor, buffer)
                    buffer.clear()
                    if out:
                        yield out
                    reader = self._reader = FileChunks(
                        os.path.join(root, rel), chunk_size=self._chunk_size
                    )
                    left = st.st_size
                    try:
                        while left:
                            try:
                                chunk = await reader.__anext__()
                            except StopAsyncIteration:
                                break
                            if len(chunk) > left:
                                chunk = chunk[:left]
                            left -= len(chunk)
                            out = _compress(compressor, chunk)
                            if out:
                                yield out
                    except OSError as exc:
                        raise errors.DockerError(
                            f"cannot read {rel!r} in the build context: {exc.strerror}"
                        ) from None
                    finally:
                        await reader.aclose()
                        self._reader = None
                    if left:
                        raise errors.DockerError(
                            f"{rel!r} in the build context shrank while it was sent "
                            f"({left} bytes missing)"
                        )
                buffer += _padding(st.st_size)
            elif stat.S_ISFIFO(st.st_mode):
                buffer += _header(rel, st, kind=tarfile.FIFOTYPE)
            elif stat.S_ISCHR(st.st_mode):
                buffer += _header(rel, st, kind=tarfile.CHRTYPE)
            elif stat.S_ISBLK(st.st_mode):
                buffer += _header(rel, st, kind=tarfile.BLKTYPE)
            # sockets cannot be archived: left out, as the CLI does
            if len(buffer) >= _FLUSH_AT:
                out = _compress(compressor, buffer)
                buffer.clear()
                if out:
                    yield out
        buffer += b"\0" * (2 * _BLOCK)
        out = _compress(compressor, buffer)
        if compressor is not None:
            out += compressor.flush()
        yield out

    async def _scan(self, root: str, rel: str) -> list[tuple[str, os.stat_result, str]]:
        path = os.path.join(root, rel) if rel else root
        try:
            entries = await anyio.to_thread.run_sync(_scan, path)
        except OSError as exc:
            raise errors.DockerError(
                f"cannot list {rel or '.'!r} in the build context: {exc.strerror}"
            ) from None
        entries.reverse()
        return entries


def _compress(compressor: zlib._Compress | None, data: bytes | bytearray) -> bytes:
    if compressor is None:
        return bytes(data)
    return compressor.compress(data)


def _read_text(path: str) -> str | None:
    """The file's text; None when it does not exist, DockerError when it cannot be read."""
    content = _read_bytes(Path(path))
    return None if content is None else content.decode("utf-8", errors="replace")


def _read_bytes(path: Path) -> bytes | None:
    """The file's bytes; None when it does not exist, DockerError when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:  # a directory, no permission, an I/O error
        raise errors.DockerError(f"cannot read {str(path)!r}: {exc.strerror or exc}") from exc


class PathContext:
    """A build context given as a path: a directory (`DirectoryContext`) or a tar file.

    Which one is decided in `open()`, in a worker thread, so the caller never blocks.
    `dockerfile_name` is final once `open()` returned.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dockerfile: str | os.PathLike[str] | None = None,
        gzip: bool = False,
    ) -> None:
        self.path = path
        self._dockerfile = dockerfile
        self._gzip = gzip
        self.dockerfile_name: str | None = os.fspath(dockerfile) if dockerfile else None
        self._body: DirectoryContext | FileChunks | None = None

    def __repr__(self) -> str:
        return f"<PathContext {os.fspath(self.path)!r}>"

    async def open(self) -> DirectoryContext | FileChunks:
        """The body to send: the directory as a tar stream, or the tar file's bytes."""
        body: DirectoryContext | FileChunks
        if await anyio.to_thread.run_sync(os.path.isdir, self.path):
            # In a thread: locating the Dockerfile follows symlinks on the file system.
            directory = await anyio.to_thread.run_sync(
                functools.partial(
                    DirectoryContext, self.path, dockerfile=self._dockerfile, gzip=self._gzip
                )
            )
            self.dockerfile_name = directory.dockerfile_name
            body = directory
        elif await anyio.to_thread.run_sync(os.path.isfile, self.path):
            body = FileChunks(self.path)
        else:
            raise errors.DockerError(
                f"build context {os.fspath(self.path)!r} is neither a directory nor a tar file"
            )
        self._body = body
        return body

    async def aclose(self) -> None:
        if self._body is not None:
            await self._body.aclose()
        else:
            await anyio.lowlevel.checkpoint()
