"""Registry credentials: references, config.json, credential helpers, headers, redaction."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import anyio
import pytest

from aiodocker_engine import _auth, errors, models
from aiodocker_engine._auth import (
    HUB_SERVER,
    CredentialStore,
    RegistryAuth,
    check_registry,
    encode_auth_header,
    encode_registry_config,
    registry_of,
)
from aiodocker_engine.api.images import split_reference

REFERENCES: list[tuple[str, str]] = [
    ("busybox", "docker.io"),
    ("busybox:1.36", "docker.io"),
    ("library/busybox", "docker.io"),
    ("user/app:tag", "docker.io"),
    ("docker.io/library/busybox", "docker.io"),
    ("index.docker.io/user/app", "docker.io"),
    ("registry-1.docker.io/user/app", "docker.io"),
    ("localhost/app", "localhost"),
    ("localhost:5000/app", "localhost:5000"),
    ("127.0.0.1:5000/team/app@sha256:" + "a" * 64, "127.0.0.1:5000"),
    ("ghcr.io/owner/app:1", "ghcr.io"),
    ("my.registry/app", "my.registry"),
    ("Upper/app", "Upper"),  # upper case cannot be a Hub namespace: the CLI takes it as a host
    ("user/app@sha256:" + "b" * 64, "docker.io"),
]


@pytest.mark.parametrize(("reference", "registry"), REFERENCES)
def test_registry_of_resolves_like_the_cli(reference: str, registry: str) -> None:
    assert registry_of(reference) == registry


@pytest.mark.parametrize(
    ("reference", "parts"),
    [
        ("busybox", ("busybox", None, None)),
        ("busybox:1.36", ("busybox", "1.36", None)),
        ("localhost:5000/app", ("localhost:5000/app", None, None)),
        ("localhost:5000/app:v2", ("localhost:5000/app", "v2", None)),
        ("app@sha256:abc", ("app", None, "sha256:abc")),
        ("host:1/app:t@sha256:abc", ("host:1/app", "t", "sha256:abc")),
    ],
)
def test_split_reference(reference: str, parts: tuple[str, str | None, str | None]) -> None:
    assert split_reference(reference) == parts


def _decode(header: str) -> dict[str, str]:
    decoded: dict[str, str] = json.loads(base64.urlsafe_b64decode(header))
    return decoded


def test_auth_header_is_url_safe_base64_json_naming_its_registry() -> None:
    auth = RegistryAuth(username="u", password="p?>>~~~")  # "?>>" gives "/" and "+" in base64
    header = encode_auth_header(auth, "localhost:5000")
    assert "+" not in header and "/" not in header
    assert _decode(header) == {
        "username": "u",
        "password": "p?>>~~~",
        "serveraddress": "localhost:5000",
    }
    assert _decode(encode_auth_header(auth, "docker.io"))["serveraddress"] == HUB_SERVER
    assert _decode(encode_auth_header(None)) == {}
    token = RegistryAuth(identity_token="tok")
    assert _decode(encode_auth_header(token, "r.example")) == {
        "identitytoken": "tok",
        "serveraddress": "r.example",
    }


def test_registry_config_keys_every_auth_by_its_registry() -> None:
    header = encode_registry_config(
        {"docker.io": RegistryAuth(username="a", password="b"), "r:5000": RegistryAuth("c", "d")}
    )
    assert _decode(header) == {  # type: ignore[comparison-overlap]
        HUB_SERVER: {"username": "a", "password": "b", "serveraddress": HUB_SERVER},
        "r:5000": {"username": "c", "password": "d", "serveraddress": "r:5000"},
    }


def test_repr_and_str_never_show_secrets() -> None:
    auth = RegistryAuth(
        username="alice",
        password="hunter2",
        identity_token="idtok",
        registry_token="regtok",
        server_address="r:5000",
    )
    for text in (repr(auth), str(auth), f"{auth}", repr([auth])):
        assert "hunter2" not in text and "idtok" not in text and "regtok" not in text
        assert "alice" in text and "redacted" in text


def test_coerce_accepts_models_and_mappings() -> None:
    model = models.AuthConfig(username="u", password="p", serveraddress="r:1")
    assert RegistryAuth.coerce(model) == RegistryAuth("u", "p", server_address="r:1")
    assert RegistryAuth.coerce({"identitytoken": "t"}).identity_token == "t"
    with pytest.raises(TypeError):
        RegistryAuth.coerce(42)  # type: ignore[arg-type]


def test_credentials_for_another_registry_are_refused_without_secrets() -> None:
    auth = RegistryAuth("u", "s3cret", server_address="https://a.example/v1/")
    check_registry(auth, "a.example")
    check_registry(RegistryAuth("u", "p"), "anything")  # no address: given for this call
    check_registry(RegistryAuth("u", "p", server_address=HUB_SERVER), "docker.io")
    with pytest.raises(
        ValueError, match=r"'a\.example' will not be sent to 'b\.example'"
    ) as caught:
        check_registry(auth, "b.example")
    assert "s3cret" not in str(caught.value)


def _store(tmp_path: Path, config: object) -> CredentialStore:
    (tmp_path / "config.json").write_text(json.dumps(config))
    return CredentialStore(tmp_path)


@pytest.mark.anyio
async def test_config_auths_match_by_host_name(tmp_path: Path) -> None:
    store = _store(
        tmp_path,
        {
            "auths": {
                HUB_SERVER: {"auth": base64.b64encode(b"hubuser:hub:pass").decode()},
                "https://r.example:5000/v1/": {"identitytoken": "tok"},
                "empty.example": {},
            }
        },
    )
    hub = await store.get("docker.io")
    assert hub is not None and (hub.username, hub.password) == ("hubuser", "hub:pass")
    assert hub.server_address == HUB_SERVER
    other = await store.get("r.example:5000")
    assert other is not None and other.identity_token == "tok"
    assert await store.get("empty.example") is None
    assert await store.get("unknown.example") is None
    assert set(await store.all()) == {"docker.io", "r.example:5000"}


@pytest.mark.anyio
async def test_missing_empty_and_broken_config(tmp_path: Path) -> None:
    assert await CredentialStore(tmp_path / "absent").get("docker.io") is None
    (tmp_path / "config.json").write_text("")
    assert await CredentialStore(tmp_path).get("docker.io") is None
    (tmp_path / "config.json").write_text('{"auths": {"x": {"auth": "!!"}}')
    with pytest.raises(errors.DockerError, match="not valid JSON"):
        await CredentialStore(tmp_path).get("x")
    (tmp_path / "config.json").write_text('{"auths": {"x": {"auth": "bm9jb2xvbg=="}}}')
    with pytest.raises(errors.DockerError, match="not base64 of user:password"):
        await CredentialStore(tmp_path).get("x")


@pytest.mark.anyio
async def test_docker_config_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(tmp_path, {"auths": {"r.example": {"username": "u", "password": "p"}}})
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    found = await CredentialStore().get("r.example")
    assert found is not None and found.password == "p"
    assert CredentialStore().config_path == tmp_path / "config.json"


def _helper(bin_dir: Path, name: str, script: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "bin"
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ.get('PATH', '')}")
    return directory


@pytest.mark.anyio
async def test_cred_helpers_win_over_creds_store_and_auths(tmp_path: Path, bin_dir: Path) -> None:
    _helper(
        bin_dir,
        "special",
        'read server\necho "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"h\\",'
        '\\"Secret\\":\\"from-helper-$server\\"}"\n',
    )
    _helper(
        bin_dir,
        "store",
        'case "$1" in\n'
        '  get) read server; [ "$server" = "https://index.docker.io/v1/" ] || '
        '{ echo "credentials not found in native keychain"; exit 1; }\n'
        '       echo \'{"Username":"<token>","Secret":"hub-identity"}\';;\n'
        '  list) echo \'{"https://index.docker.io/v1/":"<token>"}\';;\n'
        "  *) exit 2;;\nesac\n",
    )
    store = _store(
        tmp_path,
        {
            "credsStore": "store",
            "credHelpers": {"special.example": "special"},
            "auths": {"plain.example": {"auth": base64.b64encode(b"p:q").decode()}},
        },
    )
    special = await store.get("special.example")
    assert special is not None
    assert (special.username, special.password) == ("h", "from-helper-special.example")
    hub = await store.get("docker.io")
    assert hub is not None and hub.identity_token == "hub-identity" and hub.username is None
    plain = await store.get("plain.example")  # the store has nothing: fall back to auths
    assert plain is not None and plain.password == "q"
    everything = await store.all()
    assert set(everything) == {"docker.io", "special.example", "plain.example"}


@pytest.mark.anyio
async def test_failing_or_absent_helpers_raise_without_their_output(
    tmp_path: Path, bin_dir: Path
) -> None:
    _helper(bin_dir, "broken", "echo 'leaked-secret' >&2\nexit 5\n")
    store = _store(tmp_path, {"credsStore": "broken"})
    with pytest.raises(errors.DockerError, match="exit status 5") as caught:
        await store.get("r.example")
    assert "leaked-secret" not in str(caught.value)
    _helper(bin_dir, "garbage", "echo not-json\n")
    with pytest.raises(errors.DockerError, match="not a JSON object"):
        await _store(tmp_path, {"credsStore": "garbage"}).get("r.example")
    with pytest.raises(errors.DockerError, match=r"docker-credential-nope .*not on PATH"):
        await _store(tmp_path, {"credHelpers": {"r.example": "nope"}}).get("r.example")


@pytest.mark.anyio
async def test_all_skips_helpers_that_fail_as_the_cli_build_does(
    tmp_path: Path, bin_dir: Path
) -> None:
    _helper(bin_dir, "broken", "exit 5\n")
    plain = {"auth": base64.b64encode(b"p:q").decode()}
    store = _store(
        tmp_path,
        {
            "credsStore": "desktop",  # not on PATH, as in a config copied from a laptop
            "credHelpers": {"gcr.example": "broken"},
            "auths": {"plain.example": plain},
        },
    )
    everything = await store.all()
    assert set(everything) == {"plain.example"}
    assert everything["plain.example"].password == "q"


@pytest.mark.anyio
async def test_a_helper_that_never_answers_is_killed_after_the_helper_timeout(
    tmp_path: Path, bin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_auth, "HELPER_TIMEOUT", 0.5)
    _helper(bin_dir, "stuck", "sleep 60\n")
    store = _store(tmp_path, {"credsStore": "stuck"})
    with anyio.fail_after(20):
        with pytest.raises(errors.DockerError, match=r"docker-credential-stuck .*within 0\.5 s"):
            await store.get("r.example")
