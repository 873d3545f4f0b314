"""Stale-state cleanup and slot claiming, on fake slots: no daemon needed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiodocker_engine.testing import _cleanup
from aiodocker_engine.testing._engine import claim_slot

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


@pytest.fixture
def sleeper_naming() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start processes whose command line names a path; kill what is left afterwards."""
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _sleeper(path: Path) -> list[str]:
    return [sys.executable, "-c", "import time; time.sleep(600)", str(path)]


def test_mount_points_under_unescapes_and_orders_deepest_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        "1 0 8:1 / / rw - ext4 /dev/vda rw\n"
        "2 1 0:5 / /s/slot-1 rw - ext4 /dev/vda rw\n"
        "3 2 0:6 / /s/slot-1/data/with\\040space rw - tmpfs tmpfs rw\n"
        "4 2 0:7 / /s/slot-1/data rw - overlay overlay rw\n"
        "5 1 0:8 / /s/slot-10 rw - tmpfs tmpfs rw\n"
    )
    real_path = Path

    def fake_path(arg: str) -> Path:
        return mountinfo if arg == "/proc/self/mountinfo" else real_path(arg)

    monkeypatch.setattr(_cleanup, "Path", fake_path)
    assert _cleanup.mount_points_under(real_path("/s/slot-1")) == [
        "/s/slot-1/data/with space",
        "/s/slot-1/data",
        "/s/slot-1",
    ]


def test_claim_slot_skips_a_held_slot_and_reuses_a_released_one(tmp_path: Path) -> None:
    first = claim_slot(tmp_path)
    second = claim_slot(tmp_path)
    try:
        assert (first.number, second.number) == (0, 1)
        assert first.cgroup_parent != second.cgroup_parent
    finally:
        first.release()
    third = claim_slot(tmp_path)
    try:
        assert third.number == 0
    finally:
        second.release()
        third.release()


def test_claim_slot_refuses_a_base_dir_that_is_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(RuntimeError, match="not a symlink"):
        claim_slot(tmp_path / "link")


def test_claim_slot_resolves_a_relative_base_and_symlinked_parents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path / "link")
    slot = claim_slot(Path("base"))  # relative, under a symlinked directory
    try:
        assert slot.base == tmp_path.resolve() / "real" / "base"
    finally:
        slot.release()


def test_processes_naming_matches_whole_path_arguments_only(
    tmp_path: Path, sleeper_naming: list[subprocess.Popen[bytes]]
) -> None:
    """Another session's base that merely ends like ours is not ours to kill."""
    ours = tmp_path / "tmp" / "base" / "slot-0"
    theirs = tmp_path / "builds" / str(tmp_path).lstrip("/") / "tmp" / "base" / "slot-0"
    as_argument = subprocess.Popen(_sleeper(ours / "containerd.toml"))
    as_option = subprocess.Popen([*_sleeper(tmp_path), f"--data-root={ours}/data"])
    other = subprocess.Popen(_sleeper(theirs / "containerd.toml"))
    sleeper_naming += [as_argument, as_option, other]
    found = _cleanup.processes_naming(f"{ours}/")
    assert as_argument.pid in found and as_option.pid in found
    assert other.pid not in found
    assert other.pid in _cleanup.processes_naming(f"{theirs}/")


def test_cgroups_are_found_below_the_harness_own_cgroup_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """runc puts a relative --cgroup-parent below the daemons' own cgroup (a CI job's)."""
    root = tmp_path / "cgroup"
    top = root / "pids" / "aiodocker-engine-test-x"
    nested = root / "memory" / "process_api" / "job" / "aiodocker-engine-test-x"
    unified = root / "ci.slice" / "aiodocker-engine-test-x"
    for path in (top, nested / "c1", unified):
        path.mkdir(parents=True)
    own = tmp_path / "own-cgroup"
    own.write_text("5:pids:/\n4:memory:/process_api/job\n1:name=systemd:/\n0::/ci.slice\n")
    monkeypatch.setattr(_cleanup, "_CGROUP_ROOT", root)
    monkeypatch.setattr(_cleanup, "_OWN_CGROUPS", own)
    assert set(_cleanup._cgroup_dirs("aiodocker-engine-test-x")) == {top, nested, unified}
    _cleanup.remove_cgroups("aiodocker-engine-test-x")
    assert not top.exists() and not nested.exists() and not unified.exists()


@needs_root
def test_wipe_slot_clears_stale_pidfile_socket_and_mounts(
    tmp_path: Path, sleeper_naming: list[subprocess.Popen[bytes]]
) -> None:
    slot = tmp_path / "slot-0"
    (slot / "data" / "shm").mkdir(parents=True)
    stale = subprocess.Popen(_sleeper(slot / "data"))
    bystander = subprocess.Popen(_sleeper(slot / "data"))  # e.g. `tail -f slot/…/log`
    sleeper_naming += [stale, bystander]
    (slot / "dockerd.pid").write_text(f"{stale.pid}\n")
    (slot / "containerd.pid").write_text("999999999\n")  # long gone
    with socket.socket(socket.AF_UNIX) as leftover:
        leftover.bind(str(slot / "docker.sock"))
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(slot / "data" / "shm")], check=True)
    subprocess.run(["mount", "--bind", str(slot / "data"), str(slot / "data")], check=True)
    assert len(_cleanup.mount_points_under(slot)) == 2

    _cleanup.wipe_slot(slot, cgroup_parent="aiodocker-engine-test-unit")

    assert stale.wait(5) == -9
    assert bystander.poll() is None  # not in a pidfile, not a daemon: left alone
    assert _cleanup.mount_points_under(slot) == []
    assert not slot.exists()


def test_wipe_slot_on_a_missing_dir_does_nothing(tmp_path: Path) -> None:
    _cleanup.wipe_slot(tmp_path / "slot-9", cgroup_parent="aiodocker-engine-test-unit")


def test_kill_and_wait_terminates_then_kills(
    sleeper_naming: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    stubborn = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, "
            "signal.SIG_IGN); print(flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
    )
    sleeper_naming.append(stubborn)
    assert stubborn.stdout is not None
    stubborn.stdout.readline()  # the handler is installed
    stubborn.stdout.close()
    _cleanup.kill_and_wait([stubborn.pid], grace=0.2)
    assert stubborn.wait(5) == -9
    assert not _cleanup.pid_alive(stubborn.pid)


def test_read_pidfile_ignores_garbage(tmp_path: Path) -> None:
    (tmp_path / "a.pid").write_text("12x\n")
    (tmp_path / "b.pid").write_text(" 42\n")
    assert _cleanup.read_pidfile(tmp_path / "a.pid") is None
    assert _cleanup.read_pidfile(tmp_path / "b.pid") == 42
    assert _cleanup.read_pidfile(tmp_path / "missing.pid") is None
