"""Where the engine is: DOCKER_HOST, then DOCKER_CONTEXT, then config.json, then the default socket.

Resolution follows the docker CLI:

1. an explicit `host=` argument, else `DOCKER_HOST`;
2. else the context named by `DOCKER_CONTEXT`, else `currentContext` in
   `$DOCKER_CONFIG/config.json` (default `~/.docker`); a context's endpoint lives in
   `contexts/meta/<sha256(name)>/meta.json` and its TLS files in
   `contexts/tls/<sha256(name)>/docker/`; the context named "default" means no context;
3. else `unix:///var/run/docker.sock`.

TLS for tcp:// follows `tls=` when given; else, for an address from `host=`, `DOCKER_HOST`
or the default, `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH` (ca.pem, cert.pem, key.pem); a
named context uses only its own TLS files and `SkipTLSVerify` (the CLI ignores the TLS
environment for a context).

Addresses are read as the CLI reads DOCKER_HOST (`opts.ParseHost`): no scheme means
tcp://, `unix://` alone means the default socket, everything after `unix://` is the
socket path (relative or absolute), and a tcp:// path is a prefix for every request.
A password in the address is masked in `EngineAddress.url`, which messages and reprs use.
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
        """ca.pem, cert.pem and key.pem of a directory (DOCKER_CERT_PATH's layout).

        Without ca.pem the system's CAs are trusted (a context's TLS files may hold only
        a client pair); the client pair is optional, but then both or neither.
        """
        base = Path(cert_path)
        ca = base / "ca.pem"
        cert, key = base / "cert.pem", base / "key.pem"
        if cert.exists() != key.exists():
            have, missing = (cert, key) if cert.exists() else (key, cert)
            raise DockerError(f"{have} has no {missing} beside it: a client certificate needs both")
        return cls(
            ca_cert=str(ca) if ca.exists() else None,
            client_cert=str(cert) if cert.exists() else None,
            client_key=str(key) if key.exists() else None,
            verify=verify,
        )

    def ssl_context(self) -> ssl.SSLContext:
        """The client context; DockerError names a file that cannot be used."""
        try:
            ctx = ssl.create_default_context(cafile=self.ca_cert)
            if not self.verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            if self.client_cert:
                # No passphrase prompt on the terminal for an encrypted key: it fails.
                ctx.load_cert_chain(self.client_cert, self.client_key, password=_no_password)
        except (OSError, ssl.SSLError) as exc:
            files = ", ".join(f for f in (self.ca_cert, self.client_cert, self.client_key) if f)
            raise DockerError(f"cannot use the TLS files ({files or 'none given'}): {exc}") from exc
        return ctx


def _no_password() -> str:
    raise DockerError("the TLS client key is encrypted: give an unencrypted key")


@dataclass(frozen=True)
class EngineAddress:
    """A parsed engine endpoint: scheme unix, tcp (maybe TLS) or ssh.

    `url` is the address as given, with any password masked: fit for messages.
    `base_path` ("" or "/prefix") comes before every request target (tcp:// paths).
    """

    url: str
    scheme: str
    path: str = ""
    host: str = ""
    port: int = 0
    user: str = ""
    tls_context: ssl.SSLContext | None = None
    tls_hostname: str | None = None
    base_path: str = ""

    @property
    def host_header(self) -> str:
        """The Host header to send: the daemon ignores it on Unix sockets and ssh pipes."""
        if self.scheme == "tcp":
            return f"{self.bracketed_host}:{self.port}"
        return "docker"

    @property
    def bracketed_host(self) -> str:
        """The host as a URL writes it: an IPv6 literal in brackets."""
        return f"[{self.host}]" if ":" in self.host else self.host


def _masked(url: str) -> str:
    """`url` with the password of its user info (if any) replaced by ***."""
    scheme, sep, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{hostport}{slash}{tail}"


def parse_host(url: str, *, tls: TLSConfig | bool | None = None) -> EngineAddress:
    """Parse `unix:///path`, `tcp://host:port[/prefix]`, `http(s)://…`, `ssh://user@host[:port]`.

    As the CLI: a bare `/path` is a Unix socket, an address without a scheme is tcp://,
    and `unix://` alone is the default socket.
    """
    if not url or not isinstance(url, str):
        raise DockerError(f"invalid engine address {url!r}")
    if url.startswith("/"):
        url = "unix://" + url
    elif url.startswith("unix:/") and not url.startswith("unix://"):
        url = "unix://" + url[len("unix:") :]  # unix:/path, as some tools write it
    elif "://" not in url:
        url = "tcp://" + url
    shown = _masked(url)
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme == "unix":
        # Everything after the scheme is the path, relative ones too (Go's ParseHostURL).
        return EngineAddress(url=shown, scheme="unix", path=rest or DEFAULT_HOST[len("unix://") :])
    if scheme == "http+unix":  # requests-unixsocket's spelling: the path percent-encoded
        plain = rest.split("?", 1)[0] if rest.startswith("/") else ""  # or written as is
        path = plain or unquote(rest.split("/", 1)[0])
        if not path:
            raise DockerError(f"invalid engine address {shown!r}: no socket path")
        return EngineAddress(url=shown, scheme="unix", path=path)
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as exc:
        raise DockerError(f"invalid engine address {shown!r}: bad port") from exc
    if scheme in ("tcp", "http", "https"):
        if not parts.hostname:
            raise DockerError(f"invalid engine address {shown!r}: no host")
        if parts.query or parts.fragment:
            raise DockerError(f"invalid engine address {shown!r}: no query or fragment allowed")
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
            url=shown,
            scheme="tcp",
            host=parts.hostname,
            port=port or default_port,
            tls_context=config.ssl_context() if config is not None else None,
            tls_hostname=parts.hostname if config is not None else None,
            # The Go client joins it with each path (path.Join): no trailing slash.
            base_path=parts.path.rstrip("/"),
        )
    if scheme == "ssh":
        if not parts.hostname:
            raise DockerError(f"invalid engine address {shown!r}: no host")
        return EngineAddress(
            url=shown,
            scheme="ssh",
            host=parts.hostname,
            port=port or 0,
            user=parts.username or "",
        )
    raise DockerError(f"unsupported engine address {shown!r}: use unix://, tcp:// or ssh://")


def _tls_from_env(env: Mapping[str, str]) -> TLSConfig | None:
    # As the docker CLI and docker-py: any non-empty DOCKER_TLS_VERIFY, "0" too, means
    # verify. DOCKER_CERT_PATH alone means TLS without verifying the daemon (docker-py).
    verify = bool(env.get("DOCKER_TLS_VERIFY", ""))
    cert_path = env.get("DOCKER_CERT_PATH", "")
    if verify or cert_path:
        base = cert_path or str(Path.home() / ".docker")
        if verify and not (Path(base) / "ca.pem").is_file():
            # As the CLI and docker-py: DOCKER_TLS_VERIFY without the CA is an error.
            raise DockerError(
                f"DOCKER_TLS_VERIFY needs {Path(base) / 'ca.pem'}: put the daemon's CA there "
                "(or point DOCKER_CERT_PATH at the directory that has it)"
            )
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
        # As the CLI: TLS when the context has TLS files or skips verification.
        skip_verify = bool(endpoint.get("SkipTLSVerify", False))
        tls_dir = base / "tls" / digest / "docker"
        if tls_dir.is_dir():
            tls = TLSConfig.from_cert_path(tls_dir, verify=not skip_verify)
        elif skip_verify:
            tls = TLSConfig(verify=False)
    return parse_host(host, tls=tls)


def resolve_host(
    host: str | None = None,
    *,
    tls: TLSConfig | bool | None = None,
    env: Mapping[str, str] | None = None,
) -> EngineAddress:
    """Find the engine the docker CLI would talk to (see the module docstring)."""
    env = os.environ if env is None else env
    url = host or env.get("DOCKER_HOST")
    if not url:
        context = env.get("DOCKER_CONTEXT")
        if not context:
            try:
                config = json.loads((config_dir(env) / "config.json").read_text())
                context = config.get("currentContext") if isinstance(config, dict) else None
            except (FileNotFoundError, NotADirectoryError, ValueError):
                context = None
        if context and context != "default":
            return _context_address(context, env, tls)
        url = DEFAULT_HOST
    if tls is None and not url.startswith(("/", "unix://", "http+unix://", "ssh://")):
        tls = _tls_from_env(env)
    return parse_host(url, tls=tls)
