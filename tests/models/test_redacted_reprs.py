"""Credentials never appear in model reprs: they show as <redacted>, the rest as msgspec has it."""

from __future__ import annotations

import msgspec
import pytest

from aiodocker_engine import models

SECRET = "s3cret-value"

# Every model with a credential field, made with the secret in each such field.
WITH_SECRETS: list[msgspec.Struct] = [
    models.AuthConfig(username="alice", password=SECRET, serveraddress="r:5000"),
    models.AuthResponse(status="Login Succeeded", identity_token=SECRET),
    models.JoinTokens(worker=SECRET, manager=SECRET),
    models.SwarmJoinRequest(remote_addrs=["10.0.0.1:2377"], join_token=SECRET),
    models.SwarmUnlockRequest(unlock_key=SECRET),
    models.UnlockKeyResponse(unlock_key=SECRET),
    models.SecretSpec(name="db-password", data=SECRET),
    models.SwarmSpecCAConfig(signing_ca_cert="CERT", signing_ca_key=SECRET),
]


@pytest.mark.parametrize("model", WITH_SECRETS, ids=lambda m: type(m).__name__)
def test_credentials_show_as_redacted_in_repr_str_and_rich_repr(model: msgspec.Struct) -> None:
    assert SECRET not in repr(model)
    assert SECRET not in str(model)
    assert "=<redacted>" in repr(model)
    rich = model.__rich_repr__()
    assert SECRET not in repr(rich)
    # Encoding is untouched: the daemon still gets the credential.
    assert SECRET.encode() in msgspec.json.encode(model)


def test_the_rest_of_the_repr_is_msgspecs_own() -> None:
    auth = models.AuthConfig(username="alice", password=SECRET, serveraddress="r:5000")
    assert repr(auth) == "AuthConfig(username='alice', password=<redacted>, serveraddress='r:5000')"
    # With the credential unset, exactly msgspec's repr (fields at their default left out).
    bare = models.AuthConfig(username="alice", serveraddress="r:5000")
    assert repr(bare) == msgspec.Struct.__repr__(bare) == str(bare)
    assert repr(models.AuthConfig()) == "AuthConfig()"
    assert bare.__rich_repr__() == [("username", "alice"), ("serveraddress", "r:5000")]


def test_a_nested_credential_is_redacted_too() -> None:
    swarm = models.Swarm(id="s1", join_tokens=models.JoinTokens(worker=SECRET, manager=SECRET))
    text = repr(swarm)
    assert SECRET not in text
    assert "join_tokens=JoinTokens(worker=<redacted>, manager=<redacted>)" in text
    decoded = msgspec.json.decode(
        b'{"Status": "Login Succeeded", "IdentityToken": "%s"}' % SECRET.encode(),
        type=models.AuthResponse,
    )
    assert decoded.identity_token == SECRET
    assert repr(decoded) == "AuthResponse(status='Login Succeeded', identity_token=<redacted>)"
