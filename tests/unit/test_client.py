"""The client's request path against a fake engine: timeouts, error mapping, negotiation edges."""

from __future__ import annotations

import anyio
import anyio.abc
import pytest

from aiodocker_engine import Docker, errors, models
from tests.fake_engine import FakeRequest, Handler, fake_engine, open_fds, response

pytestmark = pytest.mark.anyio


def engine_answering(
    status: int, body: bytes, *, content_type: str = "application/json", api: str = "1.41"
) -> Handler:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/_ping":
            await stream.send(
                response(200, b"OK", content_type="text/plain", headers={"Api-Version": api})
            )
        else:
            await stream.send(response(status, body, content_type=content_type))
        return True

    return handler


async def test_slow_daemon_raises_timeout_and_leaks_nothing() -> None:
    release = anyio.Event()

    async def stall(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target != "/_ping":
            await release.wait()
        await stream.send(response(200, b"{}", headers={"Api-Version": "1.41"}))
        return True

    async with fake_engine(stall) as engine, Docker(engine.host, timeout=0.2) as docker:
        await docker.negotiate()
        before = open_fds()
        with pytest.raises(errors.Timeout, match=r"longer than 0\.2 s") as caught:
            await docker.system.info()
        assert isinstance(caught.value, TimeoutError)
        release.set()
        assert docker.transport.num_active == 0  # type: ignore[attr-defined]
        assert open_fds() <= before


async def test_timeout_none_waits_as_long_as_it_takes() -> None:
    async def slow(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await anyio.sleep(0.3)
        await stream.send(response(200, b"{}", headers={"Api-Version": "1.41"}))
        return True

    async with fake_engine(slow) as engine, Docker(engine.host, timeout=None) as docker:
        await docker.system.info()


async def test_outer_cancellation_is_not_mistaken_for_a_timeout() -> None:
    async def never(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await anyio.sleep(10)
        return False

    async with fake_engine(never) as engine:
        async with Docker(engine.host, timeout=5, api_version="1.41") as docker:
            with anyio.move_on_after(0.1) as scope:
                await docker.system.info()
            assert scope.cancelled_caught


@pytest.mark.parametrize(
    ("status", "body", "content_type", "error", "message"),
    [
        (
            404,
            b'{"message":"No such container: x"}',
            "application/json",
            errors.NotFound,
            "No such container: x",
        ),
        (409, b'{"message":"name in use"}', "application/json", errors.Conflict, "name in use"),
        (500, b"plain text failure\n", "text/plain", errors.ServerError, "plain text failure"),
        (503, b"", "text/plain", errors.Unavailable, "X"),
        (418, b'{"message":"teapot"}', "application/json", errors.APIError, "teapot"),
    ],
)
async def test_error_statuses_map_to_exceptions_with_the_daemons_message(
    status: int, body: bytes, content_type: str, error: type[errors.APIError], message: str
) -> None:
    async with fake_engine(engine_answering(status, body, content_type=content_type)) as engine:
        async with Docker(engine.host) as docker:
            with pytest.raises(error) as caught:
                await docker.containers.inspect("x")
            assert type(caught.value) is error
            assert caught.value.status == status
            assert caught.value.message == message
            assert caught.value.path == "/v1.41/containers/x/json"


async def test_plain_http_to_a_tls_port_explains_itself() -> None:
    body = b"Client sent an HTTP request to an HTTPS server.\n"
    async with fake_engine(engine_answering(400, body, content_type="text/plain")) as engine:
        async with Docker(engine.host, api_version="1.41") as docker:
            with pytest.raises(errors.ConnectionFailed, match="expects TLS"):
                await docker.system.info()


async def test_daemon_older_than_1_25_is_refused() -> None:
    async with fake_engine(engine_answering(200, b"{}", api="1.24")) as engine:
        async with Docker(engine.host) as docker:
            with pytest.raises(errors.VersionError, match=r"1\.24"):
                await docker.system.info()


async def test_newer_daemon_is_capped_at_the_client_maximum() -> None:
    async with fake_engine(engine_answering(200, b"{}", api="1.99")) as engine:
        async with Docker(engine.host) as docker:
            assert await docker.negotiate() == "1.55"


def _bare_response(content_type: str, body: bytes) -> bytes:
    """A 200 without the API-Version header every Docker engine sends (`response` adds it)."""
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}"
    return head.encode() + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<html>proxy login</html>"),
        ("application/json", b'{"ApiVersion": 1.41}'),
        ("application/json", b"[]"),
        ("application/json", b""),
    ],
    ids=["html", "wrong-shape", "list", "empty"],
)
async def test_negotiating_with_a_server_that_is_not_docker_raises_connection_failed(
    content_type: str, body: bytes
) -> None:
    """No API-Version on /_ping sends negotiation to GET /version, whose junk is ours to name."""

    async def web_server(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/_ping":
            await stream.send(_bare_response("text/plain", b"OK"))
        else:
            await stream.send(_bare_response(content_type, body))
        return True

    async with fake_engine(web_server) as engine, Docker(engine.host) as docker:
        with pytest.raises(errors.ConnectionFailed, match="is not a Docker engine") as caught:
            await docker.containers.list()
        assert engine.host in str(caught.value)
        assert "DOCKER_HOST" in caught.value.hint
        assert [r.target for r in engine.requests] == ["/_ping", "/version"]
        assert docker.api_version is None


async def test_undecodable_answer_names_the_model() -> None:
    async with fake_engine(engine_answering(200, b'{"Containers": "many"}')) as engine:
        async with Docker(engine.host) as docker:
            with pytest.raises(errors.DockerError, match="SystemInfo"):
                await docker.system.info()


async def test_repr_shows_address_and_version() -> None:
    async with fake_engine() as engine:
        docker = Docker(engine.host, api_version="1.41")
        assert repr(docker) == f"<Docker {engine.host} API 1.41>"
        await docker.aclose()


async def test_timeout_covers_a_body_that_stalls_after_the_head() -> None:
    release = anyio.Event()

    async def half(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(response(200, b'{"ID": "x"}' + b" " * 100)[:-50])
        await release.wait()
        return False

    async with fake_engine(half) as engine:
        async with Docker(engine.host, timeout=0.2, api_version="1.41") as docker:
            with pytest.raises(errors.Timeout):
                await docker.system.info()
            release.set()
            assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_timeout_covers_waiting_for_a_free_connection() -> None:
    release = anyio.Event()

    async def stall(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await release.wait()
        await stream.send(response(200, b"{}"))
        return True

    async with fake_engine(stall) as engine:
        docker = Docker(engine.host, api_version="1.41", max_connections=1, timeout=None)
        quick = Docker(transport=docker.transport, api_version="1.41", timeout=0.2)
        async with anyio.create_task_group() as tg:
            tg.start_soon(docker.system.info)
            await anyio.sleep(0.05)
            with pytest.raises(errors.Timeout):
                await quick.system.info()
            release.set()
        await docker.aclose()


async def test_many_concurrent_timeouts_each_fire_once() -> None:
    async def never(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await anyio.sleep(10)
        return False

    async with fake_engine(never) as engine:
        async with Docker(engine.host, timeout=0.2, api_version="1.41") as docker:
            failures: list[BaseException] = []

            async def one() -> None:
                try:
                    await docker.system.info()
                except errors.Timeout as exc:
                    failures.append(exc)

            with anyio.fail_after(5):
                async with anyio.create_task_group() as tg:
                    for _ in range(20):
                        tg.start_soon(one)
            assert len(failures) == 20
            assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_a_redirect_is_an_error_naming_where_it_points_and_304_is_not() -> None:
    async def handler(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        if request.target == "/_ping":
            await stream.send(response(200, b"OK", headers={"Api-Version": "1.41"}))
        elif request.method == "DELETE":
            moved = {"Location": "/v1.41/containers/elsewhere"}
            await stream.send(response(301, b"", content_type="text/plain", headers=moved))
        else:  # starting a running container
            await stream.send(response(304, b"", content_type="text/plain"))
        return True

    async with fake_engine(handler) as engine, Docker(engine.host) as docker:
        # Never taken for a success: the daemon did not remove anything.
        with pytest.raises(
            errors.APIError, match=r"redirects to '/v1\.41/containers/elsewhere'"
        ) as caught:
            await docker.containers.remove("web")
        assert caught.value.status == 301
        await docker.containers.start("web")
        assert docker.transport.num_active == 0  # type: ignore[attr-defined]


async def test_stats_once_reads_an_empty_answer_as_an_empty_sample() -> None:
    """Podman answers stats of a stopped container with an empty 200 body."""

    async def empty(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        await stream.send(response(200, b"", chunked=True))
        return True

    async with fake_engine(empty) as engine, Docker(engine.host, api_version="1.41") as docker:
        assert await docker.containers.stats_once("stopped") == models.ContainerStatsResponse()
        with pytest.raises(errors.DockerError, match="cannot decode"):
            await docker.containers.inspect("stopped")  # elsewhere, empty is an error
