"""What the harness installs on a bare machine, with apt-get replaced by a recorder."""

from __future__ import annotations

import shutil
import subprocess
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


def test_missing_busybox_installs_busybox_static(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]], tmp_path: Path
) -> None:
    monkeypatch.setattr(_image, "find_program", lambda name: None)
    with pytest.raises(HarnessError, match="no static busybox"):
        _image.find_static_busybox(tmp_path / "cache")
    assert apt_calls == [["busybox-static"]]


def _deb_of(static_busybox: Path, into: Path) -> Path:
    """A real package file holding `static_busybox` as /bin/busybox (dpkg-deb -b)."""
    tree = into / "pkg"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: busybox-static\nVersion: 1:1.0-1\nArchitecture: all\n"
        "Maintainer: test <test@example.invalid>\nDescription: test\n"
    )
    (tree / "bin").mkdir()
    shutil.copy2(static_busybox, tree / "bin" / "busybox")
    deb = into / "busybox-static_1.0-1_all.deb"
    subprocess.run(["dpkg-deb", "-b", str(tree), str(deb)], check=True, capture_output=True)
    return deb


def test_dynamic_busybox_is_left_installed_and_busybox_static_unpacked_beside(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]], tmp_path: Path
) -> None:
    # busybox-static conflicts with busybox: installing it would remove the system's.
    static = _image.find_static_busybox()
    dynamic = str(Path(sys.executable).resolve())  # any dynamically linked program
    monkeypatch.setattr(_image, "find_program", lambda name: dynamic)
    downloads: list[Path] = []

    def download(package: str, into: Path, *, why: str) -> Path:
        assert package == "busybox-static" and dynamic in why
        downloads.append(into)
        return _deb_of(static, into)

    monkeypatch.setattr(_image, "apt_download", download)
    cache = tmp_path / "cache"
    found = _image.find_static_busybox(cache)
    assert found == cache / "bin" / "busybox"
    assert found.read_bytes() == static.read_bytes() and _image.is_static_elf(found)
    assert apt_calls == []
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]  # the work dir is gone
    # Later sessions use the unpacked one: nothing is fetched again.
    assert _image.find_static_busybox(cache) == found
    assert _image.static_busybox_at_hand(cache) == found
    assert len(downloads) == 1


def test_apt_download_fetches_into_the_given_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bin_dir, into = tmp_path / "bin", tmp_path / "into"
    bin_dir.mkdir()
    into.mkdir()
    log = tmp_path / "apt.log"
    fake = bin_dir / "apt-get"
    fake.write_text(
        f'#!/bin/sh\necho "$PWD $*" >> {log}\n'
        'case "$*" in *download*) : > "${4}_1.0_all.deb"; esac\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(_install, "is_root", lambda: False)  # no lists refresh
    monkeypatch.setattr(_install, "_apt_updated", False)
    deb = _install.apt_download("busybox-static", into, why="test")
    assert deb == into / "busybox-static_1.0_all.deb"
    assert log.read_text().split("\n")[:-1] == [
        f"{into} -o DPkg::Lock::Timeout=300 download busybox-static"
    ]


def test_apt_download_names_a_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "apt-get"
    fake.write_text("#!/bin/sh\necho 'E: Unable to locate package busybox-static' >&2\nexit 100\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(_install, "is_root", lambda: False)
    with pytest.raises(HarnessError, match=r"(?s)exit status 100.*Unable to locate package"):
        _install.apt_download("busybox-static", tmp_path, why="test")


def test_apt_install_as_non_root_says_what_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_install, "is_root", lambda: False)
    with pytest.raises(HarnessError, match=r"apt-get install -y docker.io busybox-static"):
        _install.apt_install(["docker.io", "busybox-static"], why="dockerd not installed")


def test_a_cache_that_lost_its_binary_is_unpacked_again(
    monkeypatch: pytest.MonkeyPatch, apt_calls: list[list[str]], tmp_path: Path
) -> None:
    static = _image.find_static_busybox()
    monkeypatch.setattr(_image, "find_program", lambda name: str(Path(sys.executable).resolve()))
    monkeypatch.setattr(_image, "apt_download", lambda package, into, *, why: _deb_of(static, into))
    cache = tmp_path / "cache"
    (cache / "bin").mkdir(parents=True)  # what a /tmp cleaner leaves: the tree, no binary
    assert _image.find_static_busybox(cache) == cache / "bin" / "busybox"
    assert apt_calls == []
