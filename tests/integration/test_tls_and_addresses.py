"""TLS and address forms against real engines.

A second throwaway dockerd listens on 127.0.0.1 with `--tlsverify` and the test
certificates of tests/data/tls (see make.sh there): Go's TLS server, as users meet it
(client certificates, half-closing stdin with close_notify). For server certificates of
other names, a proxy here terminates TLS and relays to the harness's Unix socket.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio
import anyio.abc
import httpx
import pytest
from anyio.streams.tls import TLSListener

from aiodocker_engine import Docker, HttpxTransport, errors
from aiodocker_engine.testing import Engine, ensure_test_image, provide_engine
from aiodocker_engine.transport._host import TLSConfig, parse_host, resolve_host

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]

TLS_DATA = Path(__file__).parent.parent / "data" / "tls"
CLIENT = TLS_DATA / "client"


@pytest.fixture(scope="module")
def tls_engine() -> Iterator[str]:
    """The address (tcp://127.0.0.1:<port>) of a dockerd that wants TLS client certs."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tls_args = [
        f"--host=tcp://127.0.0.1:{port}",
        "--tlsverify",
        f"--tlscacert={TLS_DATA / 'ca.pem'}",
        f"--tlscert={TLS_DATA / 'server-cert.pem'}",
        f"--tlskey={TLS_DATA / 'server-key.pem'}",
    ]
    with provide_engine("start", dockerd_args=tls_args) as engine:
        ensure_test_image(engine.host)
        yield f"tcp://127.0.0.1:{port}"


@pytest.mark.parametrize("kind", ["pool", "httpx"])
async def test_stdin_ends_over_tls_as_the_cli_ends_it(
    tls_engine: str, docker_test_labels: dict[str, str], kind: str
) -> None:
    # TCP's half-close cannot pass through TLS: stdin's end is a close_notify (Go's
    # tls.Conn.CloseWrite), after which the container's output still comes. (Through
    # httpx the socket's own half-close is sent: Go reads that as the end too.)
    tls = TLSConfig.from_cert_path(CLIENT)
    if kind == "pool":
        docker = Docker(tls_engine, tls=tls)
    else:
        docker = Docker(transport=HttpxTransport(address=parse_host(tls_engine, tls=tls)))
    async with docker:
        with anyio.fail_after(60):
            result = await docker.containers.run(
                "busybox", ["sh", "-c", "cat; echo done"], stdin=b"through TLS\n" * 5000,
                remove=True, labels=docker_test_labels,
            )  # fmt: skip
            assert (result.exit_code, result.stdout) == (0, b"through TLS\n" * 5000 + b"done\n")
            running = await docker.containers.run(
                "busybox", ["sleep", "60"], detach=True, labels=docker_test_labels
            )
            try:
                ran = await docker.exec.run(running.id, ["tr", "a-z", "A-Z"], stdin=b"shout\n")
                assert (ran.exit_code, ran.stdout) == (0, b"SHOUT\n")
            finally:
                await docker.containers.remove(running.id, force=True)


async def test_a_daemon_refusing_the_client_certificate_says_so(tls_engine: str) -> None:
    no_client_cert = TLSConfig(ca_cert=str(CLIENT / "ca.pem"))
    async with Docker(tls_engine, tls=no_client_cert, timeout=10) as docker:
        with pytest.raises(errors.ConnectionFailed, match="wants a client certificate"):
            await docker.system.ping()


async def _pump(
    source: anyio.abc.ByteStream, sink: anyio.abc.ByteStream, *, half_close: bool
) -> None:
    try:
        async for chunk in source:
            await sink.send(chunk)
        if half_close:
            await sink.send_eof()  # onwards to the daemon's socket
    except (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream):
        pass  # the other side is gone; the relay ends with it
    except ssl.SSLError:
        pass  # a client that refused our certificate


@asynccontextmanager
async def tls_proxy(
    engine: Engine, server: str = "server", *, require_client_cert: bool = True
) -> AsyncIterator[int]:
    """Serve TLS on 127.0.0.1 (the port is yielded), relaying to the engine's socket."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(TLS_DATA / f"{server}-cert.pem", TLS_DATA / f"{server}-key.pem")
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(TLS_DATA / "ca.pem")
    socket_path = parse_host(engine.host).path

    async def relay(client: anyio.abc.ByteStream) -> None:
        async with client, await anyio.connect_unix(socket_path) as upstream:
            async with anyio.create_task_group() as tg:
                tg.start_soon(partial(_pump, client, upstream, half_close=True))
                await _pump(upstream, client, half_close=False)
                tg.cancel_scope.cancel()

    tcp = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = tcp.extra(anyio.abc.SocketAttribute.local_port)
    listener = TLSListener(tcp, context, standard_compatible=False)
    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, relay)
            try:
                yield port
            finally:
                tg.cancel_scope.cancel()
    finally:
        await listener.aclose()


async def _attach_echo(docker: Docker, image: str, labels: dict[str, str]) -> bytes:
    result = await docker.containers.run(
        image, ["sh", "-c", "echo through TLS; echo err >&2"], remove=True, labels=labels
    )
    assert (result.exit_code, result.stderr) == (0, b"err\n")
    return result.stdout


async def test_tls_from_the_environment_reaches_the_engine_and_carries_a_hijack(
    docker_engine: Engine,
    docker_test_image: str,
    docker_test_labels: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with tls_proxy(docker_engine) as port:
        monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{port}")
        monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
        monkeypatch.setenv("DOCKER_CERT_PATH", str(CLIENT))
        async with Docker() as docker:
            assert (await docker.system.version()).api_version == docker.api_version
            assert await _attach_echo(docker, docker_test_image, docker_test_labels) == (
                b"through TLS\n"
            )


async def test_a_context_uses_its_own_tls_files_whatever_the_environment_says(
    docker_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI ignores DOCKER_TLS_VERIFY / DOCKER_CERT_PATH for a named context.
    async with tls_proxy(docker_engine) as port:
        digest = hashlib.sha256(b"remote").hexdigest()
        meta = tmp_path / "contexts" / "meta" / digest
        meta.mkdir(parents=True)
        endpoint = {"Host": f"tcp://127.0.0.1:{port}", "SkipTLSVerify": False}
        (meta / "meta.json").write_text(json.dumps({"Endpoints": {"docker": endpoint}}))
        files = tmp_path / "contexts" / "tls" / digest / "docker"
        files.mkdir(parents=True)
        for name in ("ca.pem", "cert.pem", "key.pem"):
            (files / name).write_bytes((CLIENT / name).read_bytes())
        wrong = tmp_path / "wrong"
        wrong.mkdir()
        (wrong / "ca.pem").write_bytes((TLS_DATA / "other-ca.pem").read_bytes())
        monkeypatch.delenv("DOCKER_HOST", raising=False)
        for name, value in (
            ("DOCKER_CONFIG", str(tmp_path)),
            ("DOCKER_CONTEXT", "remote"),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", str(wrong)),
        ):
            monkeypatch.setenv(name, value)
        async with Docker() as docker:
            assert (await docker.system.ping()).api_version


async def test_refused_handshakes_say_why(docker_engine: Engine) -> None:
    trusted = TLSConfig.from_cert_path(CLIENT)
    async with tls_proxy(docker_engine) as port:
        untrusting = TLSConfig(ca_cert=str(TLS_DATA / "other-ca.pem"))
        async with Docker(f"tcp://localhost:{port}", tls=untrusting) as docker:
            with pytest.raises(errors.ConnectionFailed) as caught:
                await docker.system.ping()
        assert "certificate is not trusted (self-signed certificate in" in str(caught.value)
        async with Docker(f"tcp://localhost:{port}", tls=trusted) as docker:
            assert (await docker.system.ping()).api_version  # by a name the cert lists
    async with tls_proxy(docker_engine, "localhost-only") as port:
        async with Docker(f"tcp://127.0.0.1:{port}", tls=trusted) as docker:
            with pytest.raises(errors.ConnectionFailed, match="certificate is for another name"):
                await docker.system.ping()
        async with Docker(f"tcp://localhost:{port}", tls=trusted) as docker:
            assert (await docker.system.ping()).api_version


async def test_httpx_transport_over_tls_and_ipv6_addresses(docker_engine: Engine) -> None:
    address = resolve_host("tcp://localhost:1/prefix", tls=TLSConfig.from_cert_path(CLIENT))
    assert address.base_path == "/prefix"
    async with tls_proxy(docker_engine) as port:
        tls = TLSConfig.from_cert_path(CLIENT)
        transport = HttpxTransport(address=parse_host(f"tcp://127.0.0.1:{port}", tls=tls))
        async with Docker(transport=transport) as docker:
            assert (await docker.system.ping()).api_version
    ipv6 = HttpxTransport(address=parse_host("tcp://[::1]:2375/p"))
    assert repr(ipv6) == "<HttpxTransport http://[::1]:2375/p>"
    await ipv6.aclose()


async def test_a_user_httpx_clients_base_url_is_used_and_its_read_timeout_is_not(
    docker_engine: Engine, docker_test_image: str, docker_test_labels: dict[str, str]
) -> None:
    # httpx's default read timeout (5 s; 0.5 s here) would cut a followed stream that
    # is quiet for longer: only Docker(timeout=...) bounds calls.
    socket_path = parse_host(docker_engine.host).path
    client = httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(uds=socket_path),
        base_url="http://engine.local",
        timeout=0.5,
    )
    async with client, Docker(transport=HttpxTransport(client)) as docker:
        assert repr(docker.transport) == "<HttpxTransport http://engine.local>"
        created = await docker.containers.create(
            image=docker_test_image,
            cmd=["sh", "-c", "echo a; sleep 1.5; echo b"],
            labels=docker_test_labels,
        )
        try:
            await docker.containers.start(created.id)
            with anyio.fail_after(30):
                async with docker.containers.logs(created.id, follow=True) as logs:
                    out, _ = await logs.collect()
            assert out == b"a\nb\n"
        finally:
            await docker.containers.remove(created.id, force=True)
