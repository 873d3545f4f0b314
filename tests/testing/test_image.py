"""The test image's root filesystem: a reproducible tar of a static busybox and its applets."""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path

import pytest

from aiodocker_engine.testing._image import build_rootfs_tar, find_static_busybox, is_static_elf


@pytest.fixture(scope="module")
def busybox() -> Path:
    return find_static_busybox()


def test_is_static_elf_tells_static_busybox_from_dynamic_python(busybox: Path) -> None:
    assert is_static_elf(busybox)
    assert not is_static_elf(Path(sys.executable).resolve())


def test_is_static_elf_rejects_non_elf_files(tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text("#!/bin/sh\necho hi\n")
    assert not is_static_elf(script)


def test_rootfs_tar_is_reproducible(busybox: Path) -> None:
    assert build_rootfs_tar(busybox) == build_rootfs_tar(busybox)


def test_rootfs_tar_has_busybox_applets_users_and_tmp(busybox: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(build_rootfs_tar(busybox))) as tar:
        members = {m.name: m for m in tar.getmembers()}
        passwd = tar.extractfile("etc/passwd")
        assert passwd is not None
        users = {line.split(":")[0]: line.split(":")[2] for line in passwd.read().decode().split()}
    assert members["bin/busybox"].size == busybox.stat().st_size
    for applet in ("sh", "cat", "echo", "sleep", "wc", "ls", "env", "id", "top", "head", "dd",
                   "yes", "true", "false", "printf", "tr", "seq", "wget"):  # fmt: skip
        assert members[f"bin/{applet}"].issym()
        assert members[f"bin/{applet}"].linkname == "busybox"
    assert members["tmp"].isdir() and members["tmp"].mode == 0o1777
    assert users == {"root": "0", "user": "1000", "nobody": "65534"}
    assert {m.mtime for m in members.values()} == {1_700_000_000}
