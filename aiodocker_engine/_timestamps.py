"""Points in time as the daemon's `since`/`until` query text, without losing precision.

The daemon parses `<seconds>.<fraction>` as two integers (moby `api/types/time`
`ParseTimestamps`), so the text can be exact to the nanosecond. A datetime goes through
integer arithmetic, never `datetime.timestamp()`: that float holds a 2026 instant only to
about 240 ns, so a datetime copied from a log line (truncated to the microsecond) could be
sent as a time a little *after* that line and filter it out.
"""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["EPOCH", "NS", "daemon_time", "datetime_nanos", "format_nanos"]

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
NS = 1_000_000_000


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


def daemon_time(value: datetime | int | float | None, what: str) -> str | None:
    """A `since`/`until` argument as the daemon's timestamp text (None stays None).

    ints and floats are seconds since the epoch; datetimes must be timezone-aware. `what`
    names the argument in errors, e.g. ``"events(since)"``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError(f"{what} takes a datetime, int or float, got {value!r}")
    if isinstance(value, datetime):
        return format_nanos(datetime_nanos(value, what))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_nanos(round(value * NS))
    raise TypeError(f"{what} takes a datetime, int or float, got {value!r}")
