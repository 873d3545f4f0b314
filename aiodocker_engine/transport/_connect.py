"""Open byte streams to an engine (Unix, TCP, TLS, ssh) and explain why one failed.

This is the one place where OSError and ssl errors from connecting become
`errors.ConnectionFailed`, each with a hint of what to check.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shlex
import ssl
import stat
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from typing import IO

import anyio
import anyio.abc
from anyio.streams.stapled import StapledByteStream

from aiodocker_engine.errors import ConnectionFailed
from aiodocker_engine.transport._asyncio_unix import connect_unix_asyncio
from aiodocker_engine.transport._connection import CLIENT_CERT_HINT, client_certificate_refused
from aiodocker_engine.transport._host import EngineAddress
from aiodocker_engine.transport._tls import connect_tls

__all__ = ["make_connector"]

Connector = Callable[[], Awaitable[anyio.abc.ByteStream]]
_STDERR_TAIL = 1000


def make_connector(address: EngineAddress, *, connect_timeout: float | None = 30.0) -> Connector:
    """A coroutine function opening a new stream to `address` on each call."""
    if address.scheme == "unix":
        path = address.path

        async def connect_unix() -> anyio.abc.ByteStream:
            try:
                with anyio.fail_after(connect_timeout):
                    if asyncio._get_running_loop() is not None:
                        return await connect_unix_asyncio(path)
                    from aiodocker_engine.transport._trio_unix import connect_unix_trio

                    return await connect_unix_trio(path)
            except OSError as exc:
                raise _unix_failure(address.url, path, exc) from exc
            except TimeoutError as exc:
                raise ConnectionFailed(
                    f"cannot connect to {address.url}", hint="timed out: is the daemon stuck?"
                ) from exc

        return connect_unix
    if address.scheme == "tcp":
        tls = address.tls_context
        host, port = address.host, address.port

        async def connect_tcp() -> anyio.abc.ByteStream:
            try:
                with anyio.fail_after(connect_timeout):
                    if tls is None:
                        return await anyio.connect_tcp(host, port)
                    return await connect_tls(
                        host, port, ssl_context=tls, hostname=address.tls_hostname
                    )
            except ssl.SSLError as exc:
                raise _tls_failure(address.url, exc) from exc
            except (anyio.EndOfStream, anyio.BrokenResourceError) as exc:
                # The peer closed or reset the connection in the TLS handshake (anyio's
                # names for it without tls_standard_compatible).
                raise ConnectionFailed(
                    f"cannot connect to {address.url}",
                    hint="the peer closed the connection during the TLS handshake: "
                    "is this a TLS port?",
                ) from exc
            except OSError as exc:
                cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
                if isinstance(cause, ssl.SSLError):
                    raise _tls_failure(address.url, cause) from exc
                raise _tcp_failure(address.url, cause) from exc
            except TimeoutError as exc:
                raise ConnectionFailed(
                    f"cannot connect to {address.url}",
                    hint="timed out: check the address and any firewall in between",
                ) from exc

        return connect_tcp
    if address.scheme == "ssh":
        return _ssh_connector(address)
    raise ConnectionFailed(f"unsupported engine address {address.url!r}")


def _unix_failure(url: str, path: str, exc: OSError) -> ConnectionFailed:
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
    code = cause.errno
    if code == errno.ENOENT:
        hint = f"{path} does not exist: is the Docker daemon running? (or set DOCKER_HOST)"
    elif code in (errno.EACCES, errno.EPERM):
        hint = f"permission denied on {path}: join the group that owns it (docker) or run as root"
    elif code == errno.ECONNREFUSED and _is_socket(path):
        hint = f"nothing listens on {path}: the daemon stopped and left a stale socket"
    elif code in (errno.ENOTSOCK, errno.ECONNREFUSED):  # Linux refuses a plain file so
        hint = f"{path} is not a socket"
    else:
        hint = str(cause)
    return ConnectionFailed(f"cannot connect to {url}", hint=hint)


def _is_socket(path: str) -> bool:
    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return True  # cannot tell: keep the likelier reading


def _tcp_failure(url: str, exc: OSError) -> ConnectionFailed:
    if exc.errno == errno.ECONNREFUSED:
        hint = "connection refused: is the daemon listening there? (check DOCKER_HOST)"
    elif isinstance(exc, ssl.SSLError):
        return _tls_failure(url, exc)
    elif exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        hint = "host unreachable"
    else:
        hint = str(exc) or type(exc).__name__
    return ConnectionFailed(f"cannot connect to {url}", hint=hint)


# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
_NAME_MISMATCH = (62, 64)


def _tls_failure(url: str, exc: ssl.SSLError) -> ConnectionFailed:
    reason = getattr(exc, "reason", None) or str(exc)
    if reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST"):
        hint = "the daemon does not speak TLS on this port: drop tls / DOCKER_TLS_VERIFY"
    elif isinstance(exc, ssl.SSLCertVerificationError):
        why = exc.verify_message or reason
        if exc.verify_code in _NAME_MISMATCH:
            hint = (
                f"the daemon's certificate is for another name ({why}): connect by a "
                "name or address the certificate lists"
            )
        else:
            hint = f"the daemon's certificate is not trusted ({why}): check DOCKER_CERT_PATH/ca.pem"
    elif reason == "CERTIFICATE_VERIFY_FAILED":
        hint = "the daemon's certificate is not trusted: check DOCKER_CERT_PATH/ca.pem"
    elif client_certificate_refused(exc):
        hint = CLIENT_CERT_HINT
    else:
        hint = f"TLS handshake failed ({reason}): check DOCKER_CERT_PATH and DOCKER_TLS_VERIFY"
    return ConnectionFailed(f"cannot connect to {url}", hint=hint)


class _ProcessStream(StapledByteStream):
    """stdin/stdout of `ssh … docker system dial-stdio`; closing it ends the process.

    ssh's stderr goes to a file (a pipe nobody reads could fill and stall it): when
    the process fails, its status and the end of what it said are the error's hint.
    """

    def __init__(self, process: anyio.abc.Process, stderr: IO[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        super().__init__(process.stdin, process.stdout)
        self._process = process
        self._stderr = stderr

    async def receive(self, max_bytes: int = 65536) -> bytes:
        try:
            return await super().receive(max_bytes)
        except anyio.EndOfStream:
            await self._raise_if_failed()
            raise

    async def send(self, item: bytes) -> None:
        try:
            await super().send(item)
        except (anyio.BrokenResourceError, OSError):
            await self._raise_if_failed()
            raise

    async def _raise_if_failed(self) -> None:
        with anyio.move_on_after(2):
            await self._process.wait()
        status = self._process.returncode
        if status:  # None: still running; 0: a clean end
            self._stderr.seek(0)
            said = self._stderr.read()[-_STDERR_TAIL:].decode("utf-8", "replace").strip()
            raise anyio.BrokenResourceError from OSError(
                f"ssh exited with status {status}" + (f": {said}" if said else "")
            )

    async def aclose(self) -> None:
        await super().aclose()
        with anyio.CancelScope(shield=True):
            if self._process.returncode is None:
                self._process.terminate()
                with anyio.move_on_after(5):
                    await self._process.wait()
                if self._process.returncode is None:
                    self._process.kill()
                    await self._process.wait()
            await self._process.aclose()
            self._stderr.close()


def _ssh_connector(address: EngineAddress) -> Connector:
    # Same as the docker CLI: the remote docker binary bridges stdio to its socket.
    target = address.host if not address.user else f"{address.user}@{address.host}"
    command = ["ssh", "-o", "ConnectTimeout=30", "-T"]
    if address.port:
        command += ["-p", str(address.port)]
    command += ["--", target, "docker", "system", "dial-stdio"]
    env: Mapping[str, str] = os.environ

    async def connect_ssh() -> anyio.abc.ByteStream:
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 - the stream closes it
        try:
            process = await anyio.open_process(command, env=dict(env), stderr=stderr)
        except OSError as exc:
            stderr.close()
            raise ConnectionFailed(
                f"cannot connect to {address.url}",
                hint=f"could not run {shlex.join(command[:1])}: {exc.strerror or exc}",
            ) from exc
        except BaseException:
            stderr.close()
            raise
        return _ProcessStream(process, stderr)

    return connect_ssh
