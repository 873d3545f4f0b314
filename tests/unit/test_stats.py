"""Stats math on sample payloads (cgroup v1 from Docker 20.10, cgroup v2, Windows)."""

from __future__ import annotations

import msgspec
import pytest

from aiodocker_engine import stats
from aiodocker_engine.models import ContainerStatsResponse

# Captured from Docker 20.10 on a cgroup v1 host (a busy `while :; do :; done` after writing
# 20 MiB to /tmp), with block I/O and network entries added in the daemon's v1 shape.
CGROUP_V1 = b"""{
 "id": "606852cd1a67", "name": "/flamboyant_snyder",
 "read": "2026-11-23T15:10:55.632112703Z", "preread": "2026-11-23T15:10:54.624481313Z",
 "cpu_stats": {"cpu_usage": {"total_usage": 831375369, "percpu_usage": [485685073, 345690296],
   "usage_in_kernelmode": 50000000, "usage_in_usermode": 770000000},
   "system_cpu_usage": 2975240000000, "online_cpus": 2,
   "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}},
 "precpu_stats": {"cpu_usage": {"total_usage": 513619873, "percpu_usage": [167929577, 345690296],
   "usage_in_kernelmode": 50000000, "usage_in_usermode": 460000000},
   "system_cpu_usage": 2973280000000, "online_cpus": 2,
   "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0}},
 "memory_stats": {"usage": 21901312, "max_usage": 23302144, "limit": 25276063744,
   "stats": {"active_anon": 4096, "active_file": 4096, "cache": 20975616, "inactive_anon": 57344,
     "inactive_file": 20971520, "rss": 61440, "total_cache": 20975616,
     "total_inactive_file": 20971520, "total_rss": 61440, "unevictable": 0}},
 "pids_stats": {"current": 1},
 "blkio_stats": {"io_service_bytes_recursive": [
   {"major": 8, "minor": 0, "op": "Read", "value": 4096},
   {"major": 8, "minor": 0, "op": "Write", "value": 8192},
   {"major": 8, "minor": 0, "op": "Sync", "value": 12288},
   {"major": 8, "minor": 0, "op": "Async", "value": 0},
   {"major": 8, "minor": 0, "op": "Discard", "value": 0},
   {"major": 8, "minor": 0, "op": "Total", "value": 12288},
   {"major": 8, "minor": 16, "op": "Read", "value": 1000}]},
 "networks": {"eth0": {"rx_bytes": 1500, "tx_bytes": 700, "rx_packets": 10, "tx_packets": 5},
              "eth1": {"rx_bytes": 500, "tx_bytes": 300}},
 "num_procs": 0, "storage_stats": {}
}"""

# cgroup v2 (Docker 20.10+ on a unified hierarchy): no total_* keys, lowercase blkio ops,
# no max_usage.
CGROUP_V2 = b"""{
 "id": "abc", "name": "/v2",
 "read": "2024-05-01T10:00:02.000000000Z", "preread": "2024-05-01T10:00:01.000000000Z",
 "cpu_stats": {"cpu_usage": {"total_usage": 3000000000, "usage_in_kernelmode": 1000000000,
   "usage_in_usermode": 2000000000}, "system_cpu_usage": 100000000000, "online_cpus": 4},
 "precpu_stats": {"cpu_usage": {"total_usage": 1000000000}, "system_cpu_usage": 96000000000,
   "online_cpus": 4},
 "memory_stats": {"usage": 50000000, "limit": 100000000,
   "stats": {"anon": 30000000, "file": 20000000, "active_file": 5000000,
     "inactive_file": 15000000, "slab": 100000}},
 "pids_stats": {"current": 7, "limit": 4096},
 "blkio_stats": {"io_service_bytes_recursive": [
   {"major": 259, "minor": 0, "op": "read", "value": 2048},
   {"major": 259, "minor": 0, "op": "write", "value": 1024}],
   "io_serviced_recursive": null},
 "networks": {"eth0": {"rx_bytes": 10, "tx_bytes": 20}}
}"""

WINDOWS = b"""{
 "id": "win", "name": "/w", "os_type": "windows",
 "read": "2024-05-01T10:00:02.0000000Z", "preread": "2024-05-01T10:00:01.0000000Z",
 "num_procs": 2,
 "cpu_stats": {"cpu_usage": {"total_usage": 15000000}},
 "precpu_stats": {"cpu_usage": {"total_usage": 5000000}},
 "memory_stats": {"commitbytes": 300, "commitpeakbytes": 400, "privateworkingset": 123456},
 "storage_stats": {"read_size_bytes": 11, "write_size_bytes": 22}
}"""


def decode(raw: bytes, **changes: object) -> ContainerStatsResponse:
    sample = msgspec.json.decode(raw, type=ContainerStatsResponse)
    return msgspec.structs.replace(sample, **changes) if changes else sample


def test_cpu_percent_cgroup_v1_matches_docker_stats() -> None:
    sample = decode(CGROUP_V1)
    # (831375369 - 513619873) / (2975240000000 - 2973280000000) * 2 * 100
    assert stats.cpu_percent(sample) == pytest.approx(32.42403020408163)


def test_cpu_percent_cgroup_v2_and_falls_back_to_percpu_count() -> None:
    sample = decode(CGROUP_V2)
    assert stats.cpu_percent(sample) == pytest.approx(2e9 / 4e9 * 4 * 100)  # 200 %: two cores
    assert sample.cpu_stats is not None and sample.cpu_stats.cpu_usage is not None
    no_online = msgspec.structs.replace(
        sample.cpu_stats,
        online_cpus=None,
        cpu_usage=msgspec.structs.replace(sample.cpu_stats.cpu_usage, percpu_usage=[1, 2]),
    )
    assert stats.cpu_percent(decode(CGROUP_V2, cpu_stats=no_online)) == pytest.approx(100.0)


def test_cpu_percent_from_two_one_shot_samples() -> None:
    first = decode(CGROUP_V1)
    assert first.precpu_stats is not None
    # A one-shot sample has empty precpu stats; the previous sample is the baseline.
    earlier = decode(CGROUP_V1, cpu_stats=first.precpu_stats, precpu_stats=None)
    later = decode(CGROUP_V1, precpu_stats=None)
    # Without a baseline the use is unknown: the empty precpu_stats would compare the
    # container's whole life with the host's uptime.
    assert stats.cpu_percent(later) == 0.0
    assert stats.cpu_percent(later, previous=earlier) == pytest.approx(32.42403020408163)


def test_cpu_percent_is_zero_without_progress_or_data() -> None:
    sample = decode(CGROUP_V1)
    assert stats.cpu_percent(sample, previous=sample) == 0.0
    assert stats.cpu_percent(ContainerStatsResponse()) == 0.0


def test_memory_without_cache_cgroup_v1_uses_total_inactive_file() -> None:
    sample = decode(CGROUP_V1)
    assert stats.memory_usage(sample) == 21901312 - 20971520
    assert stats.memory_limit(sample) == 25276063744
    assert stats.memory_percent(sample) == pytest.approx(929792 / 25276063744 * 100)


def test_memory_without_cache_cgroup_v2_uses_inactive_file() -> None:
    sample = decode(CGROUP_V2)
    assert stats.memory_usage(sample) == 50000000 - 15000000
    assert stats.memory_percent(sample) == pytest.approx(35.0)


def test_memory_keeps_usage_when_the_cache_figure_is_not_smaller() -> None:
    sample = decode(CGROUP_V2)
    assert sample.memory_stats is not None
    odd = msgspec.structs.replace(
        sample.memory_stats, usage=100, stats={"inactive_file": 100}, limit=None
    )
    broken = decode(CGROUP_V2, memory_stats=odd)
    assert stats.memory_usage(broken) == 100
    assert stats.memory_percent(broken) == 0.0  # no limit: no percentage


def test_block_and_network_io_sum_entries_like_docker_stats() -> None:
    v1 = decode(CGROUP_V1)
    assert stats.block_io(v1) == (4096 + 1000, 8192)  # Sync/Async/Total/Discard skipped
    assert stats.network_io(v1) == (2000, 1000)
    v2 = decode(CGROUP_V2)
    assert stats.block_io(v2) == (2048, 1024)
    assert stats.network_io(v2) == (10, 20)
    assert stats.pids(v2) == 7
    empty = ContainerStatsResponse()
    assert stats.block_io(empty) == (0, 0) and stats.network_io(empty) == (0, 0)


def test_windows_samples() -> None:
    sample = decode(WINDOWS)
    # 10,000,000 (100 ns units) used over 1 s * 2 procs = 20,000,000 possible: 50 %.
    assert stats.cpu_percent(sample) == pytest.approx(50.0)
    assert stats.memory_usage(sample) == 123456
    assert stats.memory_percent(sample) == 0.0
    assert stats.block_io(sample) == (11, 22)
    assert stats.pids(sample) == 2
    one_shot = decode(WINDOWS, preread="0001-01-01T00:00:00Z", precpu_stats=None)
    assert stats.cpu_percent(one_shot) == 0.0


def test_summarize_gives_a_docker_stats_row() -> None:
    row = stats.summarize(decode(CGROUP_V1))
    assert row == stats.StatsSummary(
        id="606852cd1a67",
        name="flamboyant_snyder",
        cpu_percent=pytest.approx(32.42403020408163),  # type: ignore[arg-type]
        memory_usage=929792,
        memory_limit=25276063744,
        memory_percent=pytest.approx(929792 / 25276063744 * 100),  # type: ignore[arg-type]
        net_rx=2000,
        net_tx=1000,
        block_read=5096,
        block_write=8192,
        pids=1,
    )


def test_io_rates_between_consecutive_samples() -> None:
    earlier = decode(CGROUP_V2)
    assert earlier.networks is not None
    later = decode(
        CGROUP_V2,
        read="2024-05-01T10:00:04.000000000Z",
        networks={
            "eth0": msgspec.structs.replace(earlier.networks["eth0"], rx_bytes=410, tx_bytes=20)
        },
    )
    rates = stats.io_rates(earlier, later)
    assert rates.interval == pytest.approx(2.0)
    assert rates.net_rx_per_s == pytest.approx(200.0)
    assert rates.net_tx_per_s == 0.0
    assert rates.block_read_per_s == 0.0
    # A counter that went down (the container restarted) is not a negative rate.
    assert stats.io_rates(later, decode(CGROUP_V2, read=later.read)).interval == 0.0
    restarted = decode(CGROUP_V2, read="2024-05-01T10:00:05Z")
    assert stats.io_rates(later, restarted).net_rx_per_s == 0.0


@pytest.mark.parametrize(
    ("stamp", "nanos"),
    [
        ("2024-05-01T10:00:01.5Z", 1714557601_500000000),
        ("2024-05-01T10:00:01.123456789Z", 1714557601_123456789),
        ("2024-05-01T12:00:01+02:00", 1714557601_000000000),
        ("2024-05-01T08:30:01.000000001-01:30", 1714557601_000000001),
        ("0001-01-01T00:00:00Z", None),  # a stopped container
        ("", None),
        (None, None),
        ("yesterday", None),
        ("2024-02-30T00:00:00Z", None),
    ],
)
def test_read_time_nanos(stamp: str | None, nanos: int | None) -> None:
    assert stats.read_time_nanos(stamp) == nanos
