"""Engine API versions: parsing, negotiation bounds, and the gates endpoint methods check.

Theory of operation:

1. A version is a plain ``(major, minor)`` tuple of ints, so versions compare with ``<`` and key
   the generated tables in ``_operations.py`` directly; ``"1.41"`` only exists on the wire.
2. The negotiated version is the daemon's (from ``GET /_ping``), capped at CLIENT_MAX_VERSION,
   or the one the user pinned. A daemon older than CLIENT_MIN_VERSION is refused: the spec
   files, and so the gates, start there.
3. Endpoint methods call ``require_operation`` and ``require_parameters`` before building a
   request, so an operation or parameter the negotiated version lacks raises ``VersionError``
   and nothing reaches the daemon (which would ignore an unknown parameter, or answer 400/404).
4. Both checks are on every request's path, so they are dict lookups and tuple compares. Each
   gated operation has an *envelope*, the versions at which none of its parameters is gated;
   inside it (the usual case) ``require_parameters`` returns without looking at the names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeAlias

from aiodocker_engine._operations import (
    OPERATION_MIN_VERSION,
    OPERATIONS,
    PARAMETER_MAX_VERSION,
    PARAMETER_MIN_VERSION,
)
from aiodocker_engine.errors import VersionError

__all__ = [
    "CLIENT_MAX_VERSION",
    "CLIENT_MIN_VERSION",
    "ApiVersion",
    "check_supported",
    "format_version",
    "is_supported",
    "negotiate_version",
    "parse_version",
    "require_operation",
    "require_parameters",
]

ApiVersion: TypeAlias = tuple[int, int]

CLIENT_MIN_VERSION: Final[ApiVersion] = (1, 25)
CLIENT_MAX_VERSION: Final[ApiVersion] = (1, 55)

_VERSION = re.compile(r"v?([0-9]{1,9})\.([0-9]{1,9})")
_NEVER: Final[ApiVersion] = (0, 0)
_FOREVER: Final[ApiVersion] = (1 << 31, 0)
_NO_GATES: Final[Mapping[str, ApiVersion]] = {}


def parse_version(text: str, *, source: str = "API version") -> ApiVersion:
    """Parse ``"1.41"`` (or ``"v1.41"``, as the Docker CLI accepts) into ``(1, 41)``.

    `source` names where the text came from (``"DOCKER_API_VERSION"``, ``"the daemon's
    API-Version header"``) for the error message. Raises `VersionError` on anything else.
    """
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise VersionError(f"{source}: {text!r} is not an API version like '1.41'")
    return int(match[1]), int(match[2])


def format_version(version: ApiVersion) -> str:
    """``(1, 41)`` -> ``"1.41"``, as it goes in request paths (``/v1.41/containers/json``)."""
    return f"{version[0]}.{version[1]}"


def check_supported(version: ApiVersion, *, source: str = "API version") -> ApiVersion:
    """Return `version` if this client can speak it; raise `VersionError` naming `source` if not.

    Use it on a pinned version (``api_version=``, ``DOCKER_API_VERSION``), which skips
    negotiation and so is never capped.
    """
    if not CLIENT_MIN_VERSION <= version <= CLIENT_MAX_VERSION:
        raise VersionError(
            f"{source} {format_version(version)} is outside the API versions this client "
            f"speaks ({format_version(CLIENT_MIN_VERSION)} to "
            f"{format_version(CLIENT_MAX_VERSION)})"
        )
    return version


def negotiate_version(server: ApiVersion) -> ApiVersion:
    """The version to speak with a daemon whose maximum is `server`: capped at CLIENT_MAX_VERSION.

    Raises `VersionError` if the daemon is older than CLIENT_MIN_VERSION.
    """
    if server < CLIENT_MIN_VERSION:
        raise VersionError(
            f"the daemon speaks API {format_version(server)} at most; this client needs "
            f"{format_version(CLIENT_MIN_VERSION)} or newer (Docker 1.13 or later)"
        )
    return min(server, CLIENT_MAX_VERSION)


def is_supported(operation_id: str, negotiated: ApiVersion) -> bool:
    """Whether the operation exists at the negotiated version (for fallbacks, e.g. HEAD /_ping)."""
    return OPERATION_MIN_VERSION[operation_id] <= negotiated


def require_operation(operation_id: str, negotiated: ApiVersion) -> None:
    """Raise `VersionError` if the operation is newer than the negotiated version.

    `operation_id` is the spec's (``"ContainerWait"``); an unknown one is a bug in the caller
    and raises `KeyError`.
    """
    needed = OPERATION_MIN_VERSION[operation_id]
    if negotiated < needed:
        raise VersionError(
            f"{OPERATIONS[operation_id]} ({operation_id}) needs API {format_version(needed)} "
            f"or newer, but the negotiated API version is {format_version(negotiated)}"
        )


def _envelope(operation_id: str) -> tuple[ApiVersion, ApiVersion]:
    """The versions at which no parameter of the operation is gated: (lowest, highest)."""
    minima = PARAMETER_MIN_VERSION.get(operation_id, _NO_GATES).values()
    maxima = PARAMETER_MAX_VERSION.get(operation_id, _NO_GATES).values()
    return max(minima, default=_NEVER), min(maxima, default=_FOREVER)


_ENVELOPES: Final[dict[str, tuple[ApiVersion, ApiVersion]]] = {
    operation_id: _envelope(operation_id)
    for operation_id in (*PARAMETER_MIN_VERSION, *PARAMETER_MAX_VERSION)
}


def require_parameters(operation_id: str, negotiated: ApiVersion, names: Iterable[str]) -> None:
    """Raise `VersionError` if a parameter the caller set does not exist at the negotiated version.

    `names` are the wire names of the parameters actually set: query and header parameter
    names (``"one-shot"``) and top-level JSON body fields (``"MacAddress"``). Names the spec
    does not gate are ignored, and `names` is not iterated at all when the operation has no
    gate at this version. The message lists every offending parameter.
    """
    envelope = _ENVELOPES.get(operation_id)
    if envelope is None or envelope[0] <= negotiated <= envelope[1]:
        return
    minima = PARAMETER_MIN_VERSION.get(operation_id, _NO_GATES)
    maxima = PARAMETER_MAX_VERSION.get(operation_id, _NO_GATES)
    problems: list[str] = []
    for name in names:
        first = minima.get(name)
        if first is not None and negotiated < first:
            problems.append(f"parameter {name!r} needs API {format_version(first)} or newer")
        last = maxima.get(name)
        if last is not None and negotiated > last:
            problems.append(f"parameter {name!r} was removed after API {format_version(last)}")
    if problems:
        raise VersionError(
            f"{OPERATIONS[operation_id]} ({operation_id}): {'; '.join(problems)}, but the "
            f"negotiated API version is {format_version(negotiated)}"
        )
