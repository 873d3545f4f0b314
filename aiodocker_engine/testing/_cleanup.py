"""Tear down what a throwaway dockerd leaves behind: processes, container cgroups, mounts, dirs.

Theory of operation. A harness daemon lives entirely under one slot directory (data root,
exec root, containerd state, sockets, pidfiles), and its containers live in one cgroup
parent named after that slot. So after a clean stop, or after a run that was killed with
SIGKILL, everything that is left can be found without guessing:

1. processes: the pids in the slot's pidfiles, plus every dockerd, containerd, shim or runc
   whose command line names a path in the slot directory (shims carry
   `-address <slot>/…/containerd.sock`). A pid is only signalled after its /proc cmdline was
   read and names the slot, so a pid recycled by an unrelated process is never hit, and a
   shell or editor that merely has a path of the slot on its command line is left alone;
2. container processes: every pid in the slot's cgroup parent, in every cgroup hierarchy;
3. mounts: every mount point at or under the slot directory (overlay rootfs, shm, netns,
   the data root's own private bind mount), detached deepest first;
4. then the directory itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "DAEMON_COMMANDS",
    "cgroup_pids",
    "kill_and_wait",
    "mount_points_under",
    "pid_alive",
    "processes_naming",
    "read_pidfile",
    "remove_cgroups",
    "remove_tree",
    "unmount_under",
    "wipe_slot",
]

_MNT_DETACH = 2
# /proc/<pid>/comm of what a harness daemon runs (comm is cut at 15 characters).
DAEMON_COMMANDS = frozenset(
    {"dockerd", "containerd", "containerd-shim", "containerd-shi", "runc", "docker-proxy"}
)
_CGROUP_ROOT = Path("/sys/fs/cgroup")
_OWN_CGROUPS = Path("/proc/self/cgroup")


def read_pidfile(path: Path) -> int | None:
    """The pid written in a pidfile, or None when it is missing or garbled."""
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def pid_alive(pid: int) -> bool:
    """Whether a pid exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state letter follows the parenthesised command name, which may contain spaces.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _arguments(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")


def names_path(pid: int, prefix: str) -> bool:
    """Whether an argument of `pid` (or the value of an `--option=value` one) is a path
    that starts with `prefix`: a whole-argument test, so that another base whose path
    merely ends the same way (/builds/x/tmp/...-test-0/slot-0/) is never taken for ours."""
    for argument in _arguments(pid):
        value = argument.partition("=")[2] if argument.startswith("-") else argument
        if value.startswith(prefix):
            return True
    return False


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def processes_naming(text: str, *, commands: frozenset[str] | None = None) -> list[int]:
    """Pids of live processes (not ours) with an argument that is a path under `text`
    (see `names_path`).

    With `commands`, only processes whose /proc comm (15 characters at most) is one of them.
    """
    own = os.getpid()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == own:
            continue
        pid = int(entry)
        if names_path(pid, text) and (commands is None or _comm(pid) in commands):
            pids.append(pid)
    return pids


def _cgroup_dirs(name: str) -> Iterator[Path]:
    """Directories called `name` in each cgroup hierarchy (v1 and v2): at its top, and in
    this process's own cgroup there. runc takes the daemons' relative `--cgroup-parent`
    below the cgroup they run in, which is the harness's own when it runs nested (in a
    CI job's or a service's cgroup)."""
    candidates = [_CGROUP_ROOT / name]
    with contextlib.suppress(OSError):
        candidates += [hierarchy / name for hierarchy in _CGROUP_ROOT.iterdir()]
    with contextlib.suppress(OSError):
        for line in _OWN_CGROUPS.read_text().splitlines():
            _, controllers, own = line.split(":", 2)
            if own.strip("/"):
                hierarchy = controllers.removeprefix("name=")
                candidates.append(_CGROUP_ROOT / hierarchy / own.strip("/") / name)
    seen: set[Path] = set()
    for path in candidates:
        if path not in seen and path.is_dir():
            seen.add(path)
            yield path


def cgroup_pids(name: str) -> set[int]:
    """Every pid in cgroup `name` or below it, in any hierarchy."""
    pids: set[int] = set()
    for top in _cgroup_dirs(name):
        for dirpath, _dirs, files in os.walk(top):
            if "cgroup.procs" in files:
                with contextlib.suppress(OSError):
                    text = (Path(dirpath) / "cgroup.procs").read_text()
                    pids.update(int(line) for line in text.split())
    return pids


def remove_cgroups(name: str) -> None:
    """Remove the (now empty) cgroup directories `name` leaves, deepest first."""
    for top in _cgroup_dirs(name):
        for dirpath, _dirs, _files in sorted(os.walk(top), key=lambda w: -len(w[0])):
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def kill_and_wait(pids: set[int] | list[int], *, grace: float, poll: float = 0.02) -> None:
    """SIGTERM the pids, wait up to `grace` seconds, then SIGKILL the survivors and reap.

    With `grace=0` they get SIGKILL straight away. Zombies count as gone; reaping one that
    is our own child is left to its owner (its Popen), which would otherwise lose the status.
    """
    pids = {pid for pid in pids if pid_alive(pid)}
    if not pids:
        return
    if grace > 0:
        for pid in pids:
            _signal(pid, signal.SIGTERM)
        _wait_gone(pids, grace, poll)
    for pid in pids:
        if pid_alive(pid):
            _signal(pid, signal.SIGKILL)
    _wait_gone(pids, 10.0, poll)


def _wait_gone(pids: set[int], timeout: float, poll: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not any(pid_alive(pid) for pid in pids) or time.monotonic() > deadline:
            return
        time.sleep(poll)


def _unescape_mountinfo(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo octal.
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_points_under(root: Path) -> list[str]:
    """Mount points at or below `root`, deepest first (each once, even when stacked)."""
    prefix = str(root).rstrip("/")
    points: set[str] = set()
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            point = _unescape_mountinfo(fields[4])
            if point == prefix or point.startswith(prefix + "/"):
                points.add(point)
    return sorted(points, key=lambda p: (-p.count("/"), p))


def _umount2(path: str) -> int:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    result: int = libc.umount2(path.encode(), _MNT_DETACH)
    return 0 if result == 0 else ctypes.get_errno()


def unmount_under(root: Path) -> None:
    """Lazily unmount everything at or below `root`, including stacked mounts."""
    for _ in range(20):
        points = mount_points_under(root)
        if not points:
            return
        for point in points:
            err = _umount2(point)
            if err not in (0, errno.EINVAL, errno.ENOENT):
                raise OSError(err, f"cannot unmount {point}: {os.strerror(err)}")


def remove_tree(path: Path) -> None:
    """`rm -rf`, tolerant of entries that vanish meanwhile."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)
        if path.exists():  # a second pass catches files that were being written
            shutil.rmtree(path)


def wipe_slot(slot_dir: Path, *, cgroup_parent: str, remove: bool = True) -> None:
    """Kill every process of a harness daemon in `slot_dir`, unmount and optionally delete it.

    Safe on a slot that is already clean, and on one whose daemon was killed with SIGKILL.
    """
    if not os.path.lexists(slot_dir):
        remove_cgroups(cgroup_parent)
        return
    inside = str(slot_dir).rstrip("/") + "/"
    pids: set[int] = set()
    for pidfile in slot_dir.glob("*.pid"):
        pid = read_pidfile(pidfile)
        if pid is not None and names_path(pid, inside):
            pids.add(pid)
    pids.update(processes_naming(inside, commands=DAEMON_COMMANDS))
    # Daemons first, so nothing restarts containers while they are being killed.
    kill_and_wait(pids, grace=0)
    kill_and_wait(cgroup_pids(cgroup_parent), grace=0)
    remove_cgroups(cgroup_parent)
    unmount_under(slot_dir)
    if remove:
        remove_tree(slot_dir)
