"""Demultiplexing throughput over a real Unix socket: this client vs aiodocker vs a recv floor.

A frame server runs in a separate process and answers like a Docker 20.10 daemon: an
inspect (`{"Config": {"Tty": false}}`) and two ways of sending pre-built multiplexed
frames (100 B or 16 KiB payloads) until the byte budget is sent:

- attach: `101 UPGRADED`, then the raw frames;
- logs: a chunked HTTP body with one chunk per frame, as the daemon flushes every log
  message (and, as on API 1.41, no Content-Type).

Contenders read the same stream in this process:

- aiodocker_engine `containers.attach(...)` / `containers.logs(..., follow=True)` iterated
  frame by frame (asyncio, trio);
- aiodocker's `container.attach(...)` read with `read_out()`, and `container.log(follow=True)`
  (asyncio);
- the floor: a blocking socket draining with `recv_into` a preallocated buffer, no parsing
  (its rate is counted in payload bytes too, once it has read the whole stream).

Every run must deliver every payload byte (else the benchmark stops: a contender that
quits early would look fast), and one untimed run of each contender on each column comes
first.

Each round runs every contender on every column back to back. The machines are shared
and noisy, so ratios are what matter: the report gives the ratio of the best rates over
`--rounds` rounds and, steadier, the median of the ratios taken within each round. It
also gives the CPU time this process spent per GiB (the frame server is another
process), which waits on other tenants do not inflate.

    python -m benchmarks.bench_demux [--mib-large 1024] [--mib-small 32] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import socket
import statistics
import struct
import tempfile
import threading
import time
from collections.abc import Callable

import aiodocker
import anyio

from aiodocker_engine import Docker

INSPECT = b'{"Id":"bench","Config":{"Tty":false}}'
UPGRADE = (
    b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    b"Connection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: 1.41\r\n\r\n"
)


LOGS_HEAD = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nTransfer-Encoding: chunked\r\n\r\n"
MODES = ("attach", "logs")


def _frame(payload: int) -> bytes:
    return struct.pack(">BxxxL", 1, payload) + b"x" * payload


def _block(unit: bytes, block: int = 4 * 1024 * 1024) -> bytes:
    return unit * max(1, block // len(unit))


def _send_budget(conn: socket.socket, unit: bytes, budget: int) -> None:
    """Send whole `unit`s until about `budget` bytes of frames went out."""
    block = memoryview(_block(unit))
    left = budget // len(unit) * len(unit)
    while left > 0:
        part = block[: min(len(block), left)]
        conn.sendall(part)
        left -= len(part)


def _serve_connection(conn: socket.socket, budgets: dict[int, int]) -> None:
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].decode()
            method, target, _ = line.split(" ", 2)
            if "/_ping" in target:
                conn.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK")
            elif method == "GET" and target.endswith("/json"):
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(INSPECT), INSPECT)
                )
            elif "/attach" in target or "/logs" in target:
                payload = int(target.split("/containers/", 1)[1].split("/", 1)[0])
                frame = _frame(payload)
                if "/attach" in target:
                    conn.sendall(UPGRADE)
                    _send_budget(conn, frame, budgets[payload])
                else:
                    conn.sendall(LOGS_HEAD)
                    chunk = b"%x\r\n%s\r\n" % (len(frame), frame)
                    # The budget counts frame bytes, as for attach.
                    _send_budget(conn, chunk, budgets[payload] * len(chunk) // len(frame))
                    conn.sendall(b"0\r\n\r\n")
                return
            else:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    except OSError:
        return
    finally:
        conn.close()


def frame_server(path: str, budgets: dict[int, int]) -> None:
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(64)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_serve_connection, args=(conn, budgets), daemon=True).start()


Runner = Callable[[str, int, str], int]
_budgets: dict[int, int] = {}  # the frame budgets, known to the floor's count


def _frames_sent(payload: int, mode: str, budget: int) -> int:
    """How many frames the server sends for a budget (see `_send_budget`)."""
    frame = len(_frame(payload))
    if mode == "attach":
        return budget // frame
    chunk = len(b"%x\r\n" % frame) + frame + 2
    return budget * chunk // frame // chunk


def _payload_bytes(payload: int, mode: str, budget: int) -> int:
    return _frames_sent(payload, mode, budget) * payload


def _stream_bytes(payload: int, mode: str, budget: int) -> int:
    frames = _frames_sent(payload, mode, budget)
    frame = len(_frame(payload))
    if mode == "attach":
        return frames * frame
    return frames * (len(b"%x\r\n" % frame) + frame + 2) + len(b"0\r\n\r\n")


def ours(backend: str) -> Runner:
    def run(path: str, payload: int, mode: str) -> int:
        async def main() -> int:
            total = 0
            async with Docker(f"unix://{path}", api_version="1.41") as docker:
                if mode == "attach":
                    stream = docker.containers.attach(str(payload), tty=False)
                else:
                    stream = docker.containers.logs(str(payload), tty=False, follow=True)
                async with stream:
                    async for frame in stream:
                        total += len(frame.data)
            return total

        return anyio.run(main, backend=backend)

    return run


def aiodocker_runner(path: str, payload: int, mode: str) -> int:
    async def main() -> int:
        docker = aiodocker.Docker(url=f"unix://{path}", api_version="v1.41")
        total = 0
        try:
            container = docker.containers.container(str(payload))
            if mode == "attach":
                async with container.attach(stdout=True, stderr=True) as stream:
                    while (message := await stream.read_out()) is not None:
                        total += len(message.data)
            else:
                # aiodocker hands out each frame decoded to str (all ASCII here).
                async for line in container.log(stdout=True, stderr=True, follow=True):
                    total += len(line)
        finally:
            await docker.close()
        return total

    return asyncio.run(main())


def floor(path: str, payload: int, mode: str) -> int:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    if mode == "attach":
        sock.sendall(b"POST /v1.41/containers/%d/attach HTTP/1.1\r\nHost: docker\r\n\r\n" % payload)
    else:
        sock.sendall(b"GET /v1.41/containers/%d/logs HTTP/1.1\r\nHost: docker\r\n\r\n" % payload)
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    total = 0
    while n := sock.recv_into(view):
        total += n
    sock.close()
    stream = total - len(UPGRADE if mode == "attach" else LOGS_HEAD)
    # Counted as payload, as the clients count: the floor reads the same stream, headers
    # and chunk lines included, but reports the payload bytes that stream carries.
    if stream != _stream_bytes(payload, mode, _budgets[payload]):
        return -stream  # cut short: _timed refuses it
    return _payload_bytes(payload, mode, _budgets[payload])


CONTENDERS: dict[str, Runner] = {
    "ours asyncio": ours("asyncio"),
    "ours trio": ours("trio"),
    "aiodocker": aiodocker_runner,
    "floor (recv_into)": floor,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib-large", type=int, default=1024)
    parser.add_argument("--mib-small", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    budgets = {16384: args.mib_large << 20, 100: args.mib_small << 20}
    _budgets.update(budgets)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frames.sock")
        server = multiprocessing.Process(target=frame_server, args=(path, budgets), daemon=True)
        server.start()
        while not os.path.exists(path):
            time.sleep(0.01)
        rates: dict[tuple[str, str, int], list[float]] = {}
        cpus: dict[tuple[str, str, int], list[float]] = {}
        try:
            # Not counted: each contender's first run pays for cold caches and lazy
            # imports (trio's, the first event loop), which would charge whoever is first.
            for mode in MODES:
                for payload in budgets:
                    for runner in CONTENDERS.values():
                        _timed(runner, path, payload, mode)
            for _ in range(args.rounds):
                for mode in MODES:
                    for payload in budgets:
                        for name, runner in CONTENDERS.items():
                            key = (name, mode, payload)
                            rate, cpu = _timed(runner, path, payload, mode)
                            rates.setdefault(key, []).append(rate)
                            cpus.setdefault(key, []).append(cpu)
        finally:
            server.kill()
    _report(rates, cpus, [(mode, payload) for mode in MODES for payload in budgets], args.rounds)


def _timed(runner: Runner, path: str, payload: int, mode: str) -> tuple[float, float]:
    """(MB/s, CPU seconds of this process per GiB) for one run."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    got = runner(path, payload, mode)
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    expected = _payload_bytes(payload, mode, _budgets[payload])
    if got != expected:
        # A contender that stops early would otherwise look fast.
        raise RuntimeError(f"{mode} {payload} B: read {got} payload bytes of {expected}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return got / elapsed / 1e6, cpu / (got / 2**30)


RATIOS = (
    ("ours asyncio / floor", "ours asyncio", "floor (recv_into)"),
    ("ours trio / floor", "ours trio", "floor (recv_into)"),
    ("ours asyncio / aiodocker", "ours asyncio", "aiodocker"),
    ("ours trio / aiodocker", "ours trio", "aiodocker"),
)


def _report(
    rates: dict[tuple[str, str, int], list[float]],
    cpus: dict[tuple[str, str, int], list[float]],
    columns: list[tuple[str, int]],
    rounds: int,
) -> None:
    names = {16384: "16 KiB", 100: "100 B"}
    header = " | ".join(f"{mode} {names[p]}" for mode, p in columns)
    rule = "|" + " --- |" * (len(columns) + 1)
    print(f"\ndemux throughput, MB/s of payload (best of {rounds})")
    print(f"| contender | {header} |\n{rule}")
    for name in CONTENDERS:
        cells = " | ".join(f"{max(rates[name, m, p]):,.0f}" for m, p in columns)
        print(f"| {name} | {cells} |")
    print(f"\nCPU seconds of this process per GiB (least of {rounds})")
    print(f"| contender | {header} |\n{rule}")
    for name in CONTENDERS:
        cells = " | ".join(f"{min(cpus[name, m, p]):.2f}" for m, p in columns)
        print(f"| {name} | {cells} |")
    print("\nthroughput ratios: of the bests; median of each round's (and its range)")
    print(f"| ratio | {header} |\n{rule}")
    for label, a, b in RATIOS:
        row: list[str] = []
        for m, p in columns:
            each = [x / y for x, y in zip(rates[a, m, p], rates[b, m, p], strict=True)]
            best = max(rates[a, m, p]) / max(rates[b, m, p])
            row.append(
                f"{best:.2f}x; {statistics.median(each):.2f}x ({min(each):.2f}-{max(each):.2f})"
            )
        print(f"| {label} | {' | '.join(row)} |")


if __name__ == "__main__":
    main()
