"""Install what the harness needs from Debian packages (docker.io, busybox-static) when missing.

Fresh machines and CI may have nothing installed. As root the harness runs `apt-get update`
once per process, then `apt-get install -y` of the missing packages; as any other user it
explains what to install instead. A package that would replace an installed one is
fetched and unpacked into the harness's own directory instead (`apt_download`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = [
    "HarnessError",
    "apt_download",
    "apt_install",
    "find_program",
    "is_root",
    "unpack_deb",
]

_SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_apt_updated = False


class HarnessError(RuntimeError):
    """The test harness cannot provide what was asked (engine, packages, image)."""


def is_root() -> bool:
    return os.geteuid() == 0


def system_path() -> str:
    """$PATH plus the system directories, where Debian puts dockerd, containerd and runc."""
    return ":".join(p for p in (os.environ.get("PATH", ""), _SYSTEM_PATH) if p)


def find_program(name: str) -> str | None:
    """The full path of a program on $PATH or in the system directories."""
    return shutil.which(name, path=system_path())


def apt_install(packages: list[str], *, why: str) -> None:
    """Install Debian packages as root; as another user raise HarnessError saying what to do."""
    if not packages:
        return
    command = f"apt-get install -y {' '.join(packages)}"
    if not is_root():
        raise HarnessError(f"{why}: install them as root ({command}), or run the tests as root")
    _apt(["install", "-y", *packages], why=why, missing=f"install {packages} yourself")


def apt_download(package: str, into: Path, *, why: str) -> Path:
    """Fetch a Debian package's file into `into` without installing it; return its path.

    For a package that would replace an installed one (busybox-static conflicts with
    busybox): the harness unpacks what it needs and leaves the system's packages alone.
    """
    # `apt-get download` needs no root; only the lists refresh before it does.
    hint = f"fetch {package}'s .deb into {into} yourself"
    _apt(["download", package], why=why, missing=hint, cwd=into)
    found = sorted(into.glob(f"{package}_*.deb"))
    if not found:
        raise HarnessError(f"{why}; apt-get download {package} left no {package}_*.deb")
    return found[-1]


def unpack_deb(deb: Path, into: Path, *, why: str) -> None:
    """Unpack a package file's files under `into` (`dpkg-deb -x`: no scripts, no database)."""
    dpkg_deb = find_program("dpkg-deb")
    if dpkg_deb is None:
        raise HarnessError(f"{why}, and there is no dpkg-deb here to unpack {deb.name}")
    _run([dpkg_deb, "-x", str(deb), str(into)], why=why)


def _apt(args: list[str], *, why: str, missing: str, cwd: Path | None = None) -> None:
    """`apt-get <args>`, after one `apt-get update` per process when run as root."""
    global _apt_updated
    apt_get = find_program("apt-get")
    if apt_get is None:
        raise HarnessError(f"{why}, and there is no apt-get here: {missing}")
    # Wait for another apt (unattended-upgrades, a parallel test session) instead of failing.
    wait = ["-o", "DPkg::Lock::Timeout=300"]
    if not _apt_updated and is_root():
        _run([apt_get, *wait, "update"], why=why)
        _apt_updated = True
    _run([apt_get, *wait, *args], why=why, cwd=cwd)


def _run(step: list[str], *, why: str, cwd: Path | None = None) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "PATH": system_path()}
    done = subprocess.run(
        step,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise HarnessError(
            f"{why}; `{' '.join(step)}` failed with exit status {done.returncode}:\n{tail}"
        )
