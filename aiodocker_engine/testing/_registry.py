"""A throwaway image registry for tests: Debian's `docker-registry` on a free loopback port.

Theory of operation (synchronous, like `_engine`: it runs before any event loop).

1. The program is Debian's `docker-registry` (distribution 2.x), installed with apt as root
   when missing; basic auth needs `htpasswd` from `apache2-utils` (bcrypt lines).
2. Each registry gets a temporary directory with its own config, storage root and (for
   auth) htpasswd file, and listens on 127.0.0.1 at a free port. dockerd treats
   127.0.0.0/8 registries as insecure by default, so no TLS and no daemon option is needed;
   the free port keeps parallel test sessions apart.
3. `start_registry()` returns once `GET /v2/` answers (200 open, 401 with auth), and the
   process runs in its own session; `Registry.stop()` sends SIGTERM, then SIGKILL, and
   removes the directory. An atexit hook stops registries their owner forgot.
4. The password is random per registry and never shown in reprs.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from aiodocker_engine.testing._install import HarnessError, apt_install, find_program

__all__ = ["Registry", "start_registry"]

_live: set[Registry] = set()


@dataclass(eq=False)
class Registry:
    """A running registry: push to `f"{registry.host}/name:tag"`.

    `username`/`password` are set when it requires basic auth; `auth` is the dict to pass
    as `auth=` to pull and push.
    """

    host: str
    directory: Path
    process: subprocess.Popen[bytes] = field(repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        kind = f"auth user={self.username!r}" if self.username else "open"
        return f"<Registry {self.host} {kind} pid={self.process.pid}>"

    def __hash__(self) -> int:
        return id(self)

    @property
    def auth(self) -> dict[str, str]:
        """Credentials as `images.pull(..., auth=...)` takes them ({} for an open registry)."""
        if self.username is None or self.password is None:
            return {}
        return {"username": self.username, "password": self.password, "serveraddress": self.host}

    def log(self) -> str:
        """The registry's output so far (for failure messages)."""
        try:
            return (self.directory / "registry.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and remove its files."""
        _live.discard(self)
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _programs(with_auth: bool) -> tuple[str, str | None]:
    registry = find_program("docker-registry")
    htpasswd = find_program("htpasswd") if with_auth else None
    missing = []
    if registry is None:
        missing.append("docker-registry")
    if with_auth and htpasswd is None:
        missing.append("apache2-utils")
    if missing:
        apt_install(missing, why=f"the test registry needs {', '.join(missing)}")
        registry = find_program("docker-registry")
        htpasswd = find_program("htpasswd") if with_auth else None
    if registry is None or (with_auth and htpasswd is None):
        raise HarnessError("docker-registry or htpasswd is still missing after apt-get install")
    return registry, htpasswd


def _answers(host: str) -> int | None:
    conn = http.client.HTTPConnection(host, timeout=2)
    try:
        conn.request("GET", "/v2/")
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


def start_registry(*, with_auth: bool = False, username: str = "tester") -> Registry:
    """Start a registry on 127.0.0.1 at a free port; with basic auth if `with_auth`."""
    program, htpasswd = _programs(with_auth)
    directory = Path(tempfile.mkdtemp(prefix="aiodocker-engine-registry-"))
    storage = directory / "storage"
    storage.mkdir()
    password = secrets.token_urlsafe(16) if with_auth else None
    auth_section = ""
    if with_auth:
        assert htpasswd is not None and password is not None
        done = subprocess.run(
            [htpasswd, "-nbB", username, password],
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            shutil.rmtree(directory, ignore_errors=True)
            raise HarnessError(f"htpasswd failed with exit status {done.returncode}")
        (directory / "htpasswd").write_bytes(done.stdout.strip() + b"\n")
        auth_section = (
            f"auth:\n  htpasswd:\n    realm: aiodocker-engine-test\n"
            f"    path: {directory / 'htpasswd'}\n"
        )
    for _attempt in range(5):
        host = f"127.0.0.1:{_free_port()}"
        config = (
            "version: 0.1\n"
            "log:\n  level: warn\n"
            f"storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {host}\n  secret: {secrets.token_hex(16)}\n" + auth_section
        )
        (directory / "config.yml").write_text(config)
        with open(directory / "registry.log", "ab") as log:
            process = subprocess.Popen(
                [program, "serve", str(directory / "config.yml")],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        registry = Registry(host, directory, process, username if with_auth else None, password)
        _live.add(registry)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            status = _answers(host)
            if status in (200, 401):
                return registry
            time.sleep(0.05)
        text = registry.log()
        _live.discard(registry)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if "address already in use" not in text:
            shutil.rmtree(directory, ignore_errors=True)
            tail = "\n".join(text.splitlines()[-20:])
            raise HarnessError(f"docker-registry did not start on {host}:\n{tail}")
    shutil.rmtree(directory, ignore_errors=True)
    raise HarnessError("docker-registry found no free port on 127.0.0.1 in 5 attempts")


@atexit.register
def _stop_forgotten() -> None:
    for registry in list(_live):
        registry.stop()
