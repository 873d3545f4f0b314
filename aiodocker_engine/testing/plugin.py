"""pytest plugin: real Docker engine fixtures for the project's tests and for users' own.

Fixtures (see docs/testing.md):

- `docker_engine` (session): an `Engine`, found or started once, stopped at session end;
- `docker_test_image` (session): the registry-free busybox image, imported once;
- `docker` (function, async): an `aiodocker_engine.Docker` client for the engine;
- `container_factory` (function, async): creates labelled containers, removes them after;
- `docker_registry`, `docker_auth_registry` (session): Debian's docker-registry on a free
  127.0.0.1 port, open or with basic auth (`testing/_registry.py`);
- `docker_session_id` (session) and `docker_test_labels` (function): the label that marks
  what this session created; a sweep at session end removes labelled leftovers.

Rules:

1. Lazy: nothing starts before a test needs an engine, so unit-only runs stay instant.
2. Loud: when no engine can be had, each test that needs one errors with the reason; the
   plugin never skips. Tests that use one of our engine fixtures get the `aiodocker_engine`
   marker, so `-m "not aiodocker_engine"` deselects them, and a test marked so gets the
   engine. Only our own fixtures count: a project's own `docker` fixture (a fake, another
   client) overrides ours and neither marks its tests nor starts anything.
3. Async fixtures run under anyio's pytest plugin in the test's own backend (they request
   `anyio_backend`), so they work on asyncio and trio alike.
4. This module imports neither the client nor anything heavy at import time: pytest loads it
   in every run of every project that has aiodocker_engine installed.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

import pytest

from aiodocker_engine.testing import SESSION_LABEL, _http
from aiodocker_engine.testing._engine import Engine, EngineMode, HarnessError, describe
from aiodocker_engine.testing._engine import provide_engine as _provide_engine
from aiodocker_engine.testing._image import ensure_test_image

if TYPE_CHECKING:
    from aiodocker_engine import Docker
    from aiodocker_engine.models import ContainerCreateResponse
    from aiodocker_engine.testing._registry import Registry

__all__ = [
    "ContainerFactory",
    "container_factory",
    "docker",
    "docker_auth_registry",
    "docker_engine",
    "docker_registry",
    "docker_session_id",
    "docker_test_image",
    "docker_test_labels",
]

_ENGINE_FIXTURES = frozenset({"docker_engine", "docker_test_image", "docker", "container_factory"})
_MODES = ("auto", "external", "start")
_engine_key = pytest.StashKey[Engine]()
_swept_key = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aiodocker_engine", "aiodocker_engine real-engine harness")
    group.addoption(
        "--docker-engine",
        dest="docker_engine_mode",
        choices=_MODES,
        default=None,
        help=(
            "where engine tests get a Docker engine: 'auto' (DOCKER_HOST or the default "
            "socket when it answers, else a throwaway dockerd; needs root), 'external' "
            "(only an answering engine), 'start' (always a throwaway dockerd). "
            "Default: $AIODOCKER_ENGINE_TEST_ENGINE or 'auto'."
        ),
    )


_MARKER = "aiodocker_engine"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{_MARKER}: needs a real Docker engine (the aiodocker_engine harness gives one)"
    )


def _uses_our_engine_fixture(item: pytest.Item) -> bool:
    """Whether a fixture the test uses resolves to one of ours: the last definition of a
    name is the one pytest gives, so a project's own `docker` fixture replaces ours, but
    one that asks for the name itself (`def docker_engine(docker_engine)`) wraps it."""
    info = getattr(item, "_fixtureinfo", None)
    definitions = getattr(info, "name2fixturedefs", {})
    for name in _ENGINE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        for definition in reversed(definitions.get(name, ())):
            if getattr(definition.func, "__module__", None) == __name__:
                return True
            if name not in getattr(definition, "argnames", ()):
                break  # replaces the definitions before it
    return False


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker(_MARKER) is None and _uses_our_engine_fixture(item):
            item.add_marker(_MARKER)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    engine = config.stash.get(_engine_key, None)
    if engine is not None:
        terminalreporter.write_line(f"aiodocker_engine harness: {describe(engine)}")
    swept = config.stash.get(_swept_key, [])
    if swept:
        terminalreporter.write_line(
            f"aiodocker_engine harness: swept {len(swept)} leftover objects: {', '.join(swept)}"
        )


def _mode(config: pytest.Config) -> EngineMode:
    mode = config.getoption("docker_engine_mode") or os.environ.get(
        "AIODOCKER_ENGINE_TEST_ENGINE", "auto"
    )
    if mode not in _MODES:
        raise pytest.UsageError(
            f"AIODOCKER_ENGINE_TEST_ENGINE={mode!r}: expected one of {', '.join(_MODES)}"
        )
    return cast(EngineMode, mode)


def sweep(host: str, api_version: str, label: str) -> list[str]:
    """Remove every container, network and volume carrying `label` (``key=value``).

    Uses the harness's stdlib HTTP, so it works even when the async client is broken.
    Returns what it removed, as ``kind id`` strings; raises HarnessError naming what it could
    not remove, after trying everything.
    """
    prefix = _http.api_prefix(api_version)
    filters = {"filters": json.dumps({"label": [label]})}
    removed: list[str] = []
    failed: list[str] = []
    kinds: tuple[tuple[str, str, str, str, dict[str, str]], ...] = (
        ("container", "/containers/json", "Id", "/containers/{}", {"force": "1", "v": "1"}),
        ("network", "/networks", "Id", "/networks/{}", {}),
        ("volume", "/volumes", "Name", "/volumes/{}", {"force": "1"}),
    )
    for kind, list_path, key, remove_path, query in kinds:
        listed = _http.request_json(host, "GET", prefix + list_path, query={**filters, "all": "1"})
        objects = (listed.get("Volumes") or []) if isinstance(listed, dict) else listed
        for obj in objects:
            ident = str(obj[key])
            path = prefix + remove_path.format(urllib.parse.quote(ident, safe=""))
            resp = _http.request(host, "DELETE", path, query=query, timeout=60)
            if resp.status in (200, 204, 404):
                removed.append(f"{kind} {ident}")
            else:
                failed.append(f"{kind} {ident} ({resp.status}: {resp.body.decode().strip()})")
    if failed:
        raise HarnessError(f"the session sweep could not remove: {'; '.join(failed)}")
    return removed


@pytest.fixture(scope="session")
def docker_session_id() -> str:
    """A random id for this test session; the value of the `aiodocker-engine-test` label."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def docker_test_labels(docker_session_id: str) -> dict[str, str]:
    """Labels to put on every object a test creates, so the session-end sweep finds leftovers."""
    return {SESSION_LABEL: docker_session_id}


@pytest.fixture(scope="session")
def docker_engine(request: pytest.FixtureRequest, docker_session_id: str) -> Iterator[Engine]:
    """The session's Docker engine (started on first use, stopped at session end).

    Errors every test that needs it, with the reason, when no engine can be had.
    """
    try:
        engine = _provide_engine(_mode(request.config))
    except HarnessError as exc:
        pytest.fail(
            f"aiodocker_engine harness: no Docker engine for this test: {exc}", pytrace=False
        )
    request.config.stash[_engine_key] = engine
    try:
        yield engine
    finally:
        try:
            if not engine.started_here and _http.ping(engine.host) is not None:
                label = f"{SESSION_LABEL}={docker_session_id}"
                request.config.stash[_swept_key] = sweep(engine.host, engine.api_version, label)
        finally:
            engine.stop()


@pytest.fixture(scope="session")
def docker_test_image(docker_engine: Engine) -> str:
    """Name of the busybox test image, imported once; also tagged `busybox:latest`.

    On an engine the harness started, `busybox:latest` always points at it; on an external
    engine only when that engine has no `busybox:latest` of its own.
    """
    try:
        return ensure_test_image(
            docker_engine.host,
            api_version=docker_engine.api_version,
            replace_aliases=docker_engine.started_here,
        )
    except HarnessError as exc:
        pytest.fail(f"aiodocker_engine harness: no test image: {exc}", pytrace=False)


@pytest.fixture(autouse=True)
def _aiodocker_engine_marker(request: pytest.FixtureRequest) -> None:
    # A test marked `aiodocker_engine` gets the engine even if it asks for no fixture of ours.
    if request.node.get_closest_marker(_MARKER) is not None:
        request.getfixturevalue("docker_engine")


@pytest.fixture
async def docker(
    docker_engine: Engine, docker_test_image: str, anyio_backend: object
) -> AsyncIterator[Docker]:
    """An `aiodocker_engine.Docker` client for the session's engine, closed after the test."""
    from aiodocker_engine import Docker

    async with Docker(docker_engine.host) as client:
        yield client


class ContainerFactory:
    """`await container_factory(cmd=[...], **create_kwargs)`: a labelled container.

    Defaults to the test image; every container gets the session label, and all of them
    are force-removed (with their anonymous volumes) when the test ends, pass or fail.
    Returns what `docker.containers.create` returns (`models.ContainerCreateResponse`).
    """

    def __init__(self, client: Docker, image: str, labels: Mapping[str, str]) -> None:
        self._client = client
        self._image = image
        self._labels = dict(labels)
        self.ids: list[str] = []

    def __repr__(self) -> str:
        return f"<ContainerFactory [{len(self.ids)} created]>"

    async def __call__(
        self,
        *,
        image: str | None = None,
        cmd: list[str] | None = None,
        labels: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> ContainerCreateResponse:
        if cmd is not None:
            kwargs["cmd"] = cmd
        created = await self._client.containers.create(
            image=image or self._image, labels={**(labels or {}), **self._labels}, **kwargs
        )
        if created.id is None:  # the spec makes Id optional; daemons always send it
            raise RuntimeError(f"containers.create answered without an Id: {created!r}")
        self.ids.append(created.id)
        return created

    async def remove_all(self) -> None:
        """Force-remove every container made here; raise the first failure after trying all."""
        import anyio

        from aiodocker_engine import errors

        failures: list[Exception] = []
        with anyio.CancelScope(shield=True):
            while self.ids:
                ident = self.ids.pop()
                try:
                    await self._client.containers.remove(ident, force=True, v=True)
                except errors.NotFound:
                    pass
                except Exception as exc:  # the session sweep is the backstop; report it
                    failures.append(exc)
        if failures:
            raise failures[0]


@pytest.fixture
async def container_factory(
    docker: Docker,
    docker_test_image: str,
    docker_test_labels: dict[str, str],
    anyio_backend: object,
) -> AsyncIterator[ContainerFactory]:
    """Create containers that are always removed after the test (see `ContainerFactory`)."""
    factory = ContainerFactory(docker, docker_test_image, docker_test_labels)
    try:
        yield factory
    finally:
        await factory.remove_all()


# -- registries: pull/push round trips (see testing/_registry.py) -----------------------


def _registry(with_auth: bool) -> Iterator[Registry]:
    from aiodocker_engine.testing._registry import start_registry

    try:
        registry = start_registry(with_auth=with_auth)
    except HarnessError as exc:
        pytest.fail(f"aiodocker_engine harness: no test registry: {exc}", pytrace=False)
    try:
        yield registry
    finally:
        registry.stop()


@pytest.fixture(scope="session")
def docker_registry() -> Iterator[Registry]:
    """An open registry (`registry.host` is "127.0.0.1:<port>"), stopped at session end."""
    yield from _registry(False)


@pytest.fixture(scope="session")
def docker_auth_registry() -> Iterator[Registry]:
    """A registry with basic auth (`registry.username`, `.password`, `.auth`)."""
    yield from _registry(True)
