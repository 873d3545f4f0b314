"""The pytest plugin in throwaway sessions: lazy start, loud errors, markers, options."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiodocker_engine.testing import HarnessError, _engine, provide_engine


@pytest.fixture(autouse=True)
def inner_ini(pytester: pytest.Pytester) -> None:
    """The inner sessions' config: warnings are errors, as in this project's own."""
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )


def test_unit_tests_start_no_engine(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_plain():
            assert 1 + 1 == 2
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--docker-engine=start")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*aiodocker_engine harness*")


def test_missing_engine_errors_and_never_skips(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_uses_engine(docker_engine):
            pass

        @pytest.mark.aiodocker_engine
        def test_marked():
            pass

        def test_plain():
            pass
        """
    )
    missing = pytester.path / "nothing-here.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{missing}")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--docker-engine=external")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines([f"*no Docker engine answers GET /_ping at unix://{missing}*"])
    result.stdout.no_fnmatch_line("*skipped*")


def test_engine_fixtures_add_the_engine_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_engine_user(docker_engine):
            pass

        def test_plain():
            pass
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-m", "not aiodocker_engine", "--docker-engine=start"
    )
    result.assert_outcomes(passed=1, deselected=1)


def test_a_projects_own_docker_fixture_is_left_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The plugin loads in every project with the package installed: a `docker` fixture
    # of the project's own (a fake), a parameter so named, or a marker called `engine`
    # must neither get the marker nor ask for an engine (none answers here).
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def docker():
            return "my fake"
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def test_own_fixture(docker):
            assert docker == "my fake"

        @pytest.mark.parametrize("container_factory", [1])
        def test_a_parameter(container_factory):
            assert container_factory == 1

        def test_ours(docker_test_labels):
            assert docker_test_labels
        """
    )
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    args = ("-p", "no:cacheprovider", "--docker-engine=external")
    pytester.runpytest_subprocess(*args).assert_outcomes(passed=3)
    pytester.runpytest_subprocess(*args, "-m", "not aiodocker_engine").assert_outcomes(passed=3)


def test_a_fixture_wrapping_ours_still_marks_its_tests(pytester: pytest.Pytester) -> None:
    # `def docker_engine(docker_engine)` asks for ours: its tests need the engine too.
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def docker_engine(docker_engine):
            return docker_engine
        """
    )
    pytester.makepyfile("def test_wrapped(docker_engine):\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-m", "not aiodocker_engine", "--docker-engine=start"
    )
    result.assert_outcomes(deselected=1)


def test_bad_engine_mode_in_environment_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_engine_user(docker_engine):\n    pass\n")
    monkeypatch.setenv("AIODOCKER_ENGINE_TEST_ENGINE", "sometimes")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*AIODOCKER_ENGINE_TEST_ENGINE='sometimes'*"])


def test_provide_engine_without_root_explains_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_engine, "is_root", lambda: False)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    with pytest.raises(HarnessError, match="only start a throwaway dockerd as root") as caught:
        provide_engine("auto")
    assert "DOCKER_HOST" in str(caught.value)
    with pytest.raises(HarnessError, match="needs root"):
        provide_engine("start")


def test_provide_engine_refuses_hosts_it_cannot_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "ssh://user@example.invalid")
    with pytest.raises(HarnessError, match="unix:// and tcp:// engines only"):
        provide_engine("external")


def test_provide_engine_rejects_unknown_modes() -> None:
    with pytest.raises(ValueError, match="'sometimes'"):
        provide_engine("sometimes")  # type: ignore[arg-type]
