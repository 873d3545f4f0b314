"""Where the engine is: address forms, DOCKER_HOST, contexts, TLS from the environment."""

from __future__ import annotations

import hashlib
import json
import ssl
from pathlib import Path

import pytest

from aiodocker_engine.errors import DockerError
from aiodocker_engine.transport._host import DEFAULT_HOST, TLSConfig, parse_host, resolve_host

TLS_DATA = Path(__file__).parent.parent / "data" / "tls"


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
        ("http+unix://", "no socket path"),
        ("tcp://", "no host"),
        ("tcp://h:99999", "bad port"),
        ("ssh://", "no host"),
        ("npipe:////./pipe/docker_engine", "use unix://, tcp:// or ssh://"),
    ],
)
def test_bad_addresses_are_refused_by_name(url: str, says: str) -> None:
    with pytest.raises(DockerError, match=says):
        parse_host(url)


def _context(
    config: Path,
    name: str,
    host: str,
    *,
    skip_verify: bool | None = None,
    tls_from: Path | None = None,
) -> None:
    """A context as `docker context create` writes it; TLS files copied from `tls_from`."""
    digest = hashlib.sha256(name.encode()).hexdigest()
    endpoint: dict[str, object] = {"Host": host}
    if skip_verify is not None:
        endpoint["SkipTLSVerify"] = skip_verify
    if tls_from is not None:
        tls = config / "contexts" / "tls" / digest / "docker"
        tls.mkdir(parents=True)
        for file in ("ca.pem", "cert.pem", "key.pem"):
            (tls / file).write_bytes((tls_from / file).read_bytes())
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
    (tmp_path / "ca.pem").write_bytes((TLS_DATA / "ca.pem").read_bytes())
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


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("unix://relative/dir/docker.sock", "relative/dir/docker.sock"),
        ("unix://var/run/x.sock", "var/run/x.sock"),
        ("unix://", "/var/run/docker.sock"),
        ("unix:/var/run/docker.sock", "/var/run/docker.sock"),  # one slash, as some tools write
        ("http+unix:///var/run/docker.sock", "/var/run/docker.sock"),  # not percent-encoded
    ],
)
def test_unix_paths_are_what_follows_the_scheme(url: str, path: str) -> None:
    # As the CLI (Go's ParseHostURL): a relative path stays relative, none is the default.
    assert parse_host(url).path == path


def test_an_address_without_a_scheme_is_tcp() -> None:
    address = parse_host("localhost:2375")
    assert (address.scheme, address.host, address.port) == ("tcp", "localhost", 2375)


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("tcp://h:2375/prefix", "/prefix"),
        ("tcp://h:2375/a/b/", "/a/b"),
        ("tcp://h:2375/", ""),
        ("https://h/docker", "/docker"),
    ],
)
def test_a_tcp_path_is_a_prefix_of_every_request(url: str, base: str) -> None:
    assert parse_host(url, tls=TLSConfig(verify=False)).base_path == base


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("tcp://admin:s3cret@h:2375", "tcp://admin:***@h:2375"),
        ("ssh://me:s3cret@box:22", "ssh://me:***@box:22"),
        ("tcp://admin@h:2375/p", "tcp://admin@h:2375/p"),
        ("tcp://a:b:c@h:2375/x@y", "tcp://a:***@h:2375/x@y"),
    ],
)
def test_a_password_in_the_address_is_masked(url: str, shown: str) -> None:
    assert parse_host(url).url == shown


def test_a_bad_port_anywhere_is_a_docker_error() -> None:
    for url in ("ssh://h:abc", "tcp://h:abc", "ssh://u:s3cret@h:abc"):
        with pytest.raises(DockerError, match="bad port") as caught:
            parse_host(url)
        assert "s3cret" not in str(caught.value)


def test_verifying_needs_a_ca_and_a_client_pair_needs_both(tmp_path: Path) -> None:
    with pytest.raises(DockerError, match=r"DOCKER_TLS_VERIFY needs .*ca\.pem"):
        resolve_host(env={"DOCKER_HOST": "tcp://h", "DOCKER_TLS_VERIFY": "1",
                          "DOCKER_CERT_PATH": str(tmp_path)})  # fmt: skip
    # A unix socket needs no TLS: the environment's TLS settings are not even read.
    unix = {"DOCKER_HOST": "unix:///x.sock", "DOCKER_TLS_VERIFY": "1"}
    assert resolve_host(env={**unix, "DOCKER_CERT_PATH": str(tmp_path)}).scheme == "unix"
    (tmp_path / "cert.pem").write_bytes((TLS_DATA / "client" / "cert.pem").read_bytes())
    with pytest.raises(DockerError, match=r"cert\.pem has no .*key\.pem beside it"):
        TLSConfig.from_cert_path(tmp_path, verify=False)


def test_unusable_tls_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    for config in (TLSConfig(ca_cert=str(tmp_path / "missing.pem")), TLSConfig(ca_cert=str(bad))):
        with pytest.raises(DockerError, match="cannot use the TLS files") as caught:
            parse_host("tcp://h", tls=config)
        assert str(config.ca_cert) in str(caught.value)


def test_an_encrypted_client_key_fails_instead_of_prompting() -> None:
    key = TLS_DATA / "client-key-encrypted.pem"
    config = TLSConfig(client_cert=str(TLS_DATA / "client" / "cert.pem"), client_key=str(key))
    with pytest.raises(DockerError, match="encrypted"):
        parse_host("tcp://h", tls=config)


def test_a_context_uses_its_own_tls_not_the_environments(tmp_path: Path) -> None:
    _context(tmp_path, "remote", "tcp://h:2376", skip_verify=False, tls_from=TLS_DATA / "client")
    _context(tmp_path, "skipping", "tcp://h:2376", skip_verify=True)
    env = {"DOCKER_CONFIG": str(tmp_path), "DOCKER_TLS_VERIFY": "1",
           "DOCKER_CERT_PATH": str(tmp_path / "nowhere")}  # fmt: skip
    remote = resolve_host(env={**env, "DOCKER_CONTEXT": "remote"})
    assert remote.tls_context is not None
    assert remote.tls_context.verify_mode == ssl.CERT_REQUIRED
    # SkipTLSVerify without TLS files is still TLS, unverified (the CLI's rule).
    skipping = resolve_host(env={**env, "DOCKER_CONTEXT": "skipping"})
    assert skipping.tls_context is not None
    assert skipping.tls_context.verify_mode == ssl.CERT_NONE
    # The environment's TLS applies to DOCKER_HOST, and fails there for want of a CA.
    with pytest.raises(DockerError, match="DOCKER_TLS_VERIFY needs"):
        resolve_host(env={**env, "DOCKER_HOST": "tcp://h:2376"})


def test_a_context_with_a_client_pair_and_no_ca_trusts_the_system_cas(tmp_path: Path) -> None:
    # A daemon whose certificate comes from a public CA: the CLI uses the system roots.
    pair = tmp_path / "pair"
    pair.mkdir()
    for file in ("cert.pem", "key.pem"):
        (pair / file).write_bytes((TLS_DATA / "client" / file).read_bytes())
    (pair / "ca.pem").write_bytes(b"")  # _context copies three files: drop the CA after
    _context(tmp_path, "public", "tcp://h:2376", skip_verify=False, tls_from=pair)
    digest = hashlib.sha256(b"public").hexdigest()
    (tmp_path / "contexts" / "tls" / digest / "docker" / "ca.pem").unlink()
    address = resolve_host(env={"DOCKER_CONFIG": str(tmp_path), "DOCKER_CONTEXT": "public"})
    assert address.tls_context is not None
    assert address.tls_context.verify_mode == ssl.CERT_REQUIRED
