"""Query strings the way the daemon reads them: booleans as 1/0, filters as JSON maps of lists."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import msgspec

__all__ = ["Filters", "encode_filters", "encode_query", "terminal_size"]

#: `filters` arguments: {"label": ["a=b", "c"], "dangling": True, "status": "running"}.
Filters = Mapping[str, str | list[str] | bool]

_json = msgspec.json.Encoder()


def encode_filters(filters: Filters) -> str:
    """JSON of `map[string][]string`, the form every API version since 1.22 accepts."""
    out: dict[str, list[str]] = {}
    for key, value in filters.items():
        if isinstance(value, bool):
            out[key] = ["true" if value else "false"]
        elif isinstance(value, str):
            out[key] = [value]
        elif isinstance(value, list | tuple):
            if not all(isinstance(v, str) for v in value):
                raise TypeError(f"filter {key!r} must hold strings, got {value!r}")
            out[key] = list(value)
        else:
            raise TypeError(f"filter {key!r} must be a str, a list of str or a bool, got {value!r}")
    return _json.encode(out).decode()


def _scalar(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    # The base types' own text, so an IntEnum (signal.SIGTERM) or a str enum gives its
    # value on every Python (3.10's str() of them is "Signals.SIGTERM").
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    if isinstance(value, str):
        return str.__str__(value)
    raise TypeError(f"query parameter {name!r} cannot be {type(value).__name__}: {value!r}")


def encode_query(params: Mapping[str, object]) -> str:
    """`?a=1&b=x` from the parameters that are not None ("" when none are set).

    Lists repeat the key (`?name=a&name=b`), dicts and `filters` become JSON.
    """
    parts: list[str] = []
    for name, value in params.items():
        if value is None:
            continue
        if name == "filters" and isinstance(value, Mapping):
            text = encode_filters(value)
        elif isinstance(value, Mapping):
            text = _json.encode(dict(value)).decode()
        elif isinstance(value, list | tuple):
            parts.extend(f"{name}={quote(_scalar(name, v), safe='')}" for v in value)
            continue
        else:
            text = _scalar(name, value)
        parts.append(f"{name}={quote(text, safe='')}")
    return "?" + "&".join(parts) if parts else ""


def terminal_size(h: int, w: int, what: str) -> dict[str, int]:
    """The `h`/`w` query of a resize, checked first: the daemon parses them with Atoi and
    casts to uint (Docker 20.10), so a negative size would become a huge terminal."""
    for name, value in (("h", h), ("w", w)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 0xFFFF:
            raise ValueError(f"{what}: {name} must be a whole number 1-65535, got {value!r}")
    return {"h": h, "w": w}
