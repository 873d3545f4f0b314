"""Container resource usage from stats samples, computed the way `docker stats` shows it.

Pure functions over `models.ContainerStatsResponse` (no I/O). They follow the docker
CLI (cli/command/container/stats_helpers.go):

1. CPU %: the container's CPU time delta over the host's CPU time delta between two
   readings, times the number of online CPUs, times 100 (so one busy core is 100 %).
   The two readings are `precpu_stats` and `cpu_stats` of one streamed sample, or
   `cpu_stats` of two consecutive samples when `previous` is given (one-shot samples
   have an empty `precpu_stats`). Windows: CPU time in 100 ns units over the wall time
   between `preread` and `read`, times the number of processors.
2. Memory use excludes reclaimable page cache, like cadvisor and the CLI since 20.10:
   `usage - total_inactive_file` on cgroup v1, `usage - inactive_file` on cgroup v2
   (each only when smaller than usage), else `usage`. Windows: the private working set.
3. Network I/O: bytes received and sent, summed over the container's interfaces.
   Block I/O: bytes read and written, summed over `io_service_bytes_recursive` entries
   whose op starts with r/R or w/W ("Read"/"Write" on cgroup v1, "read"/"write" on v2;
   "Total", "Sync", "Async" are skipped). Windows: the storage stats.
4. Rates (`io_rates`) divide counter deltas by the time between the samples' `read`
   stamps; a counter that went down (the container restarted) counts as zero.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import msgspec

from aiodocker_engine.models import ContainerCPUStats, ContainerStatsResponse

__all__ = [
    "IORates",
    "StatsSummary",
    "block_io",
    "cpu_percent",
    "io_rates",
    "memory_limit",
    "memory_percent",
    "memory_usage",
    "network_io",
    "pids",
    "read_time_nanos",
    "summarize",
]

_NS = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$"
)


class StatsSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One row of `docker stats`: cumulative I/O counters, CPU %, memory without cache."""

    id: str
    name: str
    cpu_percent: float
    memory_usage: int
    memory_limit: int
    memory_percent: float
    net_rx: int
    net_tx: int
    block_read: int
    block_write: int
    pids: int


class IORates(msgspec.Struct, frozen=True, kw_only=True):
    """Network and block I/O in bytes per second between two samples `interval` s apart."""

    interval: float
    net_rx_per_s: float
    net_tx_per_s: float
    block_read_per_s: float
    block_write_per_s: float


def _is_windows(sample: ContainerStatsResponse) -> bool:
    return (sample.os_type or "").lower() == "windows"


def read_time_nanos(stamp: str | None) -> int | None:
    """Nanoseconds since the epoch of an RFC 3339 stamp such as `read`; None when absent.

    A stopped container reports "0001-01-01T00:00:00Z"; that gives None too.
    """
    if not stamp:
        return None
    m = _TIMESTAMP.match(stamp)
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = m.groups()
    if int(year) <= 1:
        return None
    try:
        y, mo, d, h, mi, sec = (int(p) for p in (year, month, day, hour, minute, second))
        moment = datetime(y, mo, d, h, mi, sec, tzinfo=timezone.utc)
    except ValueError:
        return None
    delta = moment - _EPOCH
    nanos = (delta.days * 86_400 + delta.seconds) * _NS
    if fraction:
        nanos += int(fraction.ljust(9, "0"))
    if sign:
        offset = (int(off_h) * 3600 + int(off_m) * 60) * _NS
        nanos -= offset if sign == "+" else -offset
    return nanos


def _total(cpu: ContainerCPUStats | None) -> int:
    return (cpu.cpu_usage.total_usage or 0) if cpu and cpu.cpu_usage else 0


def cpu_percent(
    sample: ContainerStatsResponse, previous: ContainerStatsResponse | None = None
) -> float:
    """CPU use in percent of one core (200.0 is two busy cores); 0.0 when unknown.

    Compares `sample.cpu_stats` with `previous.cpu_stats` when `previous` is given,
    else with `sample.precpu_stats` (empty in one-shot samples: pass `previous`, or
    get 0.0).
    """
    current = sample.cpu_stats
    base = previous.cpu_stats if previous is not None else sample.precpu_stats
    if current is None:
        return 0.0
    if _is_windows(sample):
        if previous is not None:
            start, end = read_time_nanos(previous.read), read_time_nanos(sample.read)
        else:
            start, end = read_time_nanos(sample.preread), read_time_nanos(sample.read)
        if start is None or end is None or start <= 0:
            return 0.0  # a one-shot sample's preread is Go's zero time
        possible = (end - start) // 100 * (sample.num_procs or 0)
        used = _total(current) - _total(base)
        return used / possible * 100.0 if possible > 0 else 0.0
    if base is None or not base.system_cpu_usage:
        # A one-shot sample's empty precpu_stats: comparing with it would measure the
        # container's whole life against the host's uptime.
        return 0.0
    cpu_delta = _total(current) - _total(base)
    system_delta = (current.system_cpu_usage or 0) - base.system_cpu_usage
    online = current.online_cpus or 0
    if not online and current.cpu_usage and current.cpu_usage.percpu_usage:
        online = len(current.cpu_usage.percpu_usage)
    if system_delta > 0 and cpu_delta > 0:
        return cpu_delta / system_delta * online * 100.0
    return 0.0


def memory_usage(sample: ContainerStatsResponse) -> int:
    """Memory in use, in bytes, without the inactive file cache (rule 2)."""
    mem = sample.memory_stats
    if mem is None:
        return 0
    if _is_windows(sample):
        return mem.privateworkingset or 0
    usage = mem.usage or 0
    stats = mem.stats or {}
    v1 = stats.get("total_inactive_file")
    if "total_inactive_file" in stats and v1 is not None and v1 < usage:
        return usage - v1
    v2 = stats.get("inactive_file") or 0
    if v2 < usage:
        return usage - v2
    return usage


def memory_limit(sample: ContainerStatsResponse) -> int:
    """The memory limit in bytes (the host's memory when the container has none); 0 if unknown."""
    mem = sample.memory_stats
    return (mem.limit or 0) if mem is not None else 0


def memory_percent(sample: ContainerStatsResponse) -> float:
    """`memory_usage` as a percentage of `memory_limit` (0.0 without a limit, e.g. Windows)."""
    limit = memory_limit(sample)
    return memory_usage(sample) / limit * 100.0 if limit else 0.0


def network_io(sample: ContainerStatsResponse) -> tuple[int, int]:
    """(bytes received, bytes sent) since the container started, over all its interfaces."""
    rx = tx = 0
    for net in (sample.networks or {}).values():
        rx += net.rx_bytes or 0
        tx += net.tx_bytes or 0
    return rx, tx


def block_io(sample: ContainerStatsResponse) -> tuple[int, int]:
    """(bytes read, bytes written) from block devices since the container started."""
    if _is_windows(sample):
        storage = sample.storage_stats
        if storage is None:
            return 0, 0
        return storage.read_size_bytes or 0, storage.write_size_bytes or 0
    read = write = 0
    entries = sample.blkio_stats.io_service_bytes_recursive if sample.blkio_stats else None
    for entry in entries or []:
        op = (entry.op or "")[:1]
        if op in ("r", "R"):
            read += entry.value or 0
        elif op in ("w", "W"):
            write += entry.value or 0
    return read, write


def pids(sample: ContainerStatsResponse) -> int:
    """Number of processes (Linux pids cgroup; Windows: `num_procs`)."""
    if _is_windows(sample):
        return sample.num_procs or 0
    return (sample.pids_stats.current or 0) if sample.pids_stats else 0


def summarize(
    sample: ContainerStatsResponse, previous: ContainerStatsResponse | None = None
) -> StatsSummary:
    """Everything `docker stats` shows for one sample (`previous`: see `cpu_percent`)."""
    rx, tx = network_io(sample)
    read, write = block_io(sample)
    return StatsSummary(
        id=sample.id or "",
        name=(sample.name or "").lstrip("/"),
        cpu_percent=cpu_percent(sample, previous),
        memory_usage=memory_usage(sample),
        memory_limit=memory_limit(sample),
        memory_percent=memory_percent(sample),
        net_rx=rx,
        net_tx=tx,
        block_read=read,
        block_write=write,
        pids=pids(sample),
    )


def io_rates(previous: ContainerStatsResponse, sample: ContainerStatsResponse) -> IORates:
    """Bytes per second of network and block I/O between two samples of one container.

    The interval comes from the samples' `read` stamps (the daemon's clock); when it
    is unknown or not positive, every rate is 0.0.
    """
    start, end = read_time_nanos(previous.read), read_time_nanos(sample.read)
    interval = (end - start) / _NS if start is not None and end is not None else 0.0
    if interval <= 0:
        return IORates(
            interval=0.0,
            net_rx_per_s=0.0,
            net_tx_per_s=0.0,
            block_read_per_s=0.0,
            block_write_per_s=0.0,
        )
    (rx0, tx0), (rx1, tx1) = network_io(previous), network_io(sample)
    (r0, w0), (r1, w1) = block_io(previous), block_io(sample)
    return IORates(
        interval=interval,
        net_rx_per_s=max(rx1 - rx0, 0) / interval,
        net_tx_per_s=max(tx1 - tx0, 0) / interval,
        block_read_per_s=max(r1 - r0, 0) / interval,
        block_write_per_s=max(w1 - w0, 0) / interval,
    )
