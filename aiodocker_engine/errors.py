"""Exceptions raised by aiodocker_engine: one hierarchy rooted at DockerError.

Every exception that crosses the public API is one of these. Outside exceptions
(OSError, ssl errors, protocol errors) are translated in one place, the transport's
connect path, into ConnectionFailed with a hint of what to check.
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "BadRequest",
    "Conflict",
    "ConnectionFailed",
    "ContainerError",
    "DockerError",
    "Forbidden",
    "NotFound",
    "NotImplementedByDaemon",
    "ProtocolError",
    "ServerError",
    "StreamError",
    "Timeout",
    "Unauthorized",
    "Unavailable",
    "VersionError",
    "error_for_status",
]


class DockerError(Exception):
    """Base of every error raised by aiodocker_engine."""


class APIError(DockerError):
    """The daemon answered with an error status; `message` is the daemon's own text."""

    def __init__(self, status: int, message: str, *, method: str = "", path: str = "") -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        where = f" ({method} {path})" if method else ""
        super().__init__(f"{status} {message}{where}")


class BadRequest(APIError):
    """400: the daemon rejected a parameter or body field."""


class Unauthorized(APIError):
    """401: the registry or daemon wants credentials."""


class Forbidden(APIError):
    """403: the operation is not allowed (e.g. removing a predefined network: `host`, `none`)."""


class NotFound(APIError):
    """404: no such container, image, network, volume, exec instance, ..."""


class Conflict(APIError):
    """409: the object is in a state that forbids the operation (running, in use, name taken)."""


class ServerError(APIError):
    """500: the daemon failed internally."""


class NotImplementedByDaemon(APIError):
    """501: the daemon does not implement the operation (e.g. a podman gap)."""


class Unavailable(APIError):
    """503: the daemon cannot serve the operation now (e.g. swarm not initialised)."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    500: ServerError,
    501: NotImplementedByDaemon,
    503: Unavailable,
}


def error_for_status(status: int, message: str, *, method: str = "", path: str = "") -> APIError:
    """Build the APIError subclass that matches an HTTP status (APIError itself otherwise)."""
    cls = _BY_STATUS.get(status, APIError)
    return cls(status, message, method=method, path=path)


class ConnectionFailed(DockerError):
    """The engine could not be reached or the connection broke; `hint` says what to check."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        self.hint = hint
        super().__init__(f"{message}: {hint}" if hint else message)


class ProtocolError(ConnectionFailed):
    """The peer sent bytes that are not valid HTTP/1.1 (or the connection ended mid-message)."""


class StreamError(DockerError):
    """An in-band error in a stream: a progress `errorDetail`, a frame of type 3, a cut frame."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        self.message = message
        self.code = code
        super().__init__(message)


class VersionError(DockerError):
    """An operation or parameter needs another API version than the negotiated one."""


class ContainerError(DockerError):
    """A container run or an exec with check=True exited non-zero.

    Carries `exit_code`, `stderr` and `stdout` (b"" where the caller kept none), and
    `exec_id` for an exec (else ""). The message ends with the tail of stderr, or of
    stdout when stderr is empty: a TTY sends everything there, and so does dockerd with
    the runtime's reason for an exec it cannot start ("OCI runtime exec failed: ...",
    exit code 126).
    """

    def __init__(
        self,
        container: str,
        exit_code: int,
        stderr: bytes,
        *,
        stdout: bytes = b"",
        exec_id: str = "",
    ) -> None:
        self.container = container
        self.exit_code = exit_code
        self.stderr = stderr
        self.stdout = stdout
        self.exec_id = exec_id
        tail = (stderr.strip() or stdout)[-500:].decode("utf-8", "replace").strip()
        what = (
            f"exec {exec_id[:12]} in container {container}" if exec_id else f"container {container}"
        )
        super().__init__(f"{what} exited with {exit_code}" + (f": {tail}" if tail else ""))


class Timeout(DockerError, TimeoutError):
    """A request took longer than the client's `timeout` (connection discarded, nothing leaked)."""
