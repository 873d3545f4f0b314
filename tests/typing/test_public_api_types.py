"""The public API type-checks as DESIGN shows it: mypy --strict checks this file in CI.

The functions are never awaited here (they need an engine); `assert_type` makes mypy fail
when a public signature drifts, and the one test below keeps pytest collecting the module.
"""

from __future__ import annotations

from typing_extensions import assert_type

from aiodocker_engine import Docker, Frame, StdStream, errors, models
from aiodocker_engine.api._run import RunResult


async def design_example(docker: Docker) -> None:
    assert_type(await docker.system.version(), models.SystemVersion)
    c = await docker.containers.create(
        image="busybox", cmd=["sh", "-c", "cat"], open_stdin=True, name="demo"
    )
    assert_type(c.id, str)
    async with docker.containers.attach(c.id, stdin=True, stdout=True, stderr=True) as s:
        await docker.containers.start(c.id)
        await s.write(b"hello\n")
        await s.close_stdin()
        async for frame in s:
            assert_type(frame, Frame)
            assert_type(frame.stream, StdStream)
            bytes(frame.data)
    assert_type((await docker.containers.wait(c.id)).status_code, int)
    listed = await docker.containers.list(all=True, filters={"label": ["a=b"], "dangling": True})
    assert_type(listed, list[models.ContainerSummary])
    assert_type(listed[0].id, str)
    info = await docker.containers.inspect(c.id)
    assert_type(info.state, models.ContainerState | None)
    result = await docker.containers.run("busybox", ["true"], remove=True)
    assert_type(result, RunResult)
    assert_type(result.stdout, bytes)
    detached = await docker.containers.run("busybox", ["true"], detach=True)
    assert_type(detached, models.ContainerCreateResponse)
    in_background = bool(listed)  # a flag known only at run time
    either = await docker.containers.run("busybox", ["true"], detach=in_background)
    assert_type(either, RunResult | models.ContainerCreateResponse)


def test_error_hierarchy_matches_design() -> None:
    for cls in (
        errors.APIError,
        errors.ConnectionFailed,
        errors.StreamError,
        errors.VersionError,
        errors.ContainerError,
        errors.Timeout,
    ):
        assert issubclass(cls, errors.DockerError)
    statuses = {
        400: errors.BadRequest,
        401: errors.Unauthorized,
        403: errors.Forbidden,
        404: errors.NotFound,
        409: errors.Conflict,
        500: errors.ServerError,
        501: errors.NotImplementedByDaemon,
        503: errors.Unavailable,
    }
    for status, cls in statuses.items():
        error = errors.error_for_status(status, "msg")
        assert type(error) is cls and error.status == status and error.message == "msg"
    assert type(errors.error_for_status(418, "x")) is errors.APIError
