"""Response decoding: bytes to result, our msgspec models against aiodocker, no network.

Bodies are built the way a Docker 20.10 daemon sends them (compact Go JSON, nulls, zero
times): a ContainerList of 200 containers and one full ContainerInspect.

- ours: a cached `msgspec.json.Decoder(list[ContainerSummary])` (or the inspect model)
  turns the body into typed models; also shown, the one-off `msgspec.json.decode(type=...)`.
- aiodocker 0.27: `Docker._query_json` -> `utils.parse_result` (Content-Type parsed) ->
  aiohttp `ClientResponse.json()` (Content-Type checked, body stripped, decoded to str,
  `json.loads`); then `containers.list()` wraps every dict as `DockerContainer(docker, **x)`
  and `container.show()` returns the dict. The same steps run here on the same bytes,
  calling aiodocker's and aiohttp's own helpers.

Each figure is the best per-call CPU time (`time.process_time`, so other processes on a shared
machine do not count) over several timed runs, the contenders' runs interleaved.

    python -m benchmarks.bench_decode [--repeat 7]
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import time
import timeit
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import aiodocker
import msgspec
from aiodocker.containers import DockerContainer
from aiodocker.utils import parse_content_type
from aiohttp import hdrs
from aiohttp.client_reqrep import _is_expected_content_type
from multidict import CIMultiDict, CIMultiDictProxy

from aiodocker_engine.models import ContainerInspectResponse, ContainerSummary

if TYPE_CHECKING:
    from aiodocker import Docker

HEADERS = CIMultiDictProxy(
    CIMultiDict(
        {
            "Api-Version": "1.41",
            "Content-Type": "application/json",
            "Docker-Experimental": "false",
            "Ostype": "linux",
            "Server": "Docker/20.10.24+dfsg1 (linux)",
        }
    )
)
# aiodocker's containers only keep a reference to the client; nothing here touches it.
NO_CLIENT = cast("Docker", None)


def hexid(seed: int, length: int = 64) -> str:
    return (f"{seed:08x}" * (length // 8 + 1))[:length]


def endpoint(i: int, network: str) -> dict[str, Any]:
    return {
        "IPAMConfig": None,
        "Links": None,
        "Aliases": None,
        "NetworkID": hexid(0xBEEF0000 + len(network)),
        "EndpointID": hexid(0xE0000000 + i),
        "Gateway": "172.17.0.1",
        "IPAddress": f"172.17.{i // 250}.{i % 250 + 2}",
        "IPPrefixLen": 16,
        "IPv6Gateway": "",
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "MacAddress": f"02:42:ac:11:{i // 250:02x}:{i % 250 + 2:02x}",
        "DriverOpts": None,
    }


def container_summary(i: int) -> dict[str, Any]:
    """One `GET /containers/json?all=1` item as dockerd 20.10 writes it."""
    running = i % 3 != 0
    networks = {"bridge": endpoint(i, "bridge")}
    if i % 4 == 0:
        networks["backend"] = endpoint(i, "backend")
    ports: list[dict[str, Any]] = []
    if i % 2 == 0:
        ports = [
            {"IP": "0.0.0.0", "PrivatePort": 8080, "PublicPort": 30000 + i, "Type": "tcp"},
            {"IP": "::", "PrivatePort": 8080, "PublicPort": 30000 + i, "Type": "tcp"},
            {"PrivatePort": 9090, "Type": "tcp"},
        ]
    mounts: list[dict[str, Any]] = []
    if i % 5 == 0:
        mounts = [
            {
                "Type": "volume",
                "Name": hexid(0xF0000000 + i),
                "Source": f"/var/lib/docker/volumes/{hexid(0xF0000000 + i)}/_data",
                "Destination": "/data",
                "Driver": "local",
                "Mode": "",
                "RW": True,
                "Propagation": "",
            },
            {
                "Type": "bind",
                "Source": "/etc/app/config.yml",
                "Destination": "/config.yml",
                "Mode": "ro",
                "RW": False,
                "Propagation": "rprivate",
            },
        ]
    return {
        "Id": hexid(0xC0000000 + i),
        "Names": [f"/service-{i}"],
        "Image": f"registry.example.com/team/service-{i % 7}:1.{i % 13}.0",
        "ImageID": "sha256:" + hexid(0xA0000000 + i % 7),
        "Command": "/docker-entrypoint.sh --port 8080 --log-level info",
        "Created": 1683195072 - i * 60,
        "Ports": ports,
        "Labels": {
            "com.docker.compose.project": "shop",
            "com.docker.compose.service": f"service-{i % 7}",
            "com.docker.compose.container-number": str(i),
            "com.docker.compose.version": "2.17.2",
            "org.opencontainers.image.revision": hexid(0x1234 + i, 40),
        },
        "State": "running" if running else "exited",
        "Status": "Up 2 hours" if running else "Exited (0) 3 hours ago",
        "HostConfig": {"NetworkMode": "shop_default"},
        "NetworkSettings": {"Networks": networks},
        "Mounts": mounts,
    }


def container_inspect() -> dict[str, Any]:
    """`GET /containers/{id}/json` as dockerd 20.10 writes it, every field present."""
    cid = hexid(0xC0000001)
    return {
        "Id": cid,
        "Created": "2023-05-04T10:11:12.123456789Z",
        "Path": "/docker-entrypoint.sh",
        "Args": ["--port", "8080", "--log-level", "info"],
        "State": {
            "Status": "running",
            "Running": True,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "Dead": False,
            "Pid": 4242,
            "ExitCode": 0,
            "Error": "",
            "StartedAt": "2023-05-04T10:11:13.52093412Z",
            "FinishedAt": "0001-01-01T00:00:00Z",
            "Health": {
                "Status": "healthy",
                "FailingStreak": 0,
                "Log": [
                    {
                        "Start": f"2023-05-04T10:{m:02d}:00.1Z",
                        "End": f"2023-05-04T10:{m:02d}:00.2Z",
                        "ExitCode": 0,
                        "Output": "ok\n",
                    }
                    for m in range(5)
                ],
            },
        },
        "Image": "sha256:" + hexid(0xA0000001),
        "ResolvConfPath": f"/var/lib/docker/containers/{cid}/resolv.conf",
        "HostnamePath": f"/var/lib/docker/containers/{cid}/hostname",
        "HostsPath": f"/var/lib/docker/containers/{cid}/hosts",
        "LogPath": f"/var/lib/docker/containers/{cid}/{cid}-json.log",
        "Name": "/shop-service-1",
        "RestartCount": 0,
        "Driver": "overlay2",
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "docker-default",
        "ExecIDs": None,
        "HostConfig": {
            "Binds": ["/etc/app/config.yml:/config.yml:ro"],
            "ContainerIDFile": "",
            "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "3"}},
            "NetworkMode": "shop_default",
            "PortBindings": {"8080/tcp": [{"HostIp": "", "HostPort": "30001"}]},
            "RestartPolicy": {"Name": "unless-stopped", "MaximumRetryCount": 0},
            "AutoRemove": False,
            "VolumeDriver": "",
            "VolumesFrom": None,
            "CapAdd": None,
            "CapDrop": None,
            "CgroupnsMode": "private",
            "Dns": [],
            "DnsOptions": [],
            "DnsSearch": [],
            "ExtraHosts": None,
            "GroupAdd": None,
            "IpcMode": "private",
            "Cgroup": "",
            "Links": None,
            "OomScoreAdj": 0,
            "PidMode": "",
            "Privileged": False,
            "PublishAllPorts": False,
            "ReadonlyRootfs": False,
            "SecurityOpt": None,
            "UTSMode": "",
            "UsernsMode": "",
            "ShmSize": 67108864,
            "Runtime": "runc",
            "ConsoleSize": [0, 0],
            "Isolation": "",
            "CpuShares": 0,
            "Memory": 536870912,
            "NanoCpus": 500000000,
            "CgroupParent": "",
            "BlkioWeight": 0,
            "BlkioWeightDevice": None,
            "BlkioDeviceReadBps": None,
            "BlkioDeviceWriteBps": None,
            "BlkioDeviceReadIOps": None,
            "BlkioDeviceWriteIOps": None,
            "CpuPeriod": 0,
            "CpuQuota": 0,
            "CpuRealtimePeriod": 0,
            "CpuRealtimeRuntime": 0,
            "CpusetCpus": "",
            "CpusetMems": "",
            "Devices": None,
            "DeviceCgroupRules": None,
            "DeviceRequests": None,
            "KernelMemory": 0,
            "KernelMemoryTCP": 0,
            "MemoryReservation": 0,
            "MemorySwap": 1073741824,
            "MemorySwappiness": None,
            "OomKillDisable": False,
            "PidsLimit": None,
            "Ulimits": None,
            "CpuCount": 0,
            "CpuPercent": 0,
            "IOMaximumIOps": 0,
            "IOMaximumBandwidth": 0,
            "MaskedPaths": [
                "/proc/asound",
                "/proc/acpi",
                "/proc/kcore",
                "/proc/keys",
                "/proc/latency_stats",
                "/proc/timer_list",
                "/proc/timer_stats",
                "/proc/sched_debug",
                "/proc/scsi",
                "/sys/firmware",
            ],
            "ReadonlyPaths": [
                "/proc/bus",
                "/proc/fs",
                "/proc/irq",
                "/proc/sys",
                "/proc/sysrq-trigger",
            ],
        },
        "GraphDriver": {
            "Data": {
                "LowerDir": ":".join(
                    f"/var/lib/docker/overlay2/{hexid(0xD0000000 + n)}/diff" for n in range(6)
                ),
                "MergedDir": f"/var/lib/docker/overlay2/{hexid(0xD1000000)}/merged",
                "UpperDir": f"/var/lib/docker/overlay2/{hexid(0xD1000000)}/diff",
                "WorkDir": f"/var/lib/docker/overlay2/{hexid(0xD1000000)}/work",
            },
            "Name": "overlay2",
        },
        "Mounts": container_summary(0)["Mounts"],
        "Config": {
            "Hostname": cid[:12],
            "Domainname": "",
            "User": "app",
            "AttachStdin": False,
            "AttachStdout": False,
            "AttachStderr": False,
            "ExposedPorts": {"8080/tcp": {}, "9090/tcp": {}},
            "Tty": False,
            "OpenStdin": False,
            "StdinOnce": False,
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "APP_ENV=production",
                "APP_PORT=8080",
                "LANG=C.UTF-8",
            ],
            "Cmd": ["--port", "8080", "--log-level", "info"],
            "Healthcheck": {
                "Test": ["CMD", "/healthcheck"],
                "Interval": 30000000000,
                "Timeout": 5000000000,
                "Retries": 3,
            },
            "Image": "registry.example.com/team/service-1:1.1.0",
            "Volumes": {"/data": {}},
            "WorkingDir": "/app",
            "Entrypoint": ["/docker-entrypoint.sh"],
            "OnBuild": None,
            "Labels": container_summary(1)["Labels"],
            "StopSignal": "SIGTERM",
        },
        "NetworkSettings": {
            "Bridge": "",
            "SandboxID": hexid(0x5A000000),
            "HairpinMode": False,
            "LinkLocalIPv6Address": "",
            "LinkLocalIPv6PrefixLen": 0,
            "Ports": {
                "8080/tcp": [
                    {"HostIp": "0.0.0.0", "HostPort": "30001"},
                    {"HostIp": "::", "HostPort": "30001"},
                ],
                "9090/tcp": None,
            },
            "SandboxKey": "/var/run/docker/netns/" + hexid(0x5A000000, 12),
            "SecondaryIPAddresses": None,
            "SecondaryIPv6Addresses": None,
            "EndpointID": "",
            "Gateway": "",
            "GlobalIPv6Address": "",
            "GlobalIPv6PrefixLen": 0,
            "IPAddress": "",
            "IPPrefixLen": 0,
            "IPv6Gateway": "",
            "MacAddress": "",
            "Networks": {
                "shop_default": endpoint(1, "shop_default") | {"Aliases": ["service-1", cid[:12]]},
                "backend": endpoint(1, "backend"),
            },
        },
    }


def body(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def aiodocker_query_json(data: bytes, headers: CIMultiDictProxy[str]) -> Any:
    """What aiodocker's `_query_json` does with a JSON response body, minus the socket."""
    # aiodocker.utils.parse_result: pick the reader from the Content-Type.
    content_type = headers.get("content-type")
    assert content_type is not None
    _, sub_type, _ = parse_content_type(content_type)
    assert sub_type == "json"
    # aiohttp ClientResponse.json(encoding="utf-8"): check, strip, decode, json.loads.
    if not _is_expected_content_type(
        headers.get(hdrs.CONTENT_TYPE, "").lower(), "application/json"
    ):
        raise AssertionError("unexpected content type")
    stripped = data.strip()
    if not stripped:
        return None
    return json.loads(stripped.decode("utf-8"))


def aiodocker_list(data: bytes) -> list[DockerContainer]:
    """`await docker.containers.list(all=True)`, from the body on."""
    return [DockerContainer(NO_CLIENT, **x) for x in aiodocker_query_json(data, HEADERS)]


def aiodocker_show(data: bytes) -> dict[str, Any]:
    """`await container.show()`, from the body on: the dict itself."""
    result: dict[str, Any] = aiodocker_query_json(data, HEADERS)
    return result


LIST_DECODER = msgspec.json.Decoder(list[ContainerSummary])
INSPECT_DECODER = msgspec.json.Decoder(ContainerInspectResponse)


def ours_list(data: bytes) -> list[ContainerSummary]:
    return LIST_DECODER.decode(data)


def ours_inspect(data: bytes) -> ContainerInspectResponse:
    return INSPECT_DECODER.decode(data)


def ours_list_uncached(data: bytes) -> list[ContainerSummary]:
    return msgspec.json.decode(data, type=list[ContainerSummary])


def ours_inspect_uncached(data: bytes) -> ContainerInspectResponse:
    return msgspec.json.decode(data, type=ContainerInspectResponse)


def best_times(fns: list[Callable[[bytes], object]], data: bytes, repeat: int) -> list[float]:
    """Seconds per call of each function: the best of `repeat` rounds of auto-sized loops.
    Rounds interleave the functions, so a noisy neighbour slows them all alike."""
    timers = [timeit.Timer(functools.partial(fn, data), timer=time.process_time) for fn in fns]
    numbers = [timer.autorange()[0] for timer in timers]
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, (timer, number) in enumerate(zip(timers, numbers, strict=True)):
            best[i] = min(best[i], timer.timeit(number) / number)
    return best


def check(list_body: bytes, inspect_body: bytes) -> None:
    """Both sides read the same data before anything is timed."""
    ours = ours_list(list_body)
    theirs = aiodocker_list(list_body)
    assert len(ours) == len(theirs) == 200
    assert [c.id for c in ours] == [c.id for c in theirs]
    inspect = ours_inspect(inspect_body)
    assert inspect.id == aiodocker_show(inspect_body)["Id"]
    assert inspect.network_settings is not None and inspect.network_settings.networks


def run(repeat: int) -> list[tuple[str, int, float, float, float]]:
    list_body = body([container_summary(i) for i in range(200)])
    inspect_body = body(container_inspect())
    check(list_body, inspect_body)
    rows = []
    for name, data, theirs, ours, uncached in [
        ("ContainerList, 200 containers", list_body, aiodocker_list, ours_list, ours_list_uncached),
        ("ContainerInspect", inspect_body, aiodocker_show, ours_inspect, ours_inspect_uncached),
    ]:
        base, cached, oneoff = best_times([theirs, ours, uncached], data, repeat)
        rows.append((name, len(data), base, cached, oneoff))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per figure (best kept)")
    args = parser.parse_args(argv)
    rows = run(args.repeat)
    print(
        f"Decoding response bodies — Python {platform.python_version()}, "
        f"msgspec {msgspec.__version__}, aiodocker {aiodocker.__version__}"
    )
    print()
    header = (
        f"{'body':<30} {'bytes':>7} {'aiodocker':>11} {'ours':>11} {'speed-up':>9}"
        f" {'ours, decode(type=)':>20} {'speed-up':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, size, base, ours, uncached in rows:
        print(
            f"{name:<30} {size:>7} {base * 1e6:>9.1f}µs {ours * 1e6:>9.1f}µs {base / ours:>8.1f}x"
            f" {uncached * 1e6:>18.1f}µs {base / uncached:>8.1f}x"
        )
    print()
    print("ours: cached msgspec.json.Decoder into the generated models;")
    print("aiodocker: parse_result + ClientResponse.json + DockerContainer(**item) for lists.")


if __name__ == "__main__":
    main()
