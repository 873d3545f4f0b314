"""Points in time as the daemon's `since`/`until` query text, without losing precision.

The daemon parses `<seconds>.<fraction>` as two integers (moby `api/types/time`
`ParseTimestamps`), so the text can be exact to the nanosecond. A datetime goes through
integer arithmetic, never `datetime.timestamp()`: that float holds a 2026 instant only to
about 240 ns, so a datetime copied from a log line (truncated to the microsecond) could be
sent as a time a little *after* that line and filter it out.

Text is read as the docker CLI reads `--since`/`--until` (`timetypes.GetTimestamp`),
since the daemon itself parses only `<seconds>[.<fraction>]`:
- a Go duration ("10m", "1h30m", "1.5h", "250ms") is that long before now;
- an RFC 3339 date or time ("2026-11-28", "2026-11-28T10:15", "...T10:15:30.5Z",
  "...+01:00"): without a zone, in the local one, as the CLI does;
- Unix seconds with an optional fraction are sent as they are.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

__all__ = ["EPOCH", "NS", "daemon_time", "datetime_nanos", "format_nanos"]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
NS = 1_000_000_000

_UNIX = re.compile(r"-?\d+(?:\.\d{1,9})?")
_DURATION = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+")
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_NANOS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000}
_UNIT_NANOS.update({"s": NS, "m": 60 * NS, "h": 3600 * NS})
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?"
    r"(?:([zZ])|([+-])(\d{2}):(\d{2}))?"
)


def format_nanos(nanos: int) -> str:
    """`seconds.nanoseconds`, the form the daemon parses exactly (also before 1970)."""
    seconds, fraction = divmod(nanos, NS)
    return f"{seconds}.{fraction:09d}"


def datetime_nanos(value: datetime, what: str) -> int:
    """Nanoseconds since the epoch of an aware datetime; ValueError for a naive one."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what}={value!r}: give a timezone-aware datetime "
            "(e.g. datetime.now(timezone.utc)); a naive one has no defined instant"
        )
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * NS + delta.microseconds * 1000


def _duration_nanos(text: str) -> int:
    """A Go duration (`time.ParseDuration`) in nanoseconds; `text` matched `_DURATION`."""
    total = 0
    for number, unit in _DURATION_PART.findall(text):
        whole, _, fraction = number.partition(".")
        scale = _UNIT_NANOS[unit]
        total += int(whole or "0") * scale
        if fraction:
            total += int(fraction) * scale // 10 ** len(fraction)
    return -total if text.startswith("-") else total


def _text_nanos(text: str, what: str) -> int | None:
    """Nanoseconds since the epoch that the CLI would send for `text`; None for Unix
    seconds, which go as they are."""
    if _UNIX.fullmatch(text):
        return None
    if text != "0" and _DURATION.fullmatch(text):
        return time.time_ns() - _duration_nanos(text)
    found = _DATE_TIME.fullmatch(text)
    if found is None:
        raise ValueError(
            f"{what}={text!r} is neither a duration (10m, 1h30m), an RFC 3339 time "
            "(2026-11-28T10:15:00Z) nor Unix seconds"
        )
    year, month, day, hour, minute, second, fraction, utc, sign, off_h, off_m = found.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError as exc:
        raise ValueError(f"{what}={text!r}: {exc}") from None
    if utc:
        aware = moment.replace(tzinfo=timezone.utc)
    elif sign:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        aware = moment.replace(tzinfo=timezone(offset if sign == "+" else -offset))
    else:
        aware = moment.astimezone()  # no zone: the local one, as the CLI reads it
    nanos = datetime_nanos(aware, what)
    return nanos + int(fraction.ljust(9, "0")) if fraction else nanos


def daemon_time(value: datetime | int | float | str | None, what: str) -> str | None:
    """A `since`/`until` argument as the daemon's timestamp text (None stays None).

    ints and floats are seconds since the epoch; datetimes must be timezone-aware; text
    is read as the docker CLI reads it (see the module docstring). `what` names the
    argument in errors, e.g. ``"events(since)"``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{what} takes a datetime, int, float or str, got {value!r}")
    if isinstance(value, datetime):
        return format_nanos(datetime_nanos(value, what))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_nanos(round(value * NS))
    if isinstance(value, str):
        nanos = _text_nanos(value.strip(), what)
        return value.strip() if nanos is None else format_nanos(nanos)
    raise TypeError(f"{what} takes a datetime, int, float or str, got {value!r}")
