"""system.auth request bodies on the fake engine: what the 1.41 test daemon cannot show."""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager

import anyio.abc
import pytest

from aiodocker_engine import Docker, errors, models
from tests.fake_engine import FakeEngine, FakeRequest, fake_engine, response

pytestmark = [pytest.mark.anyio]


def _engine_at(api: str) -> AbstractAsyncContextManager[FakeEngine]:
    async def answer(request: FakeRequest, stream: anyio.abc.ByteStream) -> bool:
        body = b"OK" if request.target == "/_ping" else b'{"Status": "Login Succeeded"}'
        await stream.send(response(200, body, headers={"Api-Version": api}))
        return True

    return fake_engine(answer)


async def test_email_is_refused_before_sending_after_api_1_51(anyio_backend: str) -> None:
    """`email` is gone from the spec after 1.51: a VersionError, however it is given."""
    async with _engine_at("1.52") as engine, Docker(engine.host) as docker:
        with pytest.raises(errors.VersionError, match=r"'email' was removed after API 1\.51"):
            await docker.system.auth(models.AuthConfig(username="u", password="p", email="e@x"))
        with pytest.raises(errors.VersionError, match="email"):
            await docker.system.auth({"username": "u", "password": "p", "email": "e@x"})
        assert await docker.system.auth(username="u", password="p", serveraddress="r")
    assert [r.target for r in engine.requests] == ["/_ping", "/v1.52/auth"]
    assert json.loads(engine.requests[-1].body) == {
        "username": "u",
        "password": "p",
        "serveraddress": "r",
    }


async def test_a_model_a_mapping_and_keywords_send_the_same_body(anyio_backend: str) -> None:
    async with _engine_at("1.41") as engine, Docker(engine.host) as docker:
        await docker.system.auth(models.AuthConfig(username="u", password="p", serveraddress="r"))
        await docker.system.auth({"username": "u", "password": "p", "serveraddress": "r"})
        await docker.system.auth(
            {"username": "u", "password": "old"}, password="p", serveraddress="r"
        )
        await docker.system.auth(username="u", password="p", serveraddress="r")
        await docker.system.auth(models.AuthConfig(username="u", password="p", email="e@x"))
    bodies = [json.loads(r.body) for r in engine.requests if r.target == "/v1.41/auth"]
    expected = {"username": "u", "password": "p", "serveraddress": "r"}
    assert bodies == [expected] * 4 + [{"username": "u", "password": "p", "email": "e@x"}]
    assert all(r.headers["content-type"] == "application/json" for r in engine.requests[1:])
