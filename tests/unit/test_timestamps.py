"""`since`/`until` arguments as the daemon's timestamp text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aiodocker_engine._timestamps import daemon_time, datetime_nanos
from aiodocker_engine.api._container_io import timestamp_param


def test_datetimes_ints_and_floats_become_seconds_dot_nanoseconds() -> None:
    aware = datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=timezone.utc)
    assert daemon_time(aware, "since") == "1700000000.500000000"
    shifted = aware.astimezone(timezone(timedelta(hours=2)))
    assert daemon_time(shifted, "since") == "1700000000.500000000"
    assert daemon_time(1_700_000_000, "since") == "1700000000"
    assert daemon_time(1.25, "until") == "1.250000000"
    assert daemon_time(None, "since") is None


def test_a_datetime_is_exact_to_the_microsecond() -> None:
    # As a float this instant is 1795892678.000003099: sent that way, it lies after a log
    # line stamped ...678.000003050 whose datetime (truncated) it came from.
    stamp = datetime(2026, 11, 28, 19, 4, 38, 3, tzinfo=timezone.utc)
    assert f"{stamp.timestamp():.9f}" != "1795892678.000003000"
    assert daemon_time(stamp, "since") == "1795892678.000003000"
    for micro in range(0, 1_000_000, 997):
        instant = stamp.replace(microsecond=micro)
        assert daemon_time(instant, "until") == f"1795892678.{micro:06d}000"


def test_times_before_the_epoch_keep_a_positive_fraction() -> None:
    # The daemon parses "-2.750000000" as -2 s plus 0.75 s; -1.25 s must be sent as -2 + 0.75.
    before = datetime(1969, 12, 31, 23, 59, 58, 750000, tzinfo=timezone.utc)
    assert datetime_nanos(before, "since") == -1_250_000_000
    assert daemon_time(before, "since") == "-2.750000000"


def test_bad_times_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"events\(since\)=.*timezone-aware"):
        daemon_time(datetime(2023, 1, 1), "events(since)")
    with pytest.raises(TypeError, match=r"events\(until\) takes a datetime"):
        daemon_time("yesterday", "events(until)")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        daemon_time(True, "since")


def test_log_times_also_take_the_daemons_own_text() -> None:
    assert timestamp_param("10m", "logs(since)") == "10m"
    assert timestamp_param(None, "logs(since)") is None
    with pytest.raises(ValueError, match=r"logs\(until\)"):
        timestamp_param(datetime(2023, 1, 1), "logs(until)")
