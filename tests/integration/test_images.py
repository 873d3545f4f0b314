"""Image operations against the real engine: build, tag, save/load, commit, import, prune."""

from __future__ import annotations

import contextlib
import io
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from aiodocker_engine import Docker, errors, models
from aiodocker_engine.streams._progress import ProgressError, ProgressResult

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


class Names:
    """Image names a test creates; all removed (force) when the test ends."""

    def __init__(self, docker: Docker, session: str) -> None:
        self.docker = docker
        self.session = session
        self.made: list[str] = []

    def __call__(self, stem: str, tag: str = "1") -> str:
        name = f"aiodocker-test-{stem}-{self.session}:{tag}"
        self.made.append(name)
        return name

    async def remove_all(self) -> None:
        with anyio.CancelScope(shield=True):
            for name in reversed(self.made):
                with contextlib.suppress(errors.NotFound):
                    await self.docker.images.remove(name, force=True)


@pytest.fixture
async def names(docker: Docker, docker_session_id: str) -> AsyncIterator[Names]:
    made = Names(docker, docker_session_id)
    try:
        yield made
    finally:
        await made.remove_all()


def _tar(files: dict[str, bytes], *, modes: dict[str, int] | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = (modes or {}).get(name, 0o644)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


async def test_build_from_directory_honours_dockerignore(
    docker: Docker, names: Names, tmp_path: Path
) -> None:
    _write(
        tmp_path,
        {
            "Dockerfile": (
                "FROM busybox\nARG GREETING\nCOPY . /ctx\n"
                'RUN echo "greeting=$GREETING" && cd /ctx && echo LIST-START && find . | sort'
                " && echo LIST-END\n"
                "RUN test ! -e /ctx/secret.txt && test ! -e /ctx/logs/a.log\n"
            ),
            ".dockerignore": (
                "# comment line\nsecret.txt   \n**/*.log\nsub\n!sub/keep\n/absolute.txt\n"
            ),
            "keep.txt": "kept",
            "secret.txt": "must not be sent",
            "absolute.txt": "ignored through a leading slash",
            "logs/a.log": "ignored at depth",
            "logs/b.txt": "kept at depth",
            "sub/drop.txt": "ignored directory",
            "sub/keep/x.txt": "re-included by a negation",
        },
    )
    tag = names("build")
    stream = docker.images.build(
        tmp_path, tag=tag, buildargs={"GREETING": "hello"}, labels={"made-by": "test"}
    )
    seen: list[models.ProgressMessage] = []
    async with stream:
        async for message in stream:
            seen.append(message)
    result = stream.result
    assert result.image_id is not None and result.image_id.startswith("sha256:")
    assert "greeting=hello" in result.log
    listing = result.log.split("LIST-START\n", 1)[1].split("LIST-END", 1)[0]
    for present in ("./keep.txt", "./logs/b.txt", "./sub/keep/x.txt", "./Dockerfile"):
        assert present in listing
    for absent in ("secret.txt", "a.log", "drop.txt", "absolute.txt"):
        assert absent not in listing
    assert "./.dockerignore" in listing
    info = await docker.images.inspect(tag)
    assert info.id == result.image_id
    assert info.config is not None and info.config.labels == {"made-by": "test"}
    assert any(m.aux for m in seen)


async def test_build_awaited_returns_the_image_id_and_tags_several_names(
    docker: Docker, names: Names, tmp_path: Path
) -> None:
    _write(tmp_path, {"Dockerfile": "FROM busybox\nLABEL x=y\n"})
    first, second = names("multi", "a"), names("multi", "b")
    result = await docker.images.build(tmp_path, tag=[first, second], gzip=True)
    assert isinstance(result, ProgressResult)
    info = await docker.images.inspect(result.image_id or "")
    assert set(info.repo_tags or []) == {first, second}


async def test_build_with_dockerfile_outside_the_context_hides_it(
    docker: Docker, names: Names, tmp_path: Path
) -> None:
    context = tmp_path / "context"
    _write(context, {"data.txt": "x", ".dockerignore": "nothing-matches\n"})
    _write(tmp_path, {"elsewhere/Build.dockerfile": "FROM busybox\nCOPY . /ctx\nRUN ls -a /ctx\n"})
    result = await docker.images.build(
        context, dockerfile=tmp_path / "elsewhere" / "Build.dockerfile", tag=names("outside")
    )
    assert "data.txt" in result.log
    assert ".dockerfile." not in result.log  # the daemon drops it through .dockerignore


async def test_build_follows_a_symlinked_dockerfile_and_finds_a_lowercase_one(
    docker: Docker, names: Names, tmp_path: Path
) -> None:
    _write(tmp_path, {"shared/Dockerfile": "FROM busybox\nRUN echo symlinked-df\n"})
    linked = tmp_path / "linked"
    _write(linked, {"data.txt": "x"})
    (linked / "Dockerfile").symlink_to(tmp_path / "shared" / "Dockerfile")
    result = await docker.images.build(linked, tag=names("symlinked"))
    assert "symlinked-df" in result.log
    lower = tmp_path / "lower"
    _write(lower, {"dockerfile": "FROM busybox\nRUN echo lowercase-df\n", ".dockerignore": "*"})
    result = await docker.images.build(lower, tag=names("lowercase"))
    assert "lowercase-df" in result.log


async def test_a_quiet_build_still_reports_the_image_id(
    docker: Docker, names: Names, tmp_path: Path
) -> None:
    _write(tmp_path, {"Dockerfile": "FROM busybox\nLABEL quiet=yes\n"})
    tag = names("quiet")
    result = await docker.images.build(tmp_path, tag=tag, quiet=True)
    assert result.image_id == (await docker.images.inspect(tag)).id


async def test_build_from_tar_bytes_and_async_stream(docker: Docker, names: Names) -> None:
    tar = _tar({"Dockerfile": b"FROM busybox\nCOPY f /f\nRUN cat /f\n", "f": b"from-a-tar\n"})
    result = await docker.images.build(tar, tag=names("tarbytes"))
    assert "from-a-tar" in result.log

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(tar), 700):
            yield tar[start : start + 700]

    streamed = await docker.images.build(chunks(), tag=names("tarstream"), nocache=True)
    assert "from-a-tar" in streamed.log and streamed.image_id


async def test_build_with_a_failing_step_raises_with_the_log(
    docker: Docker, tmp_path: Path
) -> None:
    _write(tmp_path, {"Dockerfile": "FROM busybox\nRUN echo before-the-failure && exit 7\n"})
    with pytest.raises(errors.StreamError) as caught:
        await docker.images.build(tmp_path, forcerm=True)
    exc = caught.value
    assert isinstance(exc, ProgressError)
    assert "non-zero code: 7" in exc.message
    assert "before-the-failure" in exc.log
    assert "before-the-failure" in str(exc)


async def test_build_with_missing_dockerfile_is_an_error(docker: Docker, tmp_path: Path) -> None:
    _write(tmp_path, {"x.txt": "x"})
    with pytest.raises(errors.DockerError, match="Dockerfile"):
        await docker.images.build(tmp_path)


async def test_tag_list_and_remove(docker: Docker, names: Names, docker_test_image: str) -> None:
    name = names("tag")
    await docker.images.tag(docker_test_image, name)
    repo = name.rsplit(":", 1)[0]
    listed = await docker.images.list(filters={"reference": repo})
    assert [image.repo_tags for image in listed] and name in (listed[0].repo_tags or [])
    removed = await docker.images.remove(name)
    assert [item.untagged for item in removed] == [name]
    with pytest.raises(errors.NotFound):
        await docker.images.inspect(name)
    with pytest.raises(errors.NotFound):
        await docker.images.tag("aiodocker-no-such-image:nope", name)


async def test_history_of_the_test_image(docker: Docker, docker_test_image: str) -> None:
    history = await docker.images.history(docker_test_image)
    assert history and isinstance(history[0], models.ImageHistoryResponseItem)


async def test_save_and_load_round_trip(
    docker: Docker, names: Names, docker_test_image: str, tmp_path: Path
) -> None:
    name = names("saved")
    await docker.images.tag(docker_test_image, name)
    target = tmp_path / "saved.tar"
    written = await docker.images.save(name).write_to(target)
    assert written == target.stat().st_size > 1024
    with tarfile.open(target) as tar:
        assert "manifest.json" in tar.getnames()
    await docker.images.remove(name)
    loaded = await docker.images.load(target)
    assert name in loaded.images
    assert (await docker.images.inspect(name)).repo_tags
    # bytes, quiet, and several images in one stream
    other = names("saved2")
    await docker.images.tag(docker_test_image, other)
    data = await docker.images.save(name, other).read()
    await docker.images.remove(name)
    await docker.images.remove(other)
    quiet = await docker.images.load(data, quiet=True)
    assert set(quiet.images) >= {name, other}


async def test_load_of_garbage_raises(docker: Docker) -> None:
    with pytest.raises(errors.DockerError):
        await docker.images.load(b"this is not a tar archive" * 100)


async def test_save_of_a_missing_image_is_not_found(docker: Docker) -> None:
    with pytest.raises(errors.NotFound):
        await docker.images.save("aiodocker-no-such-image:nope").read()


async def test_commit_a_container_with_changes(
    docker: Docker, names: Names, container_factory: Any
) -> None:
    created = await container_factory(cmd=["sh", "-c", "echo committed > /marker"])
    await docker.containers.start(created.id)
    await docker.containers.wait(created.id)
    repo = names("commit")
    committed = await docker.images.commit(
        created.id,
        repo=repo,
        comment="made by a test",
        author="aiodocker_engine",
        changes=["ENV COMMITTED=yes", "WORKDIR /data"],
    )
    assert committed.id is not None
    info = await docker.images.inspect(repo)
    assert info.id == committed.id
    assert info.comment == "made by a test" and info.author == "aiodocker_engine"
    assert info.config is not None
    assert "COMMITTED=yes" in (info.config.env or []) and info.config.working_dir == "/data"
    # No config given: the "{}" sent keeps the container's own (dockerd merges them).
    assert info.config.cmd == ["sh", "-c", "echo committed > /marker"]
    check = await container_factory(image=repo, cmd=["cat", "/marker"])
    await docker.containers.start(check.id)
    assert (await docker.containers.wait(check.id)).status_code == 0
    with pytest.raises(errors.NotFound):
        await docker.images.commit("aiodocker-no-such-container")


async def test_import_a_rootfs_tar_from_bytes_path_and_stream(
    docker: Docker, names: Names, tmp_path: Path
) -> None:
    rootfs = _tar({"hello.txt": b"imported\n"})
    repo = names("import")
    result = await docker.images.import_(
        rootfs, repo=repo, message="imported by a test", changes=['CMD ["/hello.txt"]']
    )
    assert result.image_id is not None and result.image_id.startswith("sha256:")
    info = await docker.images.inspect(repo)
    assert info.id == result.image_id
    assert info.config is not None and info.config.cmd == ["/hello.txt"]
    assert info.comment == "imported by a test"
    path = tmp_path / "rootfs.tar"
    path.write_bytes(rootfs)
    from_path = await docker.images.import_(path, repo=names("import-path"))
    assert from_path.image_id == result.image_id or from_path.image_id

    async def chunks() -> AsyncIterator[bytes]:
        yield rootfs[:100]
        yield rootfs[100:]

    streamed = await docker.images.import_(chunks(), repo=names("import-stream"))
    assert streamed.image_id


async def test_prune_and_build_prune(docker: Docker, docker_session_id: str) -> None:
    pruned = await docker.images.prune(filters={"label": f"aiodocker-none-{docker_session_id}"})
    assert isinstance(pruned, models.ImagePruneResponse)
    cache = await docker.images.build_prune()
    assert isinstance(cache, models.BuildPruneResponse)


async def test_attestations_need_api_1_55(docker: Docker, docker_test_image: str) -> None:
    await docker.negotiate()
    if docker.api_version == "1.55":
        pytest.fail("this test expects an engine older than API 1.55")
    with pytest.raises(errors.VersionError):
        await docker.images.attestations(docker_test_image)
