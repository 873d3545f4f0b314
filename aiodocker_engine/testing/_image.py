"""Build and import the busybox test image without a registry, from Debian's static busybox.

The rootfs is a tar made in memory: `/bin/busybox` (must be statically linked: the image
has no libc), a symlink in /bin for every applet `busybox --list` names, /etc/passwd and
/etc/group with root, `user` (uid 1000) and `nobody`, and the usual empty directories.
It is imported with `POST /images/create?fromSrc=-` and `CMD ["sh"]`. The tar is
byte-for-byte reproducible, and its sha256 is recorded in the image's comment (not a label:
containers inherit image labels, and tests compare labels), so an engine that already has
this exact image is left alone and one with an older build gets the new one.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
import urllib.parse
from pathlib import Path
from typing import Literal

from aiodocker_engine.testing import _http
from aiodocker_engine.testing._engine import default_base_dir
from aiodocker_engine.testing._install import (
    HarnessError,
    apt_download,
    apt_install,
    find_program,
    unpack_deb,
)

__all__ = [
    "TEST_IMAGE",
    "build_rootfs_tar",
    "ensure_test_image",
    "find_static_busybox",
    "is_static_elf",
    "static_busybox_at_hand",
]

TEST_IMAGE = "aiodocker-engine-test/busybox:latest"
_COMMENT = "aiodocker_engine test image, rootfs sha256:"
_MTIME = 1_700_000_000
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_PASSWD = (
    "root:x:0:0:root:/root:/bin/sh\n"
    "user:x:1000:1000:user:/home/user:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
)
_GROUP = "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n"
_DIRS = {
    "bin": 0o755,
    "dev": 0o755,
    "etc": 0o755,
    "home": 0o755,
    "home/user": 0o755,
    "proc": 0o755,
    "root": 0o700,
    "sbin": 0o755,
    "sys": 0o755,
    "tmp": 0o1777,
    "usr": 0o755,
    "usr/bin": 0o755,
    "usr/sbin": 0o755,
    "var": 0o755,
    "var/tmp": 0o1777,
}
_OWNERS = {"home/user": 1000}


def is_static_elf(path: Path) -> bool:
    """Whether `path` is an ELF executable without a program interpreter (PT_INTERP)."""
    with open(path, "rb") as f:
        header = f.read(64)
        if len(header) < 64 or header[:4] != b"\x7fELF":
            return False
        is64 = header[4] == 2
        order: Literal["little", "big"] = "little" if header[5] == 1 else "big"
        if is64:
            phoff = int.from_bytes(header[32:40], order)
            phentsize = int.from_bytes(header[54:56], order)
            phnum = int.from_bytes(header[56:58], order)
        else:
            phoff = int.from_bytes(header[28:32], order)
            phentsize = int.from_bytes(header[42:44], order)
            phnum = int.from_bytes(header[44:46], order)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type = int.from_bytes(table[i * phentsize : i * phentsize + 4], order)
        if p_type == 3:  # PT_INTERP: needs a dynamic loader the image does not have
            return False
    return True


def find_static_busybox(cache: Path | None = None) -> Path:
    """A static busybox: on the PATH, unpacked earlier into `cache`, or fetched now.

    With no busybox at all, busybox-static is installed (as root). When the PATH has a
    dynamic busybox, the busybox-static package would replace it (Debian makes the two
    conflict), so its file is fetched and unpacked into `cache` instead (by default
    the harness's directory, see `default_base_dir`) and no system package changes.
    """
    found = static_busybox_at_hand(cache)
    if found is not None:
        return found
    installed = find_program("busybox")
    if installed is None:
        apt_install(["busybox-static"], why="the test image needs a static busybox")
    else:
        _unpack_busybox_static(cache or _default_cache(), dynamic=installed)
    found = static_busybox_at_hand(cache)
    if found is None:
        where = "installed" if installed is None else f"unpacked into {cache or _default_cache()}"
        raise HarnessError(f"busybox-static was {where}, but no static busybox is found there")
    return found


def static_busybox_at_hand(cache: Path | None = None) -> Path | None:
    """A static busybox found without installing anything; None when there is none."""
    found = find_program("busybox")
    if found is not None and is_static_elf(Path(found)):
        return Path(found)
    for unpacked in _unpacked_binaries(cache or _default_cache()):
        if unpacked.is_file() and is_static_elf(unpacked):
            return unpacked
    return None


def _default_cache() -> Path:
    return default_base_dir() / "busybox-static"


def _unpacked_binaries(cache: Path) -> tuple[Path, ...]:
    return (cache / "bin" / "busybox", cache / "usr" / "bin" / "busybox")


def _unpack_busybox_static(cache: Path, *, dynamic: str) -> None:
    why = f"the test image needs a static busybox ({dynamic} is dynamic)"
    cache.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Unpacked beside the cache and renamed into place: a parallel session sees the
    # whole tree or none of it.
    with tempfile.TemporaryDirectory(dir=cache.parent, prefix=".busybox-") as work:
        deb = apt_download("busybox-static", Path(work), why=why)
        tree = Path(work) / "tree"
        unpack_deb(deb, tree, why=why)
        if cache.exists() and not any(p.is_file() for p in _unpacked_binaries(cache)):
            shutil.rmtree(cache)  # a tree that lost its binary (a /tmp cleaner): replaced
        try:
            tree.rename(cache)
        except OSError:
            if not cache.is_dir():  # not a parallel session's identical tree: a real error
                raise


def _applets(busybox: Path) -> list[str]:
    listed = subprocess.run(
        [str(busybox), "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    return sorted({name for name in listed if name and "/" not in name and name != "busybox"})


def _add(tar: tarfile.TarFile, info: tarfile.TarInfo, data: bytes | None = None) -> None:
    info.mtime = _MTIME
    info.uid = info.gid = _OWNERS.get(info.name, 0)
    info.uname = info.gname = ""
    if data is not None:
        info.size = len(data)
    tar.addfile(info, io.BytesIO(data) if data is not None else None)


def build_rootfs_tar(busybox: Path) -> bytes:
    """The test image's root filesystem as an uncompressed, reproducible tar."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, mode in _DIRS.items():
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, mode
            _add(tar, info)
        info = tarfile.TarInfo("bin/busybox")
        info.mode = 0o755
        _add(tar, info, busybox.read_bytes())
        for applet in _applets(busybox):
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname, info.mode = tarfile.SYMTYPE, "busybox", 0o777
            _add(tar, info)
        for name, text in (("etc/passwd", _PASSWD), ("etc/group", _GROUP)):
            info = tarfile.TarInfo(name)
            info.mode = 0o644
            _add(tar, info, text.encode())
    return buf.getvalue()


def _inspect(host: str, prefix: str, image: str) -> dict[str, object] | None:
    resp = _http.request(host, "GET", f"{prefix}/images/{urllib.parse.quote(image)}/json")
    if resp.status == 404:
        return None
    if resp.status != 200:
        raise HarnessError(f"inspecting image {image} on {host} answered {resp.status}")
    found = resp.json()
    return found if isinstance(found, dict) else None


def _digest_of(inspected: dict[str, object]) -> str | None:
    comment = inspected.get("Comment")
    if isinstance(comment, str) and comment.startswith(_COMMENT):
        return comment[len(_COMMENT) :]
    return None


def _import(host: str, prefix: str, image: str, rootfs: bytes, digest: str) -> None:
    repo, _, tag = image.rpartition(":")
    query = [
        ("fromSrc", "-"),
        ("repo", repo),
        ("tag", tag),
        ("changes", 'CMD ["sh"]'),
        ("changes", f"ENV PATH={_PATH}"),
        ("message", f"{_COMMENT}{digest}"),
    ]
    resp = _http.request(
        host,
        "POST",
        f"{prefix}/images/create?{urllib.parse.urlencode(query)}",
        body=rootfs,
        headers={"Content-Type": "application/x-tar"},
        timeout=120,
    )
    errors = [
        str(message.get("error"))
        for line in resp.body.splitlines()
        if line.strip()
        for message in [json.loads(line)]
        if isinstance(message, dict) and message.get("error")
    ]
    if resp.status != 200 or errors:
        detail = "; ".join(errors) or resp.body.decode(errors="replace").strip()
        raise HarnessError(f"importing the test image into {host} failed ({resp.status}): {detail}")


def _tag(host: str, prefix: str, image: str, alias: str) -> None:
    repo, _, tag = alias.rpartition(":")
    resp = _http.request(
        host,
        "POST",
        f"{prefix}/images/{urllib.parse.quote(image)}/tag",
        query={"repo": repo, "tag": tag},
    )
    if resp.status not in (200, 201):
        raise HarnessError(
            f"tagging {image} as {alias} on {host} answered {resp.status}: {resp.body!r}"
        )


def ensure_test_image(
    host: str,
    *,
    api_version: str = "1.41",
    image: str = TEST_IMAGE,
    aliases: tuple[str, ...] = ("busybox:latest",),
    replace_aliases: bool = False,
) -> str:
    """Make sure the engine at `host` has the test image; return its name.

    Imports it unless the engine already has the same build. Each alias (by default
    `busybox:latest`, so examples that say "busybox" work without a registry) is pointed at
    the test image when the engine has no such image yet, or always with `replace_aliases`
    (the harness does that on daemons it started itself, never on someone else's engine).
    Blocking: it shells out to `busybox --list` and may run apt-get as root.
    """
    prefix = _http.api_prefix(api_version)
    existing = _inspect(host, prefix, image)
    if existing is None or static_busybox_at_hand() is not None:
        # Build when we must, or when we can cheaply check that the existing image is current.
        rootfs = build_rootfs_tar(find_static_busybox())
        digest = hashlib.sha256(rootfs).hexdigest()
        if existing is None or _digest_of(existing) != digest:
            _import(host, prefix, image, rootfs, digest)
    for alias in aliases:
        if replace_aliases or _inspect(host, prefix, alias) is None:
            _tag(host, prefix, image, alias)
    return image
