"""Install what the harness needs from Debian packages (docker.io, busybox-static) when missing.

Fresh machines and CI may have nothing installed. As root the harness runs `apt-get update`
once per process, then `apt-get install -y` of the missing packages; as any other user it
explains what to install instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess

__all__ = ["HarnessError", "apt_install", "find_program", "is_root"]

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
    global _apt_updated
    if not packages:
        return
    command = f"apt-get install -y {' '.join(packages)}"
    if not is_root():
        raise HarnessError(f"{why}: install them as root ({command}), or run the tests as root")
    apt_get = find_program("apt-get")
    if apt_get is None:
        raise HarnessError(f"{why}, and there is no apt-get here: install {packages} yourself")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "PATH": system_path()}
    # Wait for another apt (unattended-upgrades, a parallel test session) instead of failing.
    wait = ["-o", "DPkg::Lock::Timeout=300"]
    steps = [[apt_get, *wait, "install", "-y", *packages]]
    if not _apt_updated:
        steps.insert(0, [apt_get, *wait, "update"])
    for step in steps:
        done = subprocess.run(
            step, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
            raise HarnessError(
                f"{why}; `{' '.join(step)}` failed with exit status {done.returncode}:\n{tail}"
            )
        if "update" in step:
            _apt_updated = True
