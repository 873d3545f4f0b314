"""Suite-wide pytest setup: every async test runs on both anyio backends, asyncio and trio."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# pytester runs the harness plugin in throwaway pytest sessions (tests/testing).
pytest_plugins = ["pytester"]

# Shared two-core machines and CI stall now and then; a per-example deadline only adds flakes.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(
    scope="session",
    params=[pytest.param("asyncio", id="asyncio"), pytest.param("trio", id="trio")],
)
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """The anyio backend a test (and its async fixtures) runs on."""
    backend: str = request.param
    return backend
