"""Blocking stdlib HTTP to a Docker engine, for harness setup that runs before any event loop.

The test harness must work while the async client is broken or half-written, so it never
uses it: pinging, importing the test image and the end-of-session sweep go through
`http.client` over a Unix socket or TCP (with TLS from `DOCKER_CERT_PATH` when
`DOCKER_TLS_VERIFY` is set, as the docker CLI does).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["RawResponse", "api_prefix", "ping", "request", "request_json"]


@dataclass(frozen=True)
class RawResponse:
    """A whole response: status, headers with lower-case names, and body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self._unix_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


def _tls_context() -> ssl.SSLContext:
    cert_path = Path(os.environ.get("DOCKER_CERT_PATH") or Path.home() / ".docker")
    context = ssl.create_default_context(cafile=str(cert_path / "ca.pem"))
    context.load_cert_chain(str(cert_path / "cert.pem"), str(cert_path / "key.pem"))
    return context


def _connect(host: str, timeout: float) -> http.client.HTTPConnection:
    url = urllib.parse.urlsplit(host)
    if url.scheme == "unix":
        return _UnixHTTPConnection(url.path, timeout)
    if url.scheme in ("tcp", "http", "https"):
        port = url.port or (2376 if os.environ.get("DOCKER_TLS_VERIFY") else 2375)
        hostname = url.hostname or "localhost"
        if url.scheme == "https" or os.environ.get("DOCKER_TLS_VERIFY"):
            return http.client.HTTPSConnection(
                hostname, port, timeout=timeout, context=_tls_context()
            )
        return http.client.HTTPConnection(hostname, port, timeout=timeout)
    raise ValueError(
        f"the test harness cannot reach DOCKER_HOST={host!r}: only unix:// and tcp:// "
        "hosts are supported here"
    )


def request(
    host: str,
    method: str,
    path: str,
    *,
    query: Mapping[str, str] | None = None,
    body: bytes | Iterable[bytes] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> RawResponse:
    """Send one request on a fresh connection and read the whole response.

    An iterable body is sent with chunked encoding, so a big tar never sits in memory twice.
    Raises OSError (or `http.client.HTTPException`) when the engine cannot be reached.
    """
    if query:
        path = f"{path}?{urllib.parse.urlencode(query)}"
    conn = _connect(host, timeout)
    try:
        all_headers = dict(headers or {})
        chunked = body is not None and not isinstance(body, bytes)
        conn.request(method, path, body=body, headers=all_headers, encode_chunked=chunked)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def request_json(
    host: str,
    method: str,
    path: str,
    *,
    query: Mapping[str, str] | None = None,
    ok: Iterable[int] = (200, 201, 204),
    timeout: float = 30.0,
) -> Any:
    """Like `request`, and decode a JSON answer; an unexpected status raises RuntimeError."""
    resp = request(host, method, path, query=query, timeout=timeout)
    if resp.status not in tuple(ok):
        raise RuntimeError(
            f"{method} {path} on {host} answered {resp.status}: "
            f"{resp.body.decode(errors='replace').strip()}"
        )
    return resp.json()


def ping(host: str, *, timeout: float = 2.0) -> dict[str, str] | None:
    """`GET /_ping`: the response headers when the engine answers OK, else None."""
    try:
        resp = request(host, "GET", "/_ping", timeout=timeout)
    except (OSError, http.client.HTTPException, ValueError, ssl.SSLError):
        return None
    if resp.status != 200 or resp.body.strip() != b"OK":
        return None
    return resp.headers


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def api_prefix(api_version: str, *, newest: str = "1.41") -> str:
    """The path prefix the harness uses: `/v<min(api_version, newest)>`.

    The harness speaks API 1.41 (Docker 20.10), which every engine still in use accepts;
    an older engine is spoken to in its own version.
    """
    if _version_tuple(api_version) < _version_tuple(newest):
        return f"/v{api_version}"
    return f"/v{newest}"
