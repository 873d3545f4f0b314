"""Path parameters, escaped so an id or name can never change the request path."""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["quote_path"]

# Ids and most names need no escaping; this saves urllib a walk over every character.
_PLAIN = re.compile(r"[A-Za-z0-9_.-]+")
_DOTS = frozenset({".", ".."})


def quote_path(value: str, *, safe: str = "") -> str:
    """Percent-encode one path segment ("/" too, unless in `safe`); refuses empty values.

    Image and plugin references keep "/" and ":" (`safe="/:@"`): the daemon's router
    matches them with a catch-all pattern. Slashes at either end are dropped: container
    names come as "/name" (and legacy links as "/name/alias"), and the daemon's router
    cleans the decoded path, answering "//name" with a redirect to "/name" (the docker
    CLI trims them too). The router also resolves "." and ".." segments (even escaped
    ones: it cleans the decoded path) and redirects, so they are refused: a network can be
    named "." but is then reached by its id only.
    """
    if type(value) is str and value not in _DOTS and _PLAIN.fullmatch(value):
        return value
    if not isinstance(value, str) or not value.strip("/"):
        raise ValueError(f"an id or name is required, got {value!r}")
    value = value.strip("/")
    if not _DOTS.isdisjoint(value.split("/")):
        raise ValueError(
            f"{value!r} cannot be sent in a request path (the daemon's router resolves "
            f"'.' and '..' away); use the id instead"
        )
    return quote(value, safe=safe)
