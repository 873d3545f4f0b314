"""Provide a real Docker engine for tests: an answering one, or a throwaway dockerd we start.

Theory of operation (all synchronous: this runs before any event loop).

1. Modes. "auto" uses the engine at DOCKER_HOST (or, with DOCKER_HOST unset, the default
   socket unix:///var/run/docker.sock) when it answers `GET /_ping`; otherwise it starts a
   throwaway daemon. "external" only ever uses an answering engine; "start" always starts
   one. Starting needs root; without it the caller gets HarnessError saying how to get an
   engine. Nothing is ever silently skipped.
2. Slots. Throwaway daemons live under one well-known base directory
   (/tmp/aiodocker-engine-test-<uid>, or $AIODOCKER_ENGINE_TEST_DIR), in numbered slots.
   A slot belongs to whoever holds an flock on `slot-<n>.lock`; the kernel drops that lock
   when its holder dies, even by SIGKILL. So a new run takes the first free slot, wipes
   whatever a killed run left in it (processes named in pidfiles or naming the slot, the
   slot's container cgroup, mounts, files; see `_cleanup`), and does the same to every other
   free slot it finds. Two test sessions on one machine get two slots and never touch each
   other's daemons.
3. The daemon. We start containerd ourselves with its own config, root, state and socket in
   the slot, and point dockerd at it with `--containerd`: a system containerd (Debian enables
   one as a service) is never shared. dockerd gets its own data root, exec root, pidfile,
   socket, empty config file and cgroup parent, `--bridge=none --iptables=false
   --ip6tables=false --ip-forward=false` (no change to the host's network), and the cgroupfs
   driver so its containers' cgroups are at a known place. Both run in their own session, so
   a Ctrl-C at the terminal reaches pytest's teardown and not the daemons.
4. Storage. overlay2 when a probe overlay mount in the slot works (ext4, xfs, tmpfs), else vfs
   (a data root on overlayfs, as inside a container, cannot host overlay upper dirs).
   $AIODOCKER_ENGINE_TEST_STORAGE_DRIVER overrides the choice.
5. Stop: running containers are killed through the API first (dockerd would otherwise give
   each one its 10 s stop timeout), then dockerd and containerd get SIGTERM, a grace period,
   SIGKILL; then the slot is wiped. An atexit hook stops a daemon its owner forgot.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from aiodocker_engine.testing import _cleanup, _http
from aiodocker_engine.testing._install import (
    HarnessError,
    apt_install,
    find_program,
    is_root,
    system_path,
)

__all__ = ["DEFAULT_HOST", "Engine", "EngineMode", "HarnessError", "provide_engine"]

EngineMode = Literal["auto", "external", "start"]
DEFAULT_HOST = "unix:///var/run/docker.sock"
_MAX_SLOTS = 64
_MAX_SOCKET_PATH = 108  # sun_path, including the terminating NUL


def default_base_dir() -> Path:
    """Where throwaway daemons live: $AIODOCKER_ENGINE_TEST_DIR or a per-uid dir in /tmp."""
    configured = os.environ.get("AIODOCKER_ENGINE_TEST_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"aiodocker-engine-test-{os.getuid()}"


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def _probe_overlay(slot_dir: Path) -> bool:
    """Whether an overlay mount with its upper dir in `slot_dir` works here."""
    probe = slot_dir / "overlay-probe"
    dirs = {name: probe / name for name in ("lower", "upper", "work", "merged")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    options = f"lowerdir={dirs['lower']},upperdir={dirs['upper']},workdir={dirs['work']}"
    try:
        mounted: int = libc.mount(
            b"overlay", str(dirs["merged"]).encode(), b"overlay", 0, options.encode()
        )
        if mounted != 0:
            return False
        try:
            (dirs["merged"] / "probe").write_text("ok")
            return (dirs["upper"] / "probe").read_text() == "ok"
        except OSError:
            return False
        finally:
            _cleanup.unmount_under(probe)
    finally:
        _cleanup.remove_tree(probe)


class _Slot:
    """One numbered directory under the base dir, owned while we hold its flock."""

    def __init__(self, base: Path, number: int, lock_fd: int) -> None:
        self.base = base
        self.number = number
        self.dir = base / f"slot-{number}"
        self._lock_fd: int | None = lock_fd
        digest = hashlib.sha256(str(self.dir).encode()).hexdigest()[:10]
        self.cgroup_parent = f"aiodocker-engine-test-{digest}"

    def __repr__(self) -> str:
        return f"<_Slot {self.dir} {'held' if self._lock_fd is not None else 'released'}>"

    def wipe(self, *, remove: bool) -> None:
        _cleanup.wipe_slot(self.dir, cgroup_parent=self.cgroup_parent, remove=remove)

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing drops the flock
            self._lock_fd = None


def _prepare_base(base: Path) -> None:
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = base.lstat()
    if not base.is_dir() or base.is_symlink() or info.st_uid != os.getuid():
        raise HarnessError(
            f"{base} must be a directory owned by uid {os.getuid()} (not a symlink); "
            "remove it or set AIODOCKER_ENGINE_TEST_DIR to another place"
        )


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return None
        raise
    return fd


def claim_slot(base: Path) -> _Slot:
    """Take the first free slot under `base`, wiping it and every other abandoned slot.

    `base` is made absolute, its parent's symlinks resolved (the daemons run in their slot,
    and mounts show real paths); `base` itself must not be a symlink.
    """
    base = base.absolute().parent.resolve() / base.name
    _prepare_base(base)
    mine: _Slot | None = None
    for number in range(_MAX_SLOTS):
        lock_path = base / f"slot-{number}.lock"
        if mine is not None and not lock_path.exists():
            continue
        fd = _try_lock(lock_path)
        if fd is None:
            continue
        slot = _Slot(base, number, fd)
        if mine is None:
            slot.wipe(remove=True)
            mine = slot
        else:
            slot.wipe(remove=True)  # left by a killed run: free its daemon, mounts, disk
            slot.release()
    if mine is None:
        raise HarnessError(f"all {_MAX_SLOTS} engine slots under {base} are in use")
    return mine


@dataclass(eq=False)
class _Daemon:
    """A containerd + dockerd pair living in one slot."""

    slot: _Slot
    storage_driver: str
    start_timeout: float
    extra_args: tuple[str, ...] = ()
    _containerd: subprocess.Popen[bytes] | None = None
    _dockerd: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.slot.dir / 'docker.sock'}"

    @property
    def data_root(self) -> Path:
        return self.slot.dir / "data"

    @property
    def dockerd_log(self) -> Path:
        return self.slot.dir / "dockerd.log"

    def _spawn(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PATH": system_path()}
        for name in ("DOCKER_HOST", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID"):
            env.pop(name, None)
        log_file: IO[bytes]
        with open(log, "ab") as log_file:
            return subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                cwd=self.slot.dir,
            )

    def _write_configs(self) -> Path:
        cd = self.slot.dir / "containerd"
        config = self.slot.dir / "containerd.toml"
        # Every path containerd would otherwise take from the system goes into the slot.
        config.write_text(
            "version = 2\n"
            f'root = "{cd / "root"}"\n'
            f'state = "{cd / "state"}"\n'
            'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
            "[grpc]\n"
            f'  address = "{cd / "containerd.sock"}"\n'
            "[ttrpc]\n"
            f'  address = "{cd / "containerd.sock.ttrpc"}"\n'
            "[debug]\n"
            '  level = "warn"\n'
            '[plugins."io.containerd.internal.v1.opt"]\n'
            f'  path = "{cd / "opt"}"\n'
        )
        (self.slot.dir / "daemon.json").write_text("{}\n")
        return config

    def start(self) -> None:
        containerd = find_program("containerd")
        dockerd = find_program("dockerd")
        if containerd is None or dockerd is None:
            raise HarnessError("dockerd or containerd vanished after installing docker.io")
        for sub in ("data", "exec", "containerd"):
            (self.slot.dir / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        config = self._write_configs()
        deadline = time.monotonic() + self.start_timeout
        containerd_log = self.slot.dir / "containerd.log"
        self._containerd = self._spawn([containerd, "--config", str(config)], containerd_log)
        (self.slot.dir / "containerd.pid").write_text(f"{self._containerd.pid}\n")
        sock = self.slot.dir / "containerd" / "containerd.sock"
        while not _socket_answers(sock):
            self._check_alive(self._containerd, "containerd", containerd_log, deadline)
            time.sleep(0.01)
        self._dockerd = self._spawn(self._dockerd_argv(dockerd, sock), self.dockerd_log)
        while _http.ping(self.host, timeout=1.0) is None:
            self._check_alive(self._dockerd, "dockerd", self.dockerd_log, deadline)
            time.sleep(0.02)

    def _dockerd_argv(self, dockerd: str, containerd_sock: Path) -> list[str]:
        slot = self.slot.dir
        return [
            dockerd,
            f"--config-file={slot / 'daemon.json'}",
            f"--data-root={slot / 'data'}",
            f"--exec-root={slot / 'exec'}",
            f"--pidfile={slot / 'dockerd.pid'}",
            f"--host={self.host}",
            f"--containerd={containerd_sock}",
            f"--storage-driver={self.storage_driver}",
            f"--cgroup-parent={self.slot.cgroup_parent}",
            "--exec-opt=native.cgroupdriver=cgroupfs",
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            "--userland-proxy=false",
            *self.extra_args,
        ]

    def _check_alive(
        self, proc: subprocess.Popen[bytes], name: str, log: Path, deadline: float
    ) -> None:
        code = proc.poll()
        if code is None and time.monotonic() < deadline:
            return
        what = (
            f"exited with status {code}"
            if code is not None
            else (f"did not answer within {self.start_timeout:g} s")
        )
        self.stop()
        raise HarnessError(f"{name} {what}; the end of {log}:\n{_tail(log)}")

    def _kill_containers(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, ValueError):
            running = _http.request_json(self.host, "GET", "/v1.41/containers/json", timeout=5)
            for container in running:
                _http.request(
                    self.host, "POST", f"/v1.41/containers/{container['Id']}/kill", timeout=5
                )

    def stop(self) -> None:
        """Stop dockerd then containerd (SIGTERM, grace, SIGKILL), and reap them."""
        if self._dockerd is not None and self._dockerd.poll() is None:
            self._kill_containers()
        for proc, grace in ((self._dockerd, 20.0), (self._containerd, 10.0)):
            if proc is None:
                continue
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(grace)
                except subprocess.TimeoutExpired:
                    proc.kill()
            proc.wait()
        self._dockerd = self._containerd = None
        self.slot.wipe(remove=False)  # shims, container processes, mounts of a killed daemon

    @property
    def pids(self) -> dict[str, int]:
        return {
            name: proc.pid
            for name, proc in (("containerd", self._containerd), ("dockerd", self._dockerd))
            if proc is not None and proc.poll() is None
        }


@dataclass(eq=False)
class Engine:
    """A Docker engine the tests can use; `stop()` it when done (or use it as `with` block).

    `host` is what `Docker(host)` takes. `started_here` says whether the harness started
    this daemon (and so will destroy it, with all its containers, images and volumes, on
    `stop()`); an engine found at DOCKER_HOST is never stopped or restarted.
    """

    host: str
    started_here: bool
    api_version: str
    server: str
    data_root: Path | None = None
    storage_driver: str | None = None
    startup_seconds: float = 0.0
    note: str = ""
    _daemon: _Daemon | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        how = f"started here, {self.storage_driver}" if self.started_here else "external"
        return f"<Engine {self.host} [{self.server}, API {self.api_version}, {how}]>"

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def pids(self) -> dict[str, int]:
        """Pids of the running `dockerd` and `containerd` we started (empty if external)."""
        return self._daemon.pids if self._daemon is not None else {}

    def restart(self) -> None:
        """Stop the daemon and start it again on the same data root, socket and host.

        Running containers are killed first; images, volumes and stopped containers survive.
        Blocks until the daemon answers again. Only for an engine started here.
        """
        if self._daemon is None:
            raise HarnessError(f"cannot restart {self.host}: the test harness did not start it")
        self._daemon.stop()
        self._daemon.start()

    def stop(self) -> None:
        """Stop and delete a daemon started here (no-op for an external engine). Idempotent."""
        daemon, self._daemon = self._daemon, None
        if daemon is None:
            return
        atexit.unregister(self.stop)
        try:
            daemon.stop()
            daemon.slot.wipe(remove=True)
        finally:
            daemon.slot.release()


def _external(host: str) -> Engine | None:
    if not host.startswith(("unix://", "tcp://", "http://", "https://")):
        raise HarnessError(
            f"DOCKER_HOST={host!r}: the test harness talks to unix:// and tcp:// engines only; "
            "forward the engine to a local socket (ssh -L /tmp/docker.sock:/var/run/docker.sock "
            "…) and set DOCKER_HOST=unix:///tmp/docker.sock"
        )
    headers = _http.ping(host)
    if headers is None:
        return None
    return Engine(
        host=host,
        started_here=False,
        api_version=headers.get("api-version", ""),
        server=headers.get("server", "unknown"),
    )


def _candidate_host() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def _need_root_message(host: str, mode: str) -> str:
    return (
        f"no Docker engine answers at {host}, and the test harness (mode {mode!r}) can only "
        "start a throwaway dockerd as root. Either run the tests as root (the harness then "
        "installs docker.io from apt when needed and starts its own daemon), or point "
        "DOCKER_HOST at an engine you can use (e.g. rootless Docker: "
        "unix://$XDG_RUNTIME_DIR/docker.sock, or join the docker group for "
        "/var/run/docker.sock)."
    )


def ensure_engine_packages() -> None:
    """Install docker.io (dockerd, containerd, runc) when one of them is missing."""
    missing = [name for name in ("dockerd", "containerd", "runc") if find_program(name) is None]
    if missing:
        apt_install(["docker.io"], why=f"{', '.join(missing)} not installed")


def start_engine(
    *,
    base_dir: Path | None = None,
    start_timeout: float = 60.0,
    storage_driver: str | None = None,
    dockerd_args: Sequence[str] = (),
) -> Engine:
    """Start a throwaway dockerd in a free slot under `base_dir` (root only).

    `dockerd_args` are added to its command line: another `--host` (say a TLS port on
    127.0.0.1 with `--tlsverify` and its certificates) or a feature flag to test.
    """
    began = time.monotonic()
    if not is_root():
        raise HarnessError(
            "starting a throwaway dockerd needs root; run the tests as root, or use an engine "
            "you can reach with DOCKER_HOST and engine mode 'auto' or 'external'"
        )
    ensure_engine_packages()
    slot = claim_slot(base_dir or default_base_dir())
    longest = slot.dir / "containerd" / "containerd.sock.ttrpc"
    if len(str(longest).encode()) >= _MAX_SOCKET_PATH:
        slot.release()
        raise HarnessError(
            f"{slot.base} is too deep: socket paths such as {longest} must stay under "
            f"{_MAX_SOCKET_PATH} bytes; set AIODOCKER_ENGINE_TEST_DIR to a shorter path"
        )
    try:
        slot.dir.mkdir(mode=0o700)
        driver = (
            storage_driver
            or os.environ.get("AIODOCKER_ENGINE_TEST_STORAGE_DRIVER")
            or ("overlay2" if _probe_overlay(slot.dir) else "vfs")
        )
        daemon = _Daemon(slot, driver, start_timeout, tuple(dockerd_args))
        daemon.start()
    except BaseException:
        slot.wipe(remove=True)
        slot.release()
        raise
    headers = _http.ping(daemon.host) or {}
    engine = Engine(
        host=daemon.host,
        started_here=True,
        api_version=headers.get("api-version", ""),
        server=headers.get("server", "unknown"),
        data_root=daemon.data_root,
        storage_driver=driver,
        startup_seconds=time.monotonic() - began,
        _daemon=daemon,
    )
    atexit.register(engine.stop)
    return engine


def provide_engine(
    mode: EngineMode = "auto",
    *,
    base_dir: Path | None = None,
    start_timeout: float = 60.0,
    storage_driver: str | None = None,
    dockerd_args: Sequence[str] = (),
) -> Engine:
    """An engine to test against: see the module docstring for what each mode does.

    Blocks while it installs packages and starts a daemon (about a second when the packages
    are there). Raises HarnessError, with the end of dockerd's log when it failed to start,
    or with how to get an engine when there is none and we are not root. `dockerd_args`
    go to a daemon started here (see `start_engine`); with them, mode "start" is usual,
    since an engine found running has its own command line.
    """
    if mode not in ("auto", "external", "start"):
        raise ValueError(f"engine mode must be 'auto', 'external' or 'start', not {mode!r}")
    began = time.monotonic()
    host = _candidate_host()
    if mode != "start":
        found = _external(host)
        if found is not None:
            found.startup_seconds = time.monotonic() - began
            return found
        if mode == "external":
            raise HarnessError(
                f"no Docker engine answers GET /_ping at {host} (engine mode 'external'); "
                "start one, or set DOCKER_HOST to one that runs"
            )
        if not is_root():
            raise HarnessError(_need_root_message(host, mode))
    engine = start_engine(
        base_dir=base_dir,
        start_timeout=start_timeout,
        storage_driver=storage_driver,
        dockerd_args=dockerd_args,
    )
    engine.startup_seconds = time.monotonic() - began
    if mode == "auto":
        engine.note = f"nothing answered at {host}"
    return engine


def describe(engine: Engine) -> str:
    """One line for humans: which engine, and how long getting it took."""
    if engine.started_here:
        text = (
            f"started {engine.server} (API {engine.api_version}, {engine.storage_driver}) "
            f"at {engine.host} in {engine.startup_seconds:.2f} s"
        )
    else:
        text = f"using {engine.server} (API {engine.api_version}) at {engine.host}"
    return f"{text}; {engine.note}" if engine.note else text
