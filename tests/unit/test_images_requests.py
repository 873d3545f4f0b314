"""Request shapes of image operations: paths, query parameters and auth headers (no daemon)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest

from aiodocker_engine import Docker, errors
from aiodocker_engine._auth import CredentialStore
from aiodocker_engine.transport._base import Request, Response, UpgradedStream

pytestmark = pytest.mark.anyio

IMAGE_ID = "sha256:" + "2" * 64


class CannedResponse(Response):
    def __init__(self, body: bytes, status: int = 200) -> None:
        self.status = status
        self.reason = "OK"
        self.headers = {"content-type": "application/json"}
        self.content = body
        self._left = [body]

    def aiter_raw(self) -> AsyncIterator[bytes | memoryview]:
        return self

    def __aiter__(self) -> AsyncIterator[bytes | memoryview]:
        return self

    async def __anext__(self) -> bytes:
        if not self._left:
            raise StopAsyncIteration
        return self._left.pop()

    def upgraded(self) -> UpgradedStream:
        raise NotImplementedError

    async def aclose(self) -> None:
        self._left = []


class Recorder:
    """A transport that records each request (with its body) and answers `answer`."""

    def __init__(self, answer: bytes = b"[]") -> None:
        self.answer = answer
        self.requests: list[tuple[Request, bytes]] = []

    async def request(self, request: Request, *, buffered: bool = False) -> Response:
        body = request.body
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        else:
            data = b"".join([chunk async for chunk in body])
        self.requests.append((request, data))
        return CannedResponse(self.answer)

    async def aclose(self) -> None:
        pass

    def last(self) -> tuple[str, str, dict[str, list[str]], dict[str, str]]:
        request, _ = self.requests[-1]
        parts = urlsplit(request.target)
        return request.method, parts.path, parse_qs(parts.query), dict(request.headers or {})


def _client(recorder: Recorder) -> Docker:
    docker = Docker(transport=recorder, api_version="1.41")
    docker.images.credentials = CredentialStore("/nonexistent-aiodocker-config")
    return docker


def _auth(headers: dict[str, str], name: str = "X-Registry-Auth") -> object:
    return json.loads(base64.urlsafe_b64decode(headers[name]))


async def test_pull_defaults_to_latest_and_splits_tags_and_digests() -> None:
    recorder = Recorder(b'{"status":"Status: Image is up to date for busybox:latest"}')
    docker = _client(recorder)
    await docker.images.pull("busybox")
    method, path, query, headers = recorder.last()
    assert (method, path) == ("POST", "/v1.41/images/create")
    assert query == {"fromImage": ["busybox"], "tag": ["latest"]}
    assert _auth(headers) == {}
    await docker.images.pull("localhost:5000/a/b:v2", platform="linux/arm64")
    assert recorder.last()[2] == {
        "fromImage": ["localhost:5000/a/b"],
        "tag": ["v2"],
        "platform": ["linux/arm64"],
    }
    await docker.images.pull("app@sha256:abc")
    assert recorder.last()[2] == {"fromImage": ["app"], "tag": ["sha256:abc"]}
    await docker.images.pull("app", all_tags=True)
    assert recorder.last()[2] == {"fromImage": ["app"]}
    with pytest.raises(ValueError, match="all_tags"):
        docker.images.pull("app:1", all_tags=True)


async def test_push_always_sends_an_auth_header_and_the_tag() -> None:
    recorder = Recorder(b"")
    docker = _client(recorder)
    await docker.images.push("127.0.0.1:5000/team/app:1", auth={"username": "u", "password": "p"})
    _, path, query, headers = recorder.last()
    assert path == "/v1.41/images/127.0.0.1:5000/team/app/push"
    assert query == {"tag": ["1"]}
    assert _auth(headers) == {"username": "u", "password": "p", "serveraddress": "127.0.0.1:5000"}
    await docker.images.push("user/app")
    _, path, query, headers = recorder.last()
    assert path == "/v1.41/images/user/app/push" and query == {"tag": ["latest"]}
    assert headers["X-Registry-Auth"] == base64.urlsafe_b64encode(b"{}").decode()
    with pytest.raises(ValueError, match="digest"):
        docker.images.push("app@sha256:abc")


async def test_platform_parameters_become_json_on_newer_endpoints() -> None:
    recorder = Recorder(b'{"Id": "sha256:0123"}')
    docker = Docker(transport=recorder, api_version="1.49")
    await docker.images.inspect("busybox", platform="linux/arm64/v8")
    assert json.loads(recorder.last()[2]["platform"][0]) == {
        "os": "linux",
        "architecture": "arm64",
        "variant": "v8",
    }
    with pytest.raises(errors.VersionError):
        await Docker(transport=recorder, api_version="1.41").images.inspect(
            "busybox", platform="linux/amd64"
        )


async def test_build_query_carries_every_option() -> None:
    recorder = Recorder(json.dumps({"aux": {"ID": IMAGE_ID}}).encode())
    docker = _client(recorder)
    result = await docker.images.build(
        b"tar bytes",
        dockerfile="sub/Dockerfile",
        tag=["a:1", "b:2"],
        buildargs={"X": "1", "UNSET": None},
        labels={"l": "v"},
        cache_from=["a:0"],
        extra_hosts={"db": "10.0.0.5"},
        nocache=True,
        pull=True,
        rm=False,
        forcerm=True,
        network_mode="host",
        platform={"os": "linux", "architecture": "amd64"},
        target="final",
        shm_size=1024,
        memory=2**30,
        memswap=-1,
        cpu_shares=512,
        cpuset_cpus="0",
        cpu_period=100000,
        cpu_quota=50000,
        quiet=True,
        session="sess-1",
        auth={"r.example:5000": {"username": "u", "password": "p"}},
    )
    assert result.image_id == IMAGE_ID
    method, path, query, headers = recorder.last()
    assert (method, path) == ("POST", "/v1.41/build")
    assert recorder.requests[-1][1] == b"tar bytes"
    assert query == {
        "dockerfile": ["sub/Dockerfile"],
        "t": ["a:1", "b:2"],
        "extrahosts": ["db:10.0.0.5"],
        "q": ["1"],
        "nocache": ["1"],
        "cachefrom": ['["a:0"]'],
        "pull": ["1"],
        "rm": ["0"],
        "forcerm": ["1"],
        "memory": [str(2**30)],
        "memswap": ["-1"],
        "cpushares": ["512"],
        "cpusetcpus": ["0"],
        "cpuperiod": ["100000"],
        "cpuquota": ["50000"],
        "buildargs": ['{"X": "1", "UNSET": null}'],
        "shmsize": ["1024"],
        "labels": ['{"l": "v"}'],
        "networkmode": ["host"],
        "platform": ["linux/amd64"],
        "target": ["final"],
        "session": ["sess-1"],
    }
    assert _auth(headers, "X-Registry-Config") == {
        "r.example:5000": {"username": "u", "password": "p", "serveraddress": "r.example:5000"}
    }
    assert "X-Registry-Auth" not in headers


async def test_build_needs_a_context_or_remote() -> None:
    docker = _client(Recorder())
    with pytest.raises(ValueError, match="context or remote"):
        docker.images.build()
    recorder = Recorder(b"")
    docker = _client(recorder)
    await docker.images.build(remote="https://example.invalid/repo.git")
    assert recorder.last()[2] == {"remote": ["https://example.invalid/repo.git"]}


async def test_load_always_says_quiet_and_save_picks_the_endpoint() -> None:
    recorder = Recorder(b'{"stream":"Loaded image: x:1\\n"}')
    docker = _client(recorder)
    assert (await docker.images.load(b"tar")).images == ["x:1"]
    assert recorder.last()[2] == {"quiet": ["0"]}
    await docker.images.load(b"tar", quiet=True)
    assert recorder.last()[2] == {"quiet": ["1"]}
    recorder.answer = b"TAR"
    assert await docker.images.save("a:1").read() == b"TAR"
    assert recorder.last()[1] == "/v1.41/images/a:1/get"
    await docker.images.save("a:1", "b:2").read()
    assert recorder.last()[1:3] == ("/v1.41/images/get", {"names": ["a:1", "b:2"]})
    with pytest.raises(ValueError):
        docker.images.save()


async def test_search_commit_tag_remove_and_import_shapes() -> None:
    recorder = Recorder(b'[{"name":"busybox","star_count":3,"is_official":true}]')
    docker = _client(recorder)
    found = await docker.images.search("busybox", limit=5, filters={"is-official": True})
    assert found[0].name == "busybox" and found[0].is_official is True
    assert recorder.last()[2] == {
        "term": ["busybox"],
        "limit": ["5"],
        "filters": ['{"is-official":["true"]}'],
    }
    assert _auth(recorder.last()[3]) == {}  # none configured: "{}", as the CLI sends
    await docker.images.search("127.0.0.1:5000/team", auth={"username": "u", "password": "p"})
    assert _auth(recorder.last()[3]) == {
        "username": "u",
        "password": "p",
        "serveraddress": "127.0.0.1:5000",
    }
    recorder.answer = b'{"Id":"sha256:c"}'
    committed = await docker.images.commit(
        "web", repo="snap:1", pause=False, changes="ENV A=1", cmd=["sh"]
    )
    assert committed.id == "sha256:c"
    query = recorder.last()[2]
    assert query == {
        "container": ["web"],
        "repo": ["snap"],
        "tag": ["1"],
        "pause": ["0"],
        "changes": ["ENV A=1"],
    }
    assert json.loads(recorder.requests[-1][1]) == {"Cmd": ["sh"]}
    recorder.answer = b""
    await docker.images.tag("busybox", "localhost:5000/x:2")
    assert recorder.last()[2] == {"repo": ["localhost:5000/x"], "tag": ["2"]}
    recorder.answer = b'{"status":"' + IMAGE_ID.encode() + b'"}'
    imported = await docker.images.import_(
        "https://example.invalid/rootfs.tar", repo="base", changes=["CMD a", "ENV B=2"]
    )
    assert imported.image_id == IMAGE_ID
    assert recorder.last()[2] == {
        "fromSrc": ["https://example.invalid/rootfs.tar"],
        "repo": ["base"],
        "changes": ["CMD a", "ENV B=2"],
    }


@pytest.mark.parametrize("operation", ["tag", "commit", "import_"])
async def test_a_digest_cannot_name_a_new_image(operation: str) -> None:
    recorder = Recorder(b"{}")
    docker = _client(recorder)
    repo = "localhost:5000/x:1@sha256:" + "a" * 64
    with pytest.raises(ValueError, match=f"images.{operation}: cannot name an image with"):
        if operation == "tag":
            await docker.images.tag("busybox", repo)
        elif operation == "commit":
            await docker.images.commit("web", repo=repo)
        else:
            await docker.images.import_(b"tar", repo=repo)
    assert recorder.requests == []


async def test_import_sends_a_tagged_repo_whole_and_commit_always_sends_a_config() -> None:
    recorder = Recorder(b'{"status":"' + IMAGE_ID.encode() + b'"}')
    docker = _client(recorder)
    await docker.images.import_(b"tar", repo="localhost:5000/base:1")
    assert recorder.last()[2] == {"fromSrc": ["-"], "repo": ["localhost:5000/base:1"]}
    await docker.images.import_(b"tar", repo="base", tag="2")  # a tag given on its own
    assert recorder.last()[2] == {"fromSrc": ["-"], "repo": ["base"], "tag": ["2"]}
    recorder.answer = b'{"Id":"sha256:c"}'
    await docker.images.commit("web", repo="snap:1")
    assert recorder.requests[-1][1] == b"{}"  # Podman refuses a commit without a body
    assert recorder.last()[2] == {"container": ["web"], "repo": ["snap"], "tag": ["1"]}
