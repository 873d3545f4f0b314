"""`since`/`until` arguments as the daemon's timestamp text."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from aiodocker_engine._timestamps import daemon_time, datetime_nanos


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
    with pytest.raises(ValueError, match=r"events\(until\)='yesterday' is neither a duration"):
        daemon_time("yesterday", "events(until)")
    with pytest.raises(ValueError, match=r"logs\(since\)='2026-02-30'"):
        daemon_time("2026-02-30", "logs(since)")
    with pytest.raises(TypeError):
        daemon_time(True, "since")
    with pytest.raises(TypeError, match="takes a datetime, int, float or str"):
        daemon_time([1], "since")  # type: ignore[arg-type]


def _seconds(text: str | None) -> float:
    assert text is not None
    return float(text)


@pytest.mark.parametrize(
    ("text", "seconds_ago"),
    [("10m", 600), ("1h30m", 5400), ("1.5h", 5400), ("90s", 90), ("250ms", 0.25), ("-2m", -120)],
)
def test_a_duration_is_that_long_before_now_as_the_cli_reads_it(
    text: str, seconds_ago: float
) -> None:
    before = time.time()
    sent = _seconds(daemon_time(text, "logs(since)"))
    after = time.time()
    assert before - seconds_ago - 0.001 <= sent <= after - seconds_ago + 0.001


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        ("2023-11-14T22:13:20Z", "1700000000.000000000"),
        ("2023-11-14T22:13:20.123456789Z", "1700000000.123456789"),
        ("2023-11-14T23:13:20.5+01:00", "1700000000.500000000"),
        ("2023-11-14T17:13-05:00", "1699999980.000000000"),
        ("2023-11-14Z", "1699920000.000000000"),
        ("1700000000", "1700000000"),  # Unix seconds go as they are
        ("1700000000.25", "1700000000.25"),
        (" 0 ", "0"),  # "0" is the epoch, not a zero duration
    ],
)
def test_rfc3339_times_and_unix_seconds(text: str, sent: str) -> None:
    assert daemon_time(text, "since") == sent


def test_a_time_without_a_zone_is_local_as_the_cli_reads_it() -> None:
    local = datetime(2023, 11, 14, 22, 13, 20).astimezone()
    assert daemon_time("2023-11-14T22:13:20", "since") == daemon_time(local, "since")
    assert daemon_time("2023-11-14", "since") == daemon_time(
        datetime(2023, 11, 14).astimezone(), "since"
    )
