"""Registry credentials: the docker CLI's config.json, credential helpers and the auth headers.

Theory of operation (what the docker CLI does, and so what users expect):

1. The registry of a reference is its first path component when that looks like a host
   (has "." or ":", is "localhost", or has upper-case letters), else Docker Hub
   (`busybox`, `library/busybox`, `user/app` are Hub; `localhost:5000/x`, `ghcr.io/a/b`,
   `127.0.0.1:5000/x@sha256:...` are not). `index.docker.io` and `registry-1.docker.io` are
   Hub too. Hub credentials are filed under "https://index.docker.io/v1/".
2. Credentials come from `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`):
   `credHelpers[registry]` first, then `credsStore`, then `auths[registry]` (base64
   "user:pass" in `auth`, or `identitytoken`). Keys of `auths` may carry a scheme and a
   path (`https://localhost:5000/v1/`); they match by host name, as the CLI's do.
   Helpers run as `docker-credential-<name> get` with the server on stdin, through
   `anyio.run_process`; the file is read in a worker thread. Nothing blocks the loop.
3. Headers: `X-Registry-Auth` is URL-safe base64 of one auth JSON object, always carrying
   the `serveraddress` of the registry it was looked up for; `X-Registry-Config` (builds) is
   a map of registry -> auth object. Credentials given explicitly for one registry are
   refused for a reference on another, so they never travel to a registry not their own.
4. Secrets never appear in reprs, exceptions or logs: `RegistryAuth.__repr__` redacts,
   helper errors report the helper's name and exit status, never its output.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.abc

from aiodocker_engine import errors
from aiodocker_engine.models import AuthConfig

__all__ = [
    "HELPER_TIMEOUT",
    "HUB_SERVER",
    "CredentialStore",
    "RegistryAuth",
    "encode_auth_header",
    "encode_registry_config",
    "registry_of",
]

HUB_SERVER = "https://index.docker.io/v1/"
HUB_REGISTRY = "docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
_HELPER_NOT_FOUND = "credentials not found"

HELPER_TIMEOUT = 30.0
"""Seconds a `docker-credential-*` helper may take before it is killed (DockerError)."""


@dataclass(frozen=True, repr=False)
class RegistryAuth:
    """Credentials for one registry: user and password, or an identity/registry token.

    Its repr shows the user and the registry, never a secret.
    """

    username: str | None = None
    password: str | None = None
    identity_token: str | None = None
    registry_token: str | None = None
    server_address: str | None = None

    def __repr__(self) -> str:
        parts = [f"username={self.username!r}"] if self.username else []
        if self.server_address:
            parts.append(f"server_address={self.server_address!r}")
        for name in ("password", "identity_token", "registry_token"):
            if getattr(self, name):
                parts.append(f"{name}=<redacted>")
        return f"RegistryAuth({', '.join(parts)})"

    __str__ = __repr__

    @classmethod
    def coerce(cls, value: RegistryAuth | AuthConfig | Mapping[str, str]) -> RegistryAuth:
        """From a `RegistryAuth`, a `models.AuthConfig` or a dict of wire or snake_case names."""
        if isinstance(value, RegistryAuth):
            return value
        if isinstance(value, AuthConfig):
            return cls(
                username=value.username,
                password=value.password,
                server_address=value.serveraddress,
            )
        if isinstance(value, Mapping):
            get = value.get
            return cls(
                username=get("username"),
                password=get("password"),
                identity_token=get("identitytoken") or get("identity_token"),
                registry_token=get("registrytoken") or get("registry_token"),
                server_address=get("serveraddress") or get("server_address"),
            )
        raise TypeError(
            f"auth must be a RegistryAuth, a models.AuthConfig or a mapping, "
            f"not {type(value).__name__}"
        )

    def wire(self, server_address: str | None = None) -> dict[str, str]:
        """The auth JSON object the daemon reads (empty fields left out)."""
        out: dict[str, str] = {}
        for key, value in (
            ("username", self.username),
            ("password", self.password),
            ("identitytoken", self.identity_token),
            ("registrytoken", self.registry_token),
            ("serveraddress", server_address or self.server_address),
        ):
            if value:
                out[key] = value
        return out


def _b64url(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode("ascii")


def encode_auth_header(auth: RegistryAuth | None, registry: str | None = None) -> str:
    """`X-Registry-Auth`: URL-safe base64 JSON; "{}" when there are no credentials.

    Push on daemons up to 20.10 requires the header even without credentials (without
    it they read the body for the auth and fail with "missing X-Registry-Auth: EOF").
    """
    if auth is None:
        return _b64url({})
    return _b64url(auth.wire(server_key(registry) if registry else None))


def encode_registry_config(auths: Mapping[str, RegistryAuth]) -> str:
    """`X-Registry-Config` for builds: URL-safe base64 JSON of {server: auth object}."""
    return _b64url({server_key(k): a.wire(server_key(k)) for k, a in auths.items()})


def normalize_registry(name: str) -> str:
    """The registry host of a config key, URL or host ("https://x:5000/v1/" -> "x:5000")."""
    host = name.strip()
    for scheme in ("http://", "https://"):
        if host.lower().startswith(scheme):
            host = host[len(scheme) :]
            break
    host = host.split("/", 1)[0]
    return HUB_REGISTRY if host.lower() in _HUB_ALIASES else host


def server_key(registry: str) -> str:
    """How the CLI files a registry's credentials: the Hub URL for Hub, else the host name."""
    host = normalize_registry(registry)
    return HUB_SERVER if host == HUB_REGISTRY else host


def registry_of(reference: str) -> str:
    """The registry host of an image reference, the way the docker CLI resolves it."""
    if not reference:
        raise ValueError("an image reference is required")
    first, sep, _ = reference.partition("/")
    if not sep:
        return HUB_REGISTRY
    if "." in first or ":" in first or first == "localhost" or first.lower() != first:
        return normalize_registry(first)
    return HUB_REGISTRY


def check_registry(auth: RegistryAuth, registry: str) -> None:
    """Refuse credentials that say they belong to another registry (no secret in the message)."""
    if auth.server_address and normalize_registry(auth.server_address) != normalize_registry(
        registry
    ):
        raise ValueError(
            f"credentials for {normalize_registry(auth.server_address)!r} will not be sent "
            f"to {normalize_registry(registry)!r}"
        )


class CredentialStore:
    """The docker CLI's credentials: config.json `auths`, `credsStore` and `credHelpers`.

    `config_dir` defaults to `$DOCKER_CONFIG`, then `~/.docker`; the file is read again on
    every lookup (it is small, and `docker login` may change it meanwhile), in a thread.
    """

    def __init__(self, config_dir: str | os.PathLike[str] | None = None) -> None:
        self._config_dir = Path(config_dir) if config_dir is not None else None

    def __repr__(self) -> str:
        return f"<CredentialStore {self.config_path}>"

    @property
    def config_path(self) -> Path:
        if self._config_dir is not None:
            return self._config_dir / "config.json"
        configured = os.environ.get("DOCKER_CONFIG")
        base = Path(configured) if configured else Path.home() / ".docker"
        return base / "config.json"

    async def _load(self) -> dict[str, Any]:
        path = self.config_path

        def read() -> dict[str, Any]:
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                return {}
            except OSError as exc:
                raise errors.DockerError(f"cannot read {path}: {exc.strerror}") from None
            try:
                data = json.loads(text) if text.strip() else {}
            except ValueError as exc:
                raise errors.DockerError(f"{path} is not valid JSON ({exc})") from None
            if not isinstance(data, dict):
                raise errors.DockerError(f"{path}: expected a JSON object")
            return data

        return await anyio.to_thread.run_sync(read)

    async def get(self, registry: str) -> RegistryAuth | None:
        """Credentials for `registry` (a host, URL or Hub alias), or None when there are none."""
        config = await self._load()
        host = normalize_registry(registry)
        helpers = config.get("credHelpers") or {}
        helper = next(
            (name for key, name in helpers.items() if normalize_registry(key) == host), None
        )
        if helper is None:
            helper = config.get("credsStore") or None
        if helper:
            found = await _helper_get(str(helper), server_key(host))
            if found is not None:
                return found
        return _from_auths(config.get("auths") or {}, host)

    async def all(self) -> dict[str, RegistryAuth]:
        """Every credential the config knows, by registry host (what builds send)."""
        config = await self._load()
        out: dict[str, RegistryAuth] = {}
        for key in config.get("auths") or {}:
            host = normalize_registry(key)
            found = _from_auths(config["auths"], host)
            if found is not None:
                out[host] = found
        # A helper that is missing or fails is skipped, as the docker CLI's build does
        # (GetAllCredentials' error is dropped): a config.json copied from a desktop
        # (credsStore "desktop") must not break builds that need no credentials.
        store = config.get("credsStore")
        if store:
            with suppress(errors.DockerError):
                for server in await _helper_list(str(store)):
                    with suppress(errors.DockerError):
                        found = await _helper_get(str(store), server)
                        if found is not None:
                            out[normalize_registry(server)] = found
        for key, helper in (config.get("credHelpers") or {}).items():
            host = normalize_registry(key)
            with suppress(errors.DockerError):
                found = await _helper_get(str(helper), server_key(host))
                if found is not None:
                    out[host] = found
        return out


def _from_auths(auths: Mapping[str, Any], host: str) -> RegistryAuth | None:
    entry: Any = None
    for key, value in auths.items():
        if normalize_registry(key) == host:
            entry = value
            if key == server_key(host):
                break  # the canonical key wins over aliases
    if not isinstance(entry, dict):
        return None
    username = entry.get("username") or None
    password = entry.get("password") or None
    encoded = entry.get("auth")
    if encoded:
        try:
            decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise errors.DockerError(
                f"the `auth` entry for {host!r} in config.json is not base64 of user:password"
            ) from None
        user, sep, secret = decoded.partition(":")
        if not sep:
            raise errors.DockerError(
                f"the `auth` entry for {host!r} in config.json is not base64 of user:password"
            )
        username, password = user, secret
    identity = entry.get("identitytoken") or None
    registry_token = entry.get("registrytoken") or None
    if not (username or password or identity or registry_token):
        return None
    return RegistryAuth(
        username=username,
        password=password,
        identity_token=identity,
        registry_token=registry_token,
        server_address=server_key(host),
    )


async def _run_helper(name: str, action: str, stdin: bytes) -> tuple[int, bytes, bytes]:
    """Run `docker-credential-<name> <action>`; a helper that ignores its stdin is fine."""
    program = f"docker-credential-{name}"
    try:
        process = await anyio.open_process([program, action])
    except FileNotFoundError:
        raise errors.DockerError(
            f"credential helper {program} (from config.json) is not on PATH"
        ) from None
    except OSError as exc:
        raise errors.DockerError(
            f"cannot run credential helper {program}: {exc.strerror}"
        ) from None
    output: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}

    async def feed() -> None:
        assert process.stdin is not None
        try:
            await process.stdin.send(stdin)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            # The helper exited without reading (anyio before 4.12 lets the pipe's own
            # error through on asyncio): its exit status says what happened.
            pass
        finally:
            with contextlib.suppress(OSError):
                await process.stdin.aclose()

    async def drain(stream: anyio.abc.ByteReceiveStream | None, key: str) -> None:
        assert stream is not None
        try:
            async for chunk in stream:
                output[key] += chunk
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass

    # A helper waiting on a prompt or a locked keychain would hang the call for good;
    # leaving the scope kills it (anyio's Process.aclose).
    with anyio.move_on_after(HELPER_TIMEOUT) as scope:
        async with process:
            async with anyio.create_task_group() as group:
                group.start_soon(feed)
                group.start_soon(drain, process.stdout, "stdout")
                group.start_soon(drain, process.stderr, "stderr")
            status = await process.wait()
    if scope.cancelled_caught:
        raise errors.DockerError(
            f"credential helper {program} gave no answer within {HELPER_TIMEOUT:g} s"
        )
    return status, bytes(output["stdout"]), bytes(output["stderr"])


async def _helper_get(name: str, server: str) -> RegistryAuth | None:
    status, output, problem = await _run_helper(name, "get", server.encode())
    if status != 0:
        if _HELPER_NOT_FOUND.encode() in (output + problem).lower():
            return None
        raise errors.DockerError(
            f"credential helper docker-credential-{name} failed for {server!r} "
            f"with exit status {status}"
        )
    try:
        data = json.loads(output or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise errors.DockerError(
            f"credential helper docker-credential-{name} answered with something that is "
            f"not a JSON object for {server!r}"
        )
    username = data.get("Username") or None
    secret = data.get("Secret") or None
    if not secret:
        return None
    if username == "<token>":
        return RegistryAuth(identity_token=secret, server_address=server)
    return RegistryAuth(username=username, password=secret, server_address=server)


async def _helper_list(name: str) -> list[str]:
    status, output, _ = await _run_helper(name, "list", b"")
    if status != 0:
        raise errors.DockerError(
            f"credential helper docker-credential-{name} failed to list with exit status {status}"
        )
    try:
        data = json.loads(output or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise errors.DockerError(
            f"credential helper docker-credential-{name} listed something that is not a JSON object"
        )
    return [str(server) for server in data]
