"""The connection pool against a fake engine: reuse, discard, limits, fairness, cancellation."""

from __future__ import annotations

import asyncio
import gc
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
import anyio.abc
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream

from aiodocker_engine import errors
from aiodocker_engine.transport._base import Request, Response
from aiodocker_engine.transport._connect import make_connector
from aiodocker_engine.transport._connection import HTTPConnection
from aiodocker_engine.transport._host import parse_host
from aiodocker_engine.transport._pool import BufferedResponse, PoolResponse, PoolTransport
from tests.fake_engine import FakeEngine, FakeRequest, fake_engine, ok_json, open_fds, response

pytestmark = pytest.mark.anyio


async def quiet_fds(engine: FakeEngine) -> int:
    """Open descriptors once the fake server (same process) has closed its ends."""
    with anyio.fail_after(5):
        while engine.open_connections:  # noqa: ASYNC110 - the fake server sets no event
            await anyio.sleep(0.01)
    # asyncio transports close their socket on the next loop iteration, not in close().
    await anyio.sleep(0.02)
    gc.collect()
    return open_fds()


def pool_for(engine: FakeEngine, **kwargs: object) -> PoolTransport:
    return PoolTransport(make_connector(parse_host(engine.host)), **kwargs)  # type: ignore[arg-type]


async def test_pool_reuses_one_connection_for_sequential_requests() -> None:
    async with fake_engine() as engine:
        pool = pool_for(engine)
        for i in range(5):
            resp = await pool.request(Request("GET", f"/v1.41/x/{i}"), buffered=True)
            assert resp.status == 200
            assert await resp.read() == b'{"target": "/v1.41/x/%d"}' % i
        assert engine.connections_opened == 1
        assert repr(pool) == "<PoolTransport [0 active, 1 idle | 0 queued]>"
        await pool.aclose()


async def test_pool_discards_connection_after_half_read_body() -> None:
    async def big(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        body = b"x" * 1_000_000 if request.target == "/big" else b"ok"
        await stream.send(response(200, body, content_type="application/octet-stream"))
        return True

    async with fake_engine(big) as engine:
        pool = pool_for(engine)
        resp = await pool.request(Request("GET", "/big"))
        async for _part in resp.aiter_raw():
            break
        await resp.aclose()
        assert (pool.num_active, pool.num_idle) == (0, 0)
        again = await pool.request(Request("GET", "/small"), buffered=True)
        assert await again.read() == b"ok"
        assert engine.connections_opened == 2
        await pool.aclose()


async def test_pool_returns_connection_only_after_body_fully_read() -> None:
    async with fake_engine() as engine:
        pool = pool_for(engine)
        resp = await pool.request(Request("GET", "/a"))
        assert (pool.num_active, pool.num_idle) == (1, 0)
        await resp.read()
        assert (pool.num_active, pool.num_idle) == (0, 1)
        await pool.aclose()


async def test_pool_does_not_reuse_a_connection_the_daemon_closes() -> None:
    async def close_after(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(response(200, b"{}", headers={"Connection": "close"}))
        return False

    async with fake_engine(close_after) as engine:
        pool = pool_for(engine)
        for _ in range(3):
            resp = await pool.request(Request("GET", "/"), buffered=True)
            assert resp.status == 200
        assert engine.connections_opened == 3
        assert pool.num_idle == 0
        await pool.aclose()


async def test_pool_retries_once_when_an_idle_connection_was_dropped_meanwhile() -> None:
    served = 0

    async def drop_idle(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        nonlocal served
        served += 1
        await stream.send(response(200, b"{}"))
        return served != 1  # the daemon closes the first connection after answering

    async with fake_engine(drop_idle) as engine:
        pool = pool_for(engine)
        await (await pool.request(Request("GET", "/1"), buffered=True)).read()
        await anyio.sleep(0.05)
        resp = await pool.request(Request("GET", "/2"), buffered=True)
        assert resp.status == 200
        assert engine.connections_opened == 2
        await pool.aclose()


async def test_pool_never_resends_a_request_whose_response_broke_mid_body() -> None:
    async def break_second(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/first":
            await stream.send(response(200, b"{}"))
            return True
        await stream.send(response(200, b"x" * 100)[:-40])
        return False  # the head went out: the daemon acted on the request

    async with fake_engine(break_second) as engine:
        pool = pool_for(engine)
        await pool.request(Request("POST", "/first"), buffered=True)
        with pytest.raises(errors.ProtocolError, match="40 bytes of the body missing"):
            await pool.request(Request("POST", "/second"), buffered=True)
        assert [r.target for r in engine.requests] == ["/first", "/second"]
        assert (pool.num_active, pool.num_idle) == (0, 0)
        await pool.aclose()


@pytest.mark.parametrize("buffered", [True, False], ids=["fetch", "streamed"])
async def test_pool_never_resends_a_request_whose_response_head_was_cut_by_a_reset(
    buffered: bool,
) -> None:
    """A TCP reset after part of the head arrived is an answer begun, not a dropped
    keep-alive: the daemon acted on the request, so it is not sent again."""
    targets: list[str] = []

    async def serve(stream: anyio.abc.SocketStream) -> None:
        reader = BufferedByteReceiveStream(stream)
        async with stream:
            while True:
                try:
                    head = await reader.receive_until(b"\r\n\r\n", 65536)
                except (anyio.EndOfStream, anyio.IncompleteRead, anyio.BrokenResourceError):
                    return
                targets.append(head.split(b" ")[1].decode())
                if targets[-1] != "/second":
                    await stream.send(response(200, b"{}"))
                    continue
                await stream.send(b"HTTP/1.1 200 OK\r\nContent-")
                sock = stream.extra(anyio.abc.SocketAttribute.raw_socket)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return  # closing with a zero linger sends RST

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    pool = PoolTransport(make_connector(parse_host(f"tcp://127.0.0.1:{port}")))
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, serve)
        try:
            await (await pool.request(Request("POST", "/first"), buffered=True)).read()
            with anyio.fail_after(10), pytest.raises(errors.ConnectionFailed, match="reset"):
                await pool.request(Request("POST", "/second"), buffered=buffered)
        finally:
            await pool.aclose()
            tg.cancel_scope.cancel()
    assert targets == ["/first", "/second"]
    assert (pool.num_active, pool.num_idle) == (0, 0)


@pytest.mark.parametrize("body", [None, b'{"x": 1}'], ids=["bodiless", "json"])
async def test_a_request_is_replayed_at_most_once_and_on_a_fresh_connection(
    body: bytes | None,
) -> None:
    """A daemon that acts on each request and closes without answering: with four idle
    connections, the request still reaches it only twice (the send and one replay)."""
    answer = True

    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if answer:
            await stream.send(response(200, b"{}"))
            return True
        return False  # acted on it, then closed without a byte of answer

    async with fake_engine(handler) as engine:
        pool = pool_for(engine)
        held = [await pool.request(Request("GET", f"/warm{i}")) for i in range(4)]
        for warm in held:
            await warm.read()
        assert pool.num_idle == 4
        answer = False
        before = len(engine.requests)
        with pytest.raises(errors.ProtocolError, match="before a response arrived"):
            await pool.request(Request("POST", "/containers/c1/restart", body=body), buffered=True)
        assert len(engine.requests) - before == 2
        assert (pool.num_active, pool.num_idle) == (0, 0)  # the suspect idle peers closed
        await pool.aclose()


def _stall_closing(monkeypatch: pytest.MonkeyPatch, dead: HTTPConnection) -> None:
    """Make `dead` look dropped, and closing it hang until cancelled (then close it)."""
    close, dropped = HTTPConnection.aclose, HTTPConnection.is_dropped

    async def stalled_aclose(conn: HTTPConnection) -> None:
        if conn is not dead:
            return await close(conn)
        try:
            await anyio.sleep_forever()
        finally:
            dead.stream._transport.abort()  # type: ignore[attr-defined]

    monkeypatch.setattr(HTTPConnection, "aclose", stalled_aclose)
    monkeypatch.setattr(HTTPConnection, "is_dropped", lambda c: c is dead or dropped(c))


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("path", ["stale idle", "dropped grant"])
async def test_a_native_asyncio_cancel_while_closing_a_dead_connection_frees_the_slot(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`task.cancel()` passes anyio's shields: a request cancelled while `_acquire` closes
    a stale idle connection, or one it was handed that turned out dropped, must give its
    slot back, or the pool (max_connections=1 here) hangs from then on."""
    async with fake_engine() as engine:
        pool = pool_for(engine, max_connections=1)
        if path == "stale idle":
            await (await pool.request(Request("GET", "/warm"), buffered=True)).read()
            (dead,) = pool._idle
            dead.idle_since -= 3600  # past keepalive_expiry
            _stall_closing(monkeypatch, dead)
            task = asyncio.create_task(pool.request(Request("GET", "/x"), buffered=True))
        else:
            held = await pool.request(Request("GET", "/held"))
            task = asyncio.create_task(pool.request(Request("GET", "/x"), buffered=True))
            await anyio.wait_all_tasks_blocked()  # queued behind /held
            _stall_closing(monkeypatch, held._conn)  # type: ignore[attr-defined]
            await held.read()  # hands the connection to the queued request
        await anyio.wait_all_tasks_blocked()  # the request is stuck closing it
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool.num_active == 0
        with anyio.fail_after(5):
            assert (await pool.request(Request("GET", "/next"), buffered=True)).status == 200
        await pool.aclose()


async def test_buffered_response_joins_a_body_read_in_several_parts() -> None:
    async def trickle(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for part in (b'{"a":', b" [1, 2", b"]}"):
            await anyio.sleep(0.01)  # separate reads on the client side
            await stream.send(b"%x\r\n%s\r\n" % (len(part), part))
        await stream.send(b"0\r\n\r\n")
        return True

    async with fake_engine(trickle) as engine:
        pool = pool_for(engine)
        resp = await pool.request(Request("GET", "/"), buffered=True)
        assert (pool.num_active, pool.num_idle) == (0, 1)  # back before the caller reads
        assert [bytes(part) async for part in resp.aiter_raw()] == [b'{"a":', b" [1, 2", b"]}"]
        assert isinstance(resp, BufferedResponse)
        assert resp.content == b'{"a": [1, 2]}'
        assert await resp.read() == b'{"a": [1, 2]}'
        with pytest.raises(errors.ProtocolError, match="not an upgraded stream"):
            resp.upgraded()
        await resp.aclose()
        await pool.aclose()


async def test_pool_expires_idle_connections() -> None:
    async with fake_engine() as engine:
        pool = pool_for(engine, keepalive_expiry=0.05)
        await (await pool.request(Request("GET", "/"), buffered=True)).read()
        await anyio.sleep(0.1)
        await (await pool.request(Request("GET", "/"), buffered=True)).read()
        assert engine.connections_opened == 2
        await pool.aclose()


async def test_pool_bounds_connections_and_serves_waiters_in_order() -> None:
    gate = anyio.Event()

    async def slow(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/hold":
            await gate.wait()
        await stream.send(response(200, request.target.encode()))
        return True

    async with fake_engine(slow) as engine:
        pool = pool_for(engine, max_connections=1)

        async def call(target: str) -> None:
            resp = await pool.request(Request("GET", target), buffered=True)
            assert (await resp.read()).decode() == target

        async with anyio.create_task_group() as tg:
            tg.start_soon(call, "/hold")
            await anyio.sleep(0.05)
            for i in range(5):
                tg.start_soon(call, f"/w{i}")
                await anyio.sleep(0.01)
            assert repr(pool) == "<PoolTransport [1 active, 0 idle | 5 queued]>"
            gate.set()
        assert engine.connections_opened == 1
        assert [r.target for r in engine.requests] == ["/hold"] + [f"/w{i}" for i in range(5)]
        await pool.aclose()


async def test_pool_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        PoolTransport(make_connector(parse_host("unix:///nowhere")), max_connections=0)
    await anyio.lowlevel.checkpoint()


async def test_pool_sends_streamed_body_chunked() -> None:
    async def echo(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(response(200, request.body, content_type="application/octet-stream"))
        return True

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(10):
            yield b"chunk%d;" % i
        yield b""
        yield b"z" * 100_000

    async with fake_engine(echo) as engine:
        pool = pool_for(engine)
        resp = await pool.request(Request("PUT", "/archive", body=chunks()), buffered=True)
        expected = b"".join(b"chunk%d;" % i for i in range(10)) + b"z" * 100_000
        assert await resp.read() == expected
        assert engine.requests[0].headers["transfer-encoding"] == "chunked"
        await pool.aclose()


async def test_pool_hands_over_upgraded_stream_and_frees_the_slot() -> None:
    async def hijack(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        assert request.headers["upgrade"] == "tcp"
        await stream.send(
            b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
            b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst"
        )
        data = await stream.receive()
        await stream.send(b"echo:" + data)
        return False

    async with fake_engine(hijack) as engine:
        pool = pool_for(engine, max_connections=1)
        resp = await pool.request(Request("POST", "/attach", upgrade=True))
        assert resp.status == 101
        raw = resp.upgraded()
        assert pool.num_active == 0
        assert await raw.receive() == b"first"
        await raw.send(b"ping")
        assert await raw.receive() == b"echo:ping"
        await raw.aclose()
        await resp.aclose()
        # The slot was freed: an ordinary request still gets through with max_connections=1.
        assert engine.connections_opened == 1
        await pool.aclose()


async def test_an_upgrade_nobody_asked_for_is_refused_and_the_connection_dropped() -> None:
    async def hijack(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(b"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\n\r\nraw")
        return False

    async with fake_engine(hijack) as engine:
        pool = pool_for(engine)
        with pytest.raises(errors.ProtocolError, match="expected a response head"):
            await pool.request(Request("GET", "/containers/x/logs"))
        assert (pool.num_active, pool.num_idle) == (0, 0)
        await pool.aclose()


@pytest.mark.parametrize("stage", ["connect", "send", "head", "body"])
async def test_pool_leaks_nothing_when_cancelled_at_any_await_point(stage: str) -> None:
    """Cancel at each await point, then check descriptors, pool counts and the next request."""
    release = anyio.Event()

    async def stall(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/stall-head":
            await release.wait()
        if request.target == "/stall-body":
            await stream.send(response(200, b"x" * 10)[:-5])
            await release.wait()
            return False
        await stream.send(response(200, b"{}"))
        return True

    async with fake_engine(stall) as engine:
        pool = pool_for(engine, max_connections=2)
        await (await pool.request(Request("GET", "/warm"), buffered=True)).read()
        await pool.aclose()
        pool = pool_for(engine, max_connections=2)
        before = await quiet_fds(engine)

        async def big_body() -> AsyncIterator[bytes]:
            yield b"a"
            await anyio.sleep(10)
            yield b"b"

        target, body = {
            "connect": ("/", None),
            "send": ("/", big_body()),
            "head": ("/stall-head", None),
            "body": ("/stall-body", None),
        }[stage]
        with anyio.move_on_after(0.1 if stage != "connect" else 0) as scope:
            await pool.request(Request("POST", target, body=body), buffered=True)
        assert scope.cancelled_caught
        release.set()
        assert (pool.num_active, pool.num_idle) == (0, 0)
        assert await quiet_fds(engine) == before
        resp = await pool.request(Request("GET", "/after"), buffered=True)
        assert resp.status == 200
        await pool.aclose()
        assert await quiet_fds(engine) == before


async def test_pool_reports_a_missing_socket_with_a_hint() -> None:
    pool = PoolTransport(make_connector(parse_host("unix:///nonexistent/docker.sock")))
    with pytest.raises(errors.ConnectionFailed, match="does not exist: is the Docker daemon"):
        await pool.request(Request("GET", "/_ping"))
    assert pool.num_active == 0


async def test_pool_reports_a_stale_socket_with_a_hint(tmp_path: object) -> None:
    import os
    import socket

    path = os.path.join(str(tmp_path), "stale.sock")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    sock.close()  # bound but never listening: what a crashed daemon leaves
    pool = PoolTransport(make_connector(parse_host(f"unix://{path}")))
    with pytest.raises(errors.ConnectionFailed, match="stale socket"):
        await pool.request(Request("GET", "/_ping"))


@pytest.mark.parametrize(
    ("answer", "complaint"),
    [
        (b"SSH-2.0-OpenSSH_9.2\r\n\r\n", "status line"),
        # An upgrade that was not asked for (the buffered fast path refuses it).
        (b"HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\nraw", "expected a response head"),
    ],
)
async def test_pool_raises_protocol_error_on_a_wrong_answer_and_discards(
    answer: bytes, complaint: str
) -> None:
    async def wrong(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(answer)
        return True

    async with fake_engine(wrong) as engine:
        pool = pool_for(engine)
        with pytest.raises(errors.ProtocolError, match=complaint):
            await pool.request(Request("GET", "/containers/x/json"), buffered=True)
        assert (pool.num_active, pool.num_idle) == (0, 0)
        assert engine.connections_opened == 1
        await pool.aclose()


async def test_a_stream_dropped_without_closing_gives_its_slot_back_at_the_next_request() -> None:
    """A bare `async for` left with `break` (no `async with`, no `aclose()`): once the
    response is collected, the next request reclaims its slot and closes its socket."""

    async def endless(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target != "/stream":
            await stream.send(response(200, b"{}"))
            return True
        await stream.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n5\r\n{}{}\n\r\n"
        )
        with pytest.raises((anyio.EndOfStream, anyio.BrokenResourceError)):
            await stream.receive()  # until the client closes it
        return False

    async with fake_engine(endless) as engine:
        pool = pool_for(engine, max_connections=1)
        for _ in range(3):
            async for _part in (await pool.request(Request("GET", "/stream"))).aiter_raw():
                break
            gc.collect()
            with anyio.fail_after(5):  # with the slot lost, this waited forever
                assert (await pool.request(Request("GET", "/x"), buffered=True)).status == 200
        assert (pool.num_active, pool.num_idle) == (0, 1)
        await pool.aclose()
        await quiet_fds(engine)  # the dropped streams' sockets were closed, or this times out


async def test_closing_the_pool_fails_the_requests_waiting_for_a_connection() -> None:
    async with fake_engine() as engine:
        pool = pool_for(engine, max_connections=1)
        held = await pool.request(Request("GET", "/held"))  # a stream holds the only slot
        failures: list[str] = []

        async def queued() -> None:
            with pytest.raises(errors.ConnectionFailed, match="closed while this request"):
                await pool.request(Request("GET", "/queued"), buffered=True)
            failures.append("closed")

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                for _ in range(3):
                    tg.start_soon(queued)
                await anyio.wait_all_tasks_blocked()
                assert repr(pool) == "<PoolTransport [1 active, 0 idle | 3 queued]>"
                await pool.aclose()
        assert failures == ["closed"] * 3
        await held.aclose()
        assert repr(pool) == "<PoolTransport [0 active, 0 idle | 0 queued]>"
        assert [r.target for r in engine.requests] == ["/held"]  # no socket after the close


async def test_closed_pool_refuses_requests() -> None:
    async with fake_engine(ok_json) as engine:
        pool = pool_for(engine)
        await pool.aclose()
        with pytest.raises(errors.ConnectionFailed, match="closed"):
            await pool.request(Request("GET", "/"))


async def _kept_raw(resp: Response) -> list[bytes | memoryview]:
    return [part async for part in resp.aiter_raw()]


async def _kept_parts(resp: Response) -> list[bytes | memoryview]:
    kept: list[bytes | memoryview] = []
    async for parts in resp.aiter_parts():
        assert parts, "an empty list of parts"
        kept += parts
    return kept


async def _kept_buffered(resp: Response) -> list[bytes | memoryview]:
    assert isinstance(resp, PoolResponse)
    await resp.read_into_buffer()
    return [resp.content]


@pytest.mark.parametrize("keep", [_kept_raw, _kept_parts, _kept_buffered])
async def test_a_bulk_chunked_body_read_into_reused_buffers_stays_intact(
    keep: Callable[[Response], Awaitable[list[bytes | memoryview]]],
) -> None:
    # 4 MiB in 16 KiB chunks, then 4 MiB in chunks larger than a read (each read of them
    # is one part: a view of the read buffer), sent at once: reads of 32 KiB or more go
    # into the stream's reused buffers. Every part is kept until the end, so a buffer
    # reused while a part still viewed it would show as changed bytes. Parts handed on
    # unjoined (aiter_parts, a buffered body) are nearly all views of read buffers.
    chunks = [bytes([i % 251]) * (16 * 1024 + i % 7) for i in range(256)]
    chunks += [bytes([i]) * (300 * 1024 + i) for i in range(14)]

    async def bulk(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        head = response(200, content_type="text/plain", chunked=True).split(b"\r\n\r\n")[0]
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
        await stream.send(head + b"\r\n\r\n" + body + b"0\r\n\r\n")
        return True

    async with fake_engine(bulk) as engine:
        pool = pool_for(engine)
        resp = await pool.request(Request("GET", "/logs"))
        kept = await keep(resp)
        assert b"".join(kept) == b"".join(chunks)
        assert (pool.num_active, pool.num_idle) == (0, 1)
        again = await pool.request(Request("GET", "/logs"))
        assert b"".join([bytes(part) for part in await keep(again)]) == b"".join(chunks)
        assert engine.connections_opened == 1
        await pool.aclose()


async def test_body_parts_come_a_list_per_read_and_leaving_early_discards() -> None:
    async def trickle(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for read in ([b"a1", b"a2", b"a3"], [b"b1"], [b"c1", b"c2"]):
            await anyio.sleep(0.02)  # separate reads on the client side
            await stream.send(b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in read))
        if request.target == "/all":
            await stream.send(b"0\r\n\r\n")
        else:
            await anyio.sleep(5)
        return True

    async with fake_engine(trickle) as engine:
        pool = pool_for(engine)
        resp = await pool.request(Request("GET", "/all"))
        reads = [[bytes(p) for p in parts] async for parts in resp.aiter_parts()]
        assert reads == [[b"a1", b"a2", b"a3"], [b"b1"], [b"c1", b"c2"]]
        assert (pool.num_active, pool.num_idle) == (0, 1)
        resp = await pool.request(Request("GET", "/half"))
        async for parts in resp.aiter_parts():
            assert [bytes(p) for p in parts] == [b"a1", b"a2", b"a3"]
            break
        await resp.aclose()
        assert (pool.num_active, pool.num_idle) == (0, 0)
        await pool.aclose()


async def test_a_buffered_body_hands_out_its_parts_as_one_list() -> None:
    async with fake_engine() as engine:
        pool = pool_for(engine)
        resp = await pool.request(Request("GET", "/a"), buffered=True)
        lists = [[bytes(p) for p in parts] async for parts in resp.aiter_parts()]
        assert lists == [[await resp.read()]]
        assert lists[0][0]
        await pool.aclose()


# The connections of a loop that ended unclosed warn when collected, as they should.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_client_used_again_in_another_event_loop_makes_new_connections() -> None:
    """`asyncio.run` twice (or trio then asyncio) with one client: the connections of a
    finished loop cannot be driven any more; reusing one sent a request whose answer
    nobody read (a hang until the timeout, then RuntimeError)."""
    import threading

    import trio

    from aiodocker_engine import Docker

    found: dict[str, FakeEngine] = {}
    ready, stop = threading.Event(), threading.Event()

    def serve() -> None:  # the fake engine lives in a loop of its own, in a thread
        async def main() -> None:
            async with fake_engine() as engine:
                found["engine"] = engine
                ready.set()
                while not stop.is_set():  # noqa: ASYNC110 - a thread's event
                    await anyio.sleep(0.05)

        anyio.run(main)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        assert ready.wait(10)
        engine = found["engine"]
        docker = Docker(engine.host, api_version="1.41", timeout=10)

        async def ping() -> None:
            with anyio.fail_after(5):
                assert (await docker.system.ping()).api_version == "1.41"

        asyncio.run(ping())
        asyncio.run(ping())
        trio.run(ping)
        asyncio.run(ping())
        asyncio.run(docker.aclose())
        assert engine.connections_opened == 4
        gc.collect()  # the forgotten ones, now, while their warnings are ignored
    finally:
        stop.set()
        thread.join(10)
