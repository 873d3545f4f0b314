"""Demultiplexing throughput over a real Unix socket: this client vs aiodocker vs a recv floor.

A frame server runs in a separate process and answers like a daemon: an inspect
(`{"Config": {"Tty": false}}`) and, for attach, `101 UPGRADED` followed by pre-built
multiplexed frames (100 B or 16 KiB payloads) until the byte budget is sent, then it
closes. Contenders read the same stream in this process:

- aiodocker_engine `containers.attach(...)` iterated frame by frame (asyncio, trio);
- aiodocker's `container.attach(...)` read with `read_out()` (asyncio);
- the floor: a blocking socket draining with `recv_into` a preallocated buffer, no parsing.

Rounds are interleaved and the best of `--rounds` kept; ratios are what matter.

    python -m benchmarks.bench_demux [--mib-large 1024] [--mib-small 32] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import struct
import tempfile
import threading
import time
from collections.abc import Callable

import anyio

from aiodocker_engine import Docker

INSPECT = b'{"Id":"bench","Config":{"Tty":false}}'
UPGRADE = (
    b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
    b"Connection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: 1.41\r\n\r\n"
)


def _frames(payload: int, block: int = 4 * 1024 * 1024) -> bytes:
    one = struct.pack(">BxxxL", 1, payload) + b"x" * payload
    return one * max(1, block // len(one))


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
            elif "/attach" in target:
                payload = int(target.split("/containers/", 1)[1].split("/", 1)[0])
                block = memoryview(_frames(payload))
                conn.sendall(UPGRADE)
                unit = 8 + payload  # send whole frames only
                left = budgets[payload] // unit * unit
                while left > 0:
                    part = block[: min(len(block), left)]
                    conn.sendall(part)
                    left -= len(part)
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


def ours(backend: str) -> Callable[[str, int], int]:
    def run(path: str, payload: int) -> int:
        async def main() -> int:
            total = 0
            async with (
                Docker(f"unix://{path}", api_version="1.41") as docker,
                docker.containers.attach(str(payload), tty=False) as stream,
            ):
                async for frame in stream:
                    total += len(frame.data)
            return total

        return anyio.run(main, backend=backend)

    return run


def aiodocker_runner(path: str, payload: int) -> int:
    import aiodocker

    async def main() -> int:
        docker = aiodocker.Docker(url=f"unix://{path}", api_version="v1.41")
        total = 0
        try:
            container = docker.containers.container(str(payload))
            async with container.attach(stdout=True, stderr=True) as stream:
                while (message := await stream.read_out()) is not None:
                    total += len(message.data)
        finally:
            await docker.close()
        return total

    return asyncio.run(main())


def floor(path: str, payload: int) -> int:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    sock.sendall(b"POST /v1.41/containers/%d/attach HTTP/1.1\r\nHost: docker\r\n\r\n" % payload)
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    total = 0
    while n := sock.recv_into(view):
        total += n
    sock.close()
    return total - len(UPGRADE)


CONTENDERS: dict[str, Callable[[str, int], int]] = {
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
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frames.sock")
        server = multiprocessing.Process(target=frame_server, args=(path, budgets), daemon=True)
        server.start()
        while not os.path.exists(path):
            time.sleep(0.01)
        best: dict[tuple[str, int], float] = {}
        try:
            for _ in range(args.rounds):
                for payload in budgets:
                    for name, runner in CONTENDERS.items():
                        began = time.perf_counter()
                        got = runner(path, payload)
                        elapsed = time.perf_counter() - began
                        rate = got / elapsed / 1e6
                        best[name, payload] = max(best.get((name, payload), 0.0), rate)
        finally:
            server.kill()
    print(f"\ndemux throughput, MB/s of payload or stream (best of {args.rounds})")
    print("| contender | 16 KiB frames | 100 B frames |")
    print("| --- | --- | --- |")
    for name in CONTENDERS:
        print(f"| {name} | {best[name, 16384]:,.0f} | {best[name, 100]:,.0f} |")
    print("\n| ratio | 16 KiB frames | 100 B frames |")
    print("| --- | --- | --- |")
    for label, a, b in (
        ("ours asyncio / floor", "ours asyncio", "floor (recv_into)"),
        ("ours trio / floor", "ours trio", "floor (recv_into)"),
        ("ours asyncio / aiodocker", "ours asyncio", "aiodocker"),
        ("ours trio / aiodocker", "ours trio", "aiodocker"),
    ):
        cells = " | ".join(f"{best[a, p] / best[b, p]:.2f}x" for p in budgets)
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
