"""Query strings the way the daemon reads them: booleans as 1/0, filters as JSON maps of lists."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import msgspec

__all__ = ["Filters", "encode_filters", "encode_query"]

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
    if isinstance(value, int | float | str):
        return str(value)
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
