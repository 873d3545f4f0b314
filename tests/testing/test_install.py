"""What the harness installs on a bare machine, with apt-get replaced by a recorder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aiodocker_engine.testing import _engine, _image, _install
from aiodocker_engine.testing._install import HarnessError


@pytest.fixture
def apt_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record apt_install calls instead of running apt-get."""
    calls: list[list[str]] = []

    def record(packages: list[str], *, why: str) -> None:
        calls.append(packages)

    monkeypatch.setattr(_engine, "apt_install", record)
    monkeypatch.setattr(_image, "apt_install", record)
    return calls


def test_missing_dockerd_installs_docker_io(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]
) -> None:
    monkeypatch.setattr(_engine, "find_program", lambda name: None if name == "dockerd" else name)
    _engine.ensure_engine_packages()
    assert apt_calls == [["docker.io"]]


def test_present_engine_programs_install_nothing(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]
) -> None:
    monkeypatch.setattr(_engine, "find_program", lambda name: f"/usr/bin/{name}")
    _engine.ensure_engine_packages()
    assert apt_calls == []


def test_dynamic_busybox_is_replaced_by_busybox_static(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]]
) -> None:
    dynamic = str(Path(sys.executable).resolve())  # any dynamically linked program
    monkeypatch.setattr(_image, "find_program", lambda name: dynamic)
    with pytest.raises(HarnessError, match="no static busybox"):
        _image.find_static_busybox()
    assert apt_calls == [["busybox-static"]]


def test_apt_install_as_non_root_says_what_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_install, "is_root", lambda: False)
    with pytest.raises(HarnessError, match=r"apt-get install -y docker.io busybox-static"):
        _install.apt_install(["docker.io", "busybox-static"], why="dockerd not installed")
