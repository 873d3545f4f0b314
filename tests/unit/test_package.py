"""The package root: every name it exports resolves, and loading it costs nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest

import aiodocker_engine


def test_every_exported_name_resolves_and_is_listed() -> None:
    assert set(aiodocker_engine._WHERE) == set(aiodocker_engine.__all__)
    for name in aiodocker_engine.__all__:
        assert getattr(aiodocker_engine, name) is not None
    assert aiodocker_engine.Docker.__module__ == "aiodocker_engine.client"
    assert aiodocker_engine.errors.NotFound.__name__ == "NotFound"
    assert set(aiodocker_engine.__all__) <= set(dir(aiodocker_engine))
    with pytest.raises(AttributeError, match="no attribute 'Dockr'"):
        aiodocker_engine.Dockr  # noqa: B018


def test_the_pytest_plugin_loads_without_the_client() -> None:
    """pytest loads the plugin in every run of every project that has the package."""
    code = (
        "import sys, aiodocker_engine.testing.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith(('aiodocker_engine.client', "
        "'aiodocker_engine.models', 'aiodocker_engine.api', 'httpx', 'msgspec'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert loaded.strip() == "[]"
