"""Where the engine is: address forms, DOCKER_HOST, contexts, TLS from the environment."""

from __future__ import annotations

import hashlib
import json
import ssl
from pathlib import Path

import pytest

from aiodocker_engine.errors import DockerError
from aiodocker_engine.transport._host import DEFAULT_HOST, TLSConfig, parse_host, resolve_host


@pytest.mark.parametrize(
    "url",
    [
        "unix:///var/run/docker.sock",
        "/var/run/docker.sock",
        "http+unix://%2Fvar%2Frun%2Fdocker.sock",
    ],
)
def test_unix_socket_forms(url: str) -> None:
    address = parse_host(url)
    assert (address.scheme, address.path, address.host_header) == (
        "unix",
        "/var/run/docker.sock",
        "docker",
    )


def test_tcp_forms_ports_and_tls() -> None:
    plain = parse_host("tcp://127.0.0.1:2375")
    assert (plain.scheme, plain.host, plain.port, plain.tls_context) == (
        "tcp",
        "127.0.0.1",
        2375,
        None,
    )
    assert plain.host_header == "127.0.0.1:2375"
    assert parse_host("tcp://docker.example").port == 2375
    secure = parse_host("tcp://docker.example", tls=True)
    assert secure.port == 2376 and isinstance(secure.tls_context, ssl.SSLContext)
    assert secure.tls_hostname == "docker.example"
    assert parse_host("https://docker.example").tls_context is not None
    unverified = parse_host("tcp://h:1", tls=TLSConfig(verify=False)).tls_context
    assert unverified is not None and unverified.verify_mode == ssl.CERT_NONE


def test_an_ipv6_literal_is_bracketed_in_the_host_header() -> None:
    address = parse_host("tcp://[::1]:2375")
    assert (address.host, address.port, address.host_header) == ("::1", 2375, "[::1]:2375")


def test_ssh_address() -> None:
    address = parse_host("ssh://me@box.example:2222")
    assert (address.scheme, address.user, address.host, address.port) == (
        "ssh",
        "me",
        "box.example",
        2222,
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "invalid engine address"),
        ("unix://", "no socket path"),
        ("tcp://", "no host"),
        ("tcp://h:99999", "bad port"),
        ("ssh://", "no host"),
        ("npipe:////./pipe/docker_engine", "use unix://, tcp:// or ssh://"),
    ],
)
def test_bad_addresses_are_refused_by_name(url: str, says: str) -> None:
    with pytest.raises(DockerError, match=says):
        parse_host(url)


def _context(config: Path, name: str, host: str, *, skip_verify: bool | None = None) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    endpoint: dict[str, object] = {"Host": host}
    if skip_verify is not None:
        endpoint["SkipTLSVerify"] = skip_verify
        (config / "contexts" / "tls" / digest / "docker").mkdir(parents=True)
    meta = config / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": endpoint}}))


def test_resolution_order_follows_the_cli(tmp_path: Path) -> None:
    config = tmp_path / "docker-config"
    config.mkdir()
    _context(config, "remote", "tcp://remote.example:2375")
    _context(config, "other", "unix:///other.sock")
    env = {"DOCKER_CONFIG": str(config)}
    assert resolve_host(env=env).url == DEFAULT_HOST  # nothing set: the default socket
    (config / "config.json").write_text(json.dumps({"currentContext": "remote"}))
    assert resolve_host(env=env).host == "remote.example"
    assert resolve_host(env={**env, "DOCKER_CONTEXT": "other"}).path == "/other.sock"
    assert resolve_host(env={**env, "DOCKER_CONTEXT": "default"}).url == DEFAULT_HOST
    with_host = {**env, "DOCKER_CONTEXT": "other", "DOCKER_HOST": "unix:///env.sock"}
    assert resolve_host(env=with_host).path == "/env.sock"
    assert resolve_host("unix:///arg.sock", env=with_host).path == "/arg.sock"
    with pytest.raises(DockerError, match="docker context 'gone' not found"):
        resolve_host(env={**env, "DOCKER_CONTEXT": "gone"})


def test_a_context_brings_its_tls_files_and_verify_setting(tmp_path: Path) -> None:
    _context(tmp_path, "lab", "tcp://lab.example:2376", skip_verify=True)
    address = resolve_host(env={"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "lab"})
    assert address.tls_context is not None
    assert address.tls_context.verify_mode == ssl.CERT_NONE


def test_tls_from_the_environment(tmp_path: Path) -> None:
    certs = {"DOCKER_CERT_PATH": str(tmp_path)}
    for verify in ("1", "0", "yes"):  # any non-empty value means verify, as in the CLI
        env = {**certs, "DOCKER_TLS_VERIFY": verify, "DOCKER_HOST": "tcp://h"}
        address = resolve_host(env=env)
        assert address.port == 2376 and address.tls_context is not None
        assert address.tls_context.verify_mode == ssl.CERT_REQUIRED
    only_path = resolve_host(env={**certs, "DOCKER_HOST": "tcp://h"})
    assert only_path.tls_context is not None
    assert only_path.tls_context.verify_mode == ssl.CERT_NONE
    assert resolve_host(env={"DOCKER_HOST": "tcp://h"}).tls_context is None
