"""Nox sessions: tests on both anyio backends, every supported Python (compat), lint, type
check, model generation, benchmarks."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True  # compat: a missing Python fails, never skips

SPEC = "../shared/spec/engine-api-v1.55.yaml"


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=["3.10", "3.11", "3.12", "3.13"])
def compat(session: nox.Session) -> None:
    """The tests that need no engine, on every supported Python (each must be installed)."""
    session.install(".[test]")
    daemon_free = ["tests/unit", "tests/streams", "tests/transport", "tests/models"]
    session.run("pytest", "-m", "not aiodocker_engine", *daemon_free, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test,dev,bench]")
    session.run("mypy")


@nox.session
def models(session: nox.Session) -> None:
    """Regenerate aiodocker_engine/models and the operation index from the spec."""
    session.install("-e", ".[dev]")
    session.run("python", "scripts/generate_models.py", SPEC)
    session.run("python", "scripts/generate_operations.py", "../shared/spec")


@nox.session
def bench(session: nox.Session) -> None:
    """`nox -s bench -- bench_demux --rounds 5`: one benchmark module (default bench_requests)."""
    session.install("-e", ".[test,bench]")
    name, *rest = session.posargs or ["bench_requests"]
    session.run("python", "-m", f"benchmarks.{name}", *rest)
