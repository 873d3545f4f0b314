"""Where the engine is: DOCKER_HOST, then DOCKER_CONTEXT, then config.json, then the default socket.

Resolution follows the docker CLI:

1. an explicit `host=` argument, else `DOCKER_HOST`;
2. else the context named by `DOCKER_CONTEXT`, else `currentContext` in
   `$DOCKER_CONFIG/config.json` (default `~/.docker`); a context's endpoint lives in
   `contexts/meta/<sha256(name)>/meta.json` and its TLS files in
   `contexts/tls/<sha256(name)>/docker/`; the context named "default" means no context;
3. else `unix:///var/run/docker.sock`.

TLS for tcp:// follows `tls=` when given, else `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH`
(ca.pem, cert.pem, key.pem), else a context's TLS files.
"""

from __future__ import annotations

import hashlib
import json
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aiodocker_engine.errors import DockerError

__all__ = ["DEFAULT_HOST", "EngineAddress", "TLSConfig", "parse_host", "resolve_host"]

DEFAULT_HOST = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class TLSConfig:
    """Client TLS settings: CA to trust, client certificate, and whether to verify the daemon."""

    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    verify: bool = True

    @classmethod
    def from_cert_path(cls, cert_path: str | Path, *, verify: bool = True) -> TLSConfig:
        base = Path(cert_path)
        ca = base / "ca.pem"
        cert, key = base / "cert.pem", base / "key.pem"
        return cls(
            ca_cert=str(ca) if ca.exists() else None,
            client_cert=str(cert) if cert.exists() else None,
            client_key=str(key) if key.exists() else None,
            verify=verify,
        )

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_cert)
        if not self.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if self.client_cert:
            ctx.load_cert_chain(self.client_cert, self.client_key)
        return ctx


@dataclass(frozen=True)
class EngineAddress:
    """A parsed engine endpoint: scheme unix, tcp (maybe TLS) or ssh."""

    url: str
    scheme: str
    path: str = ""
    host: str = ""
    port: int = 0
    user: str = ""
    tls_context: ssl.SSLContext | None = None
    tls_hostname: str | None = None

    @property
    def host_header(self) -> str:
        """The Host header to send: the daemon ignores it on Unix sockets and ssh pipes."""
        if self.scheme == "tcp":
            host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal
            return f"{host}:{self.port}"
        return "docker"


def parse_host(url: str, *, tls: TLSConfig | bool | None = None) -> EngineAddress:
    """Parse `unix:///path`, `tcp://host:port`, `http(s)://…`, `ssh://user@host[:port]`."""
    if not url or not isinstance(url, str):
        raise DockerError(f"invalid engine address {url!r}")
    if url.startswith("/"):
        url = "unix://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("unix", "http+unix"):
        path = unquote(parts.path or parts.netloc)
        if not path:
            raise DockerError(f"invalid engine address {url!r}: no socket path")
        return EngineAddress(url=url, scheme="unix", path=path)
    if scheme in ("tcp", "http", "https"):
        if not parts.hostname:
            raise DockerError(f"invalid engine address {url!r}: no host")
        try:
            port = parts.port
        except ValueError as exc:
            raise DockerError(f"invalid engine address {url!r}: bad port") from exc
        use_tls = tls if tls is not None else (scheme == "https")
        config: TLSConfig | None
        if isinstance(use_tls, TLSConfig):
            config = use_tls
        elif use_tls:
            config = TLSConfig()
        else:
            config = None
        default_port = 2376 if config is not None else 2375
        return EngineAddress(
            url=url,
            scheme="tcp",
            host=parts.hostname,
            port=port or default_port,
            tls_context=config.ssl_context() if config is not None else None,
            tls_hostname=parts.hostname if config is not None else None,
        )
    if scheme == "ssh":
        if not parts.hostname:
            raise DockerError(f"invalid engine address {url!r}: no host")
        return EngineAddress(
            url=url,
            scheme="ssh",
            host=parts.hostname,
            port=parts.port or 0,
            user=parts.username or "",
        )
    raise DockerError(f"unsupported engine address {url!r}: use unix://, tcp:// or ssh://")


def _tls_from_env(env: Mapping[str, str]) -> TLSConfig | None:
    # As the docker CLI and docker-py: any non-empty DOCKER_TLS_VERIFY, "0" too, means
    # verify. DOCKER_CERT_PATH alone means TLS without verifying the daemon (docker-py).
    verify = bool(env.get("DOCKER_TLS_VERIFY", ""))
    cert_path = env.get("DOCKER_CERT_PATH", "")
    if verify or cert_path:
        base = cert_path or str(Path.home() / ".docker")
        return TLSConfig.from_cert_path(base, verify=verify)
    return None


def config_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("DOCKER_CONFIG") or Path.home() / ".docker")


def _context_address(
    name: str, env: Mapping[str, str], tls: TLSConfig | bool | None
) -> EngineAddress:
    digest = hashlib.sha256(name.encode()).hexdigest()
    base = config_dir(env) / "contexts"
    meta_file = base / "meta" / digest / "meta.json"
    try:
        meta = json.loads(meta_file.read_text())
        endpoint = meta["Endpoints"]["docker"]
        host = endpoint["Host"]
    except FileNotFoundError as exc:
        raise DockerError(f"docker context {name!r} not found (no {meta_file})") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise DockerError(f"docker context {name!r} has no docker endpoint in {meta_file}") from exc
    if tls is None and host.startswith("tcp://"):
        tls_dir = base / "tls" / digest / "docker"
        if tls_dir.is_dir():
            tls = TLSConfig.from_cert_path(tls_dir, verify=not endpoint.get("SkipTLSVerify", False))
    return parse_host(host, tls=tls)


def resolve_host(
    host: str | None = None,
    *,
    tls: TLSConfig | bool | None = None,
    env: Mapping[str, str] | None = None,
) -> EngineAddress:
    """Find the engine the docker CLI would talk to (see the module docstring)."""
    env = os.environ if env is None else env
    if tls is None:
        tls = _tls_from_env(env)
    if host:
        return parse_host(host, tls=tls)
    if env.get("DOCKER_HOST"):
        return parse_host(env["DOCKER_HOST"], tls=tls)
    context = env.get("DOCKER_CONTEXT")
    if not context:
        try:
            config = json.loads((config_dir(env) / "config.json").read_text())
            context = config.get("currentContext") if isinstance(config, dict) else None
        except (FileNotFoundError, NotADirectoryError, ValueError):
            context = None
    if context and context != "default":
        return _context_address(context, env, tls)
    return parse_host(DEFAULT_HOST, tls=tls)
