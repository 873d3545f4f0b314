"""EventStream: typed events, resume after breaks without loss or repeats, bounded retries."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.abc
import pytest

from aiodocker_engine import Docker, errors, models
from aiodocker_engine.streams._events import Event
from tests.fake_engine import FakeEngine, FakeRequest, fake_engine, response

pytestmark = pytest.mark.anyio

BASE = 1_700_000_000_000_000_000  # ns


def event_json(n: int, action: str = "start", nanos: int | None = None) -> bytes:
    stamp = BASE + n * 1000 if nanos is None else nanos
    body = {
        "status": action,
        "id": f"c{n}",
        "from": "busybox",
        "Type": "container",
        "Action": action,
        "Actor": {"ID": f"c{n}", "Attributes": {"name": f"n{n}"}},
        "scope": "local",
        "time": stamp // 1_000_000_000,
        "timeNano": stamp,
    }
    return json.dumps(body).encode() + b"\n"


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nApi-Version: 1.41\r\n"
    b"Date: Tue, 14 Nov 2023 22:13:20 GMT\r\nTransfer-Encoding: chunked\r\n\r\n"
)


async def until_client_closes(stream: anyio.abc.ByteStream) -> bool:
    """Hold the response open until the client closes its end (as a daemon notices)."""
    try:
        while True:
            await stream.receive()
    except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
        return False


async def wait_all_closed(engine: FakeEngine) -> None:
    for _ in range(300):
        if not engine.open_connections:
            return
        await anyio.sleep(0.01)
    raise AssertionError(f"{engine.open_connections} connections still open")


def since_of(request: FakeRequest) -> str | None:
    values = parse_qs(urlsplit(request.target).query).get("since")
    return values[0] if values else None


async def test_event_from_message_gives_aware_time_and_folds_legacy_fields() -> None:
    message = models.EventMessage(
        status="die", id="abc", time=1_700_000_000, time_nano=1_700_000_000_123_456_789
    )
    event = Event.from_message(message)
    assert event.action == "die" and event.actor_id == "abc" and event.attributes == {}
    assert event.time == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=timezone.utc)
    assert event.time.tzinfo is not None
    assert event.time_nano == 1_700_000_000_123_456_789
    only_seconds = Event.from_message(models.EventMessage(type="image", action="pull", time=5))
    assert only_seconds.time_nano == 5_000_000_000
    await anyio.lowlevel.checkpoint()


async def test_resume_after_a_broken_connection_loses_nothing_and_repeats_nothing() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.connection_id == 1:
            await stream.send(HEAD + chunk(event_json(1)) + chunk(event_json(2)))
            return False  # drop mid-body: no terminating chunk
        # The daemon replays from `since` inclusive: event 2 again, then 3 and 4 (same ns).
        replay = event_json(2) + event_json(3) + event_json(4, "die", nanos=BASE + 3000)
        await stream.send(HEAD + chunk(replay))
        return await until_client_closes(stream)

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            got: list[Event] = []
            async with docker.system.events(filters={"type": "container"}) as events:
                with anyio.fail_after(10):
                    async for event in events:
                        got.append(event)
                        if len(got) == 4:
                            break
                assert events.reconnects == 1
                assert events.duplicates_dropped == 1
                assert repr(events).startswith("<EventStream open, 1 reconnects")
            assert [(e.actor_id, e.action) for e in got] == [
                ("c1", "start"),
                ("c2", "start"),
                ("c3", "start"),
                ("c4", "die"),
            ]
            assert since_of(engine.requests[0]) is None
            assert since_of(engine.requests[1]) == "1700000000.000002000"
            query = parse_qs(urlsplit(engine.requests[1].target).query)
            assert json.loads(query["filters"][0]) == {"type": ["container"]}
            await wait_all_closed(engine)


async def test_first_resume_point_comes_from_the_daemons_date_header() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.connection_id == 1:
            await stream.send(HEAD)
            await anyio.sleep(1.2)  # a connection that lived: reconnect at once
            return False
        await stream.send(HEAD + chunk(event_json(1)))
        return await until_client_closes(stream)

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            async with docker.system.events() as events:
                with anyio.fail_after(10):
                    first = await events.__anext__()
            assert first.actor_id == "c1"
            assert since_of(engine.requests[1]) == "1700000000"


async def test_unreachable_daemon_raises_after_the_reconnect_timeout() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.connection_id == 1:
            await stream.send(HEAD + chunk(event_json(1)))
            return False
        return False  # hang up before any response: as if the daemon were gone

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            events = docker.system.events(reconnect_timeout=2.0)
            async with events:
                assert (await events.__anext__()).actor_id == "c1"
                started = anyio.current_time()
                with anyio.fail_after(10), pytest.raises(errors.ConnectionFailed) as caught:
                    await events.__anext__()
                elapsed = anyio.current_time() - started
            assert elapsed >= 1.5, elapsed  # it kept trying, not gave up at once
            assert "no working connection" in str(caught.value)
            assert len(engine.requests) >= 3  # it did retry, with backoff
            assert repr(events).startswith("<EventStream closed")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_reconnect_answered_not_now_is_tried_again(status: int) -> None:
    """A daemon still starting, or a proxy in front of it, may answer 5xx meanwhile."""

    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.connection_id == 1:
            await stream.send(HEAD + chunk(event_json(1)))
            return False
        if request.connection_id == 2:
            await stream.send(response(status, b'{"message": "restarting"}'))
            return False
        await stream.send(HEAD + chunk(event_json(2)))
        return await until_client_closes(stream)

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            async with docker.system.events() as events:
                with anyio.fail_after(10):
                    assert [(await events.__anext__()).actor_id for _ in range(2)] == [
                        "c1",
                        "c2",
                    ]
            assert len(engine.requests) == 3


async def test_a_reconnect_answered_with_a_client_error_raises_it() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.connection_id == 1:
            await stream.send(HEAD + chunk(event_json(1)))
            return False
        await stream.send(response(400, b'{"message": "bad filter"}'))
        return False

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            async with docker.system.events() as events:
                await events.__anext__()
                with anyio.fail_after(10), pytest.raises(errors.BadRequest, match="bad filter"):
                    await events.__anext__()
            assert len(engine.requests) == 2


async def test_daemon_that_keeps_hanging_up_cannot_make_it_spin() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.connection_id == 1:
            await stream.send(HEAD + chunk(event_json(1)))
            return False
        await stream.send(HEAD + b"0\r\n\r\n")  # accepts, then ends at once
        return False

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            async with docker.system.events(reconnect_timeout=1.0) as events:
                await events.__anext__()
                with anyio.fail_after(10), pytest.raises(errors.ConnectionFailed):
                    await events.__anext__()
            assert len(engine.requests) < 20, len(engine.requests)


async def test_first_connection_failure_raises_at_once_without_retrying() -> None:
    async with fake_engine(lambda request, stream: _hang_up()) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            with anyio.fail_after(5), pytest.raises(errors.ConnectionFailed):
                async for _ in docker.system.events():
                    pass
            assert len(engine.requests) <= 2  # the pool may replay once on a fresh socket


async def _hang_up() -> bool:
    await anyio.lowlevel.checkpoint()
    return False


async def test_stream_with_until_ends_cleanly_without_reconnecting() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(HEAD + chunk(event_json(1)) + b"0\r\n\r\n")
        return True

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            until = datetime(2030, 1, 1, tzinfo=timezone.utc)
            got = [e async for e in docker.system.events(since=0, until=until)]
            assert [e.actor_id for e in got] == ["c1"]
            assert len(engine.requests) == 1
            query = parse_qs(urlsplit(engine.requests[0].target).query)
            assert query["since"] == ["0"] and query["until"] == ["1893456000.000000000"]


async def test_leaving_the_block_closes_the_connection_at_once() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(HEAD + chunk(event_json(1)))
        return await until_client_closes(stream)

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            async with docker.system.events() as events:
                await events.__anext__()
                assert engine.open_connections == 1
            await wait_all_closed(engine)
            assert docker.transport.num_active == 0  # type: ignore[attr-defined]
            with pytest.raises(StopAsyncIteration):
                await events.__anext__()


async def test_out_of_order_stamps_are_delivered_and_replays_of_them_dropped() -> None:
    later, earlier, new = (
        event_json(1, nanos=BASE + 2000),
        event_json(2, nanos=BASE + 1000),
        event_json(3, nanos=BASE + 3000),
    )

    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.connection_id == 1:
            await stream.send(HEAD + chunk(later + earlier))
            return False
        # since = the last delivered stamp (BASE + 1000): both come again, then a new one.
        await stream.send(HEAD + chunk(earlier + later + new))
        return await until_client_closes(stream)

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            async with docker.system.events() as events:
                with anyio.fail_after(10):
                    got = [(await events.__anext__()).actor_id for _ in range(3)]
                assert events.duplicates_dropped == 2
            assert got == ["c1", "c2", "c3"]
            assert since_of(engine.requests[1]) == "1700000000.000001000"


async def test_dedupe_window_stays_small_over_a_long_watch() -> None:
    body = b"".join(event_json(n) for n in range(3000))

    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(HEAD + chunk(body))
        return await until_client_closes(stream)

    async with fake_engine(handler) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            async with docker.system.events() as events:
                for _ in range(3000):
                    await events.__anext__()
                assert len(events._window) == 1


async def test_aclose_drops_the_messages_not_yet_read() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(HEAD + chunk(b'{"id":"a"}\n{"id":"b"}\n{"id":"c"}\n'))
        return await until_client_closes(stream)

    async with fake_engine(handler) as engine, Docker(engine.host, api_version="1.41") as docker:
        samples = docker.containers.stats("x")
        assert (await samples.__anext__()).id == "a"  # b and c came in the same read
        await samples.aclose()
        assert [sample.id async for sample in samples] == []
