"""The streamed build-context tar: what goes in, in which order, and in how big pieces."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import anyio
import pytest

from aiodocker_engine import errors
from aiodocker_engine._build_context import (
    CHUNK_SIZE,
    DirectoryContext,
    FileChunks,
    PathContext,
)

pytestmark = pytest.mark.anyio


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


async def _collect(context: DirectoryContext) -> tuple[bytes, list[int]]:
    sizes: list[int] = []
    parts: list[bytes] = []
    async for chunk in context:
        sizes.append(len(chunk))
        parts.append(chunk)
    return b"".join(parts), sizes


def _members(data: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {member.name: member for member in tar.getmembers()}


def _read(data: bytes, name: str) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        extracted = tar.extractfile(name)
        assert extracted is not None
        return extracted.read()


async def test_directory_tar_honours_dockerignore_and_keeps_build_files(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "Dockerfile": "FROM scratch\n",
            ".dockerignore": "*\n!src\nsrc/*.pyc\n",
            "README.md": "not sent",
            "src/app.py": "print()",
            "src/app.pyc": b"\0",
            "src/pkg/mod.py": "x = 1",
        },
    )
    data, _ = await _collect(DirectoryContext(tmp_path))
    members = _members(data)
    assert set(members) == {
        ".dockerignore",
        "Dockerfile",
        "src",
        "src/app.py",
        "src/pkg",
        "src/pkg/mod.py",
    }
    assert _read(data, "src/pkg/mod.py") == b"x = 1"
    assert all(m.uid == 0 and m.gid == 0 for m in members.values())
    # filepath.Walk order: names sorted, directories followed by their contents
    assert list(members) == sorted(members)


async def test_a_negated_directory_does_not_bring_back_what_an_earlier_pattern_excluded(
    tmp_path: Path,
) -> None:
    """Docker 23+'s walk (`MatchesUsingParentResults`): `!src` was never tried on `src`,
    which nothing had excluded, so it does not re-include `src/a.pyc` (the 20.10 CLI and
    `MatchesOrParentMatches` would)."""
    _write(
        tmp_path,
        {
            "Dockerfile": "FROM scratch\n",
            ".dockerignore": "**/*.pyc\n!src\n",
            "a.pyc": b"\0",
            "src/a.pyc": b"\0",
            "src/x.py": "x",
            "src/pkg/b.pyc": b"\0",
        },
    )
    data, _ = await _collect(DirectoryContext(tmp_path))
    assert set(_members(data)) == {".dockerignore", "Dockerfile", "src", "src/x.py", "src/pkg"}


async def test_excluded_directory_with_a_negated_member_is_walked_without_its_entry(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {
            "Dockerfile": "FROM scratch\n",
            ".dockerignore": "vendor\n!vendor/keep\n",
            "vendor/drop/x": "x",
            "vendor/keep/y": "y",
            "vendor/z": "z",
        },
    )
    data, _ = await _collect(DirectoryContext(tmp_path))
    assert set(_members(data)) == {
        ".dockerignore",
        "Dockerfile",
        "vendor/keep",
        "vendor/keep/y",
    }


async def test_dockerfile_in_an_excluded_directory_is_still_sent(tmp_path: Path) -> None:
    _write(
        tmp_path, {"build/Dockerfile": "FROM scratch\n", "build/x": "x", ".dockerignore": "build"}
    )
    context = DirectoryContext(tmp_path, dockerfile="build/Dockerfile")
    data, _ = await _collect(context)
    assert context.dockerfile_name == "build/Dockerfile"
    assert set(_members(data)) == {".dockerignore", "build/Dockerfile"}


async def test_dockerfile_outside_the_context_gets_a_random_name(tmp_path: Path) -> None:
    _write(tmp_path, {"ctx/a.txt": "a", "ctx/.dockerignore": "*.log", "Other": "FROM scratch\n"})
    context = DirectoryContext(tmp_path / "ctx", dockerfile=tmp_path / "Other")
    name = context.dockerfile_name
    assert name.startswith(".dockerfile.") and len(name) == len(".dockerfile.") + 20
    data, _ = await _collect(context)
    assert set(_members(data)) == {name, ".dockerignore", "a.txt"}
    assert _read(data, name) == b"FROM scratch\n"
    assert _read(data, ".dockerignore") == f"*.log\n{name}\n".encode()
    # without a .dockerignore of its own, one is made that also hides itself
    (tmp_path / "ctx" / ".dockerignore").unlink()
    other = DirectoryContext(tmp_path / "ctx", dockerfile="../Other")
    data, _ = await _collect(other)
    assert _read(data, ".dockerignore") == f".dockerignore\n{other.dockerfile_name}\n".encode()


@pytest.mark.parametrize("given", [None, "Dockerfile", "sub/Dockerfile"])
async def test_a_dockerfile_symlinked_to_outside_is_sent_from_where_it_really_is(
    tmp_path: Path, given: str | None
) -> None:
    _write(tmp_path, {"shared/Dockerfile": "FROM scratch\n", "ctx/a.txt": "a"})
    (tmp_path / "ctx" / "Dockerfile").symlink_to(tmp_path / "shared" / "Dockerfile")
    (tmp_path / "ctx" / "sub").symlink_to(tmp_path / "shared")  # a symlinked directory
    context = DirectoryContext(tmp_path / "ctx", dockerfile=given)
    name = context.dockerfile_name
    assert name.startswith(".dockerfile.")
    data, _ = await _collect(context)
    assert _read(data, name) == b"FROM scratch\n"
    assert _members(data)["Dockerfile"].issym()  # the context's own entry stays a link


async def test_a_dockerfile_symlinked_inside_the_context_is_named_by_its_target(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {"docker/build.df": "FROM scratch\n"})
    (tmp_path / "Dockerfile").symlink_to("docker/build.df")
    assert DirectoryContext(tmp_path).dockerfile_name == "docker/build.df"


async def test_a_lowercase_dockerfile_is_used_and_kept_when_there_is_no_dockerfile(
    tmp_path: Path,
) -> None:
    _write(tmp_path, {"dockerfile": "FROM scratch\n", ".dockerignore": "*\n", "x": "x"})
    context = DirectoryContext(tmp_path)
    assert context.dockerfile_name == "dockerfile"
    data, _ = await _collect(context)
    assert set(_members(data)) == {".dockerignore", "dockerfile"}
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")  # the usual name wins
    assert DirectoryContext(tmp_path).dockerfile_name == "Dockerfile"


async def test_links_modes_and_empty_files(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM scratch\n", "run.sh": "#!/bin/sh\n", "empty": ""})
    (tmp_path / "run.sh").chmod(0o755)
    os.link(tmp_path / "run.sh", tmp_path / "zz-hard")
    os.symlink("run.sh", tmp_path / "link")
    os.symlink("/nowhere", tmp_path / "dangling")
    data, _ = await _collect(DirectoryContext(tmp_path))
    members = _members(data)
    assert members["run.sh"].mode == 0o755 and members["run.sh"].isfile()
    assert members["zz-hard"].islnk() and members["zz-hard"].linkname == "run.sh"
    assert members["link"].issym() and members["link"].linkname == "run.sh"
    assert members["dangling"].issym() and members["dangling"].linkname == "/nowhere"
    assert members["empty"].size == 0


async def test_gzip_context_decompresses_to_the_same_tar(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM scratch\n", "big": os.urandom(300_000)})
    plain, _ = await _collect(DirectoryContext(tmp_path))
    packed, _ = await _collect(DirectoryContext(tmp_path, gzip=True))
    assert packed[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed) == plain


async def test_large_files_stream_in_bounded_chunks(tmp_path: Path) -> None:
    size = 3 * CHUNK_SIZE + 123
    _write(tmp_path, {"Dockerfile": "FROM scratch\n", "blob": os.urandom(size)})
    data, sizes = await _collect(DirectoryContext(tmp_path))
    assert max(sizes) <= CHUNK_SIZE
    assert len(sizes) >= 4
    assert _read(data, "blob") == (tmp_path / "blob").read_bytes()


async def test_long_and_non_ascii_names(tmp_path: Path) -> None:
    long_name = "d" * 120 + "/" + "f" * 150
    _write(tmp_path, {"Dockerfile": "FROM scratch\n", long_name: "x", "ünï/çødé.txt": "y"})
    data, _ = await _collect(DirectoryContext(tmp_path))
    members = _members(data)
    assert long_name in members and "ünï/çødé.txt" in members


async def test_a_context_is_sent_once(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM scratch\n"})
    context = DirectoryContext(tmp_path)
    await _collect(context)
    with pytest.raises(RuntimeError, match="only once"):
        context.__aiter__()


async def test_missing_directory_and_bad_dockerignore_raise(tmp_path: Path) -> None:
    with pytest.raises(errors.DockerError, match="not a directory"):
        await _collect(DirectoryContext(tmp_path / "absent"))
    _write(tmp_path, {"Dockerfile": "FROM scratch\n", ".dockerignore": "ok\n[broken\n"})
    with pytest.raises(ValueError, match=r"\[broken"):
        await _collect(DirectoryContext(tmp_path))


async def test_a_dockerignore_or_dockerfile_that_cannot_be_read_raises_naming_it(
    tmp_path: Path,
) -> None:
    # A directory cannot be read as a file, even by root.
    _write(tmp_path, {"Dockerfile": "FROM scratch\n"})
    (tmp_path / ".dockerignore").mkdir()
    with pytest.raises(errors.DockerError, match=r"cannot read '.*\.dockerignore': Is a dir"):
        await _collect(DirectoryContext(tmp_path))
    context = tmp_path / "context"
    _write(context, {"a": "x"})
    outside = tmp_path / "Dockerfile.dev"  # outside the context, and a directory
    outside.mkdir()
    with pytest.raises(errors.DockerError, match=r"cannot read '.*Dockerfile\.dev'"):
        await _collect(DirectoryContext(context, dockerfile=outside))


async def test_unreadable_file_raises_naming_it(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root reads anything: make the "file" a directory-turned-file race instead
        _write(tmp_path, {"Dockerfile": "FROM scratch\n", "grows": "abc"})
        context = DirectoryContext(tmp_path)
        iterator = context.__aiter__()
        first = await iterator.__anext__()
        assert first
        (tmp_path / "grows").write_text("")  # shrinks after it was listed
        with pytest.raises(errors.DockerError, match=r"'grows'.*shrank"):
            async for _ in iterator:
                pass
        await context.aclose()
        return
    _write(tmp_path, {"Dockerfile": "FROM scratch\n", "secret": "x"})
    (tmp_path / "secret").chmod(0)
    with pytest.raises(errors.DockerError, match="'secret'"):
        await _collect(DirectoryContext(tmp_path))


async def test_abandoned_context_closes_the_file_it_was_reading(tmp_path: Path) -> None:
    _write(tmp_path, {"Dockerfile": "FROM scratch\n", "blob": os.urandom(3 * CHUNK_SIZE)})
    context = DirectoryContext(tmp_path)
    iterator = context.__aiter__()
    await iterator.__anext__()
    await iterator.__anext__()
    assert context._reader is not None
    await context.aclose()
    assert context._reader is None or context._reader._file is None


async def test_path_context_picks_directory_or_tar_file(tmp_path: Path) -> None:
    _write(tmp_path, {"ctx/Dockerfile": "FROM scratch\n"})
    directory = PathContext(tmp_path / "ctx", dockerfile="Dockerfile")
    assert isinstance(await directory.open(), DirectoryContext)
    assert directory.dockerfile_name == "Dockerfile"
    await directory.aclose()
    (tmp_path / "ctx.tar").write_bytes(b"tar bytes")
    archive = PathContext(tmp_path / "ctx.tar")
    body = await archive.open()
    assert isinstance(body, FileChunks)
    assert b"".join([chunk async for chunk in body]) == b"tar bytes"
    with pytest.raises(errors.DockerError, match="neither"):
        await PathContext(tmp_path / "absent").open()


async def test_file_chunks_read_in_pieces(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x" * 10)
    chunks = [c async for c in FileChunks(tmp_path / "f", chunk_size=4)]
    assert chunks == [b"xxxx", b"xxxx", b"xx"]
    await anyio.lowlevel.checkpoint()
