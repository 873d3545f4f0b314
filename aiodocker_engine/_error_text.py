"""The daemon's text in an error answer, however it came (JSON, plain text, nothing)."""

from __future__ import annotations

import msgspec

__all__ = ["daemon_message"]


class _ErrorBody(msgspec.Struct):
    message: str = ""


_error_body = msgspec.json.Decoder(_ErrorBody)


def daemon_message(body: bytes, reason: str) -> str:
    """The `message` of a JSON error body, else the body as text (a plain-text error, a
    proxy's page), else the HTTP `reason` (an answer to HEAD has no body)."""
    if body[:1] == b"{":
        try:
            message = _error_body.decode(body).message
        except msgspec.DecodeError:
            message = ""
        if message:
            return message
    return body.decode("utf-8", "replace").strip() or reason
