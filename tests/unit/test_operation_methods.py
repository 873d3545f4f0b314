"""Every operation of the newest spec is a real method of the client, and every method is one.

DESIGN: "Every Engine API operation is one method." The index (`_operations`) names the
method of each operationId; these tests hold the client's resource groups to it in both
directions, so an operation without a method, a method the index does not know, or a
group that is missing fails here (never skips).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiodocker_engine import Docker
from aiodocker_engine._operations import (
    COMPOSITE_METHODS,
    EXTRA_METHODS,
    GROUPS,
    NEWEST_SPEC_VERSION,
    OPERATIONS,
    methods_by_group,
)
from aiodocker_engine.api._group import ApiGroup

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spec"


def _operation_ids() -> list[str]:
    name = f"engine-api-v{NEWEST_SPEC_VERSION[0]}.{NEWEST_SPEC_VERSION[1]}.yaml"
    path = SPEC_DIR / name
    if not path.is_file():
        pytest.fail(f"the newest Engine API spec is missing: {path}")
    with path.open("rb") as stream:
        spec = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return sorted(
        op["operationId"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    )


OPERATION_IDS = _operation_ids()


@pytest.fixture(scope="module")
def client() -> Docker:
    # Creating the client does no I/O; the host is never contacted.
    return Docker("unix:///nonexistent/aiodocker-engine-test.sock")


def _group(client: Docker, name: str) -> ApiGroup:
    group = getattr(client, name, None)
    assert isinstance(group, ApiGroup), f"Docker has no resource group {name!r}"
    return group


def _public_methods(group: ApiGroup) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in inspect.getmembers(type(group))
        if not name.startswith("_") and callable(member)
    }


def _is_stream_type(annotation: Any) -> bool:
    """A type the caller enters or iterates: an async iterator, context manager or awaitable."""
    origin = typing.get_origin(annotation) or annotation
    if not isinstance(origin, type):
        return False
    return any(hasattr(origin, attr) for attr in ("__aiter__", "__aenter__", "__await__"))


def _check_callable(group: ApiGroup, name: str) -> None:
    method = getattr(type(group), name, None)
    where = f"{type(group).__name__}.{name}"
    assert method is not None and callable(method), f"{where} does not exist"
    if inspect.iscoroutinefunction(method):
        return
    hints = typing.get_type_hints(method)
    assert "return" in hints, f"{where} is neither async nor annotated with its stream type"
    assert _is_stream_type(hints["return"]), (
        f"{where} is neither a coroutine function nor returns a stream "
        f"(it returns {hints['return']!r})"
    )


def test_the_index_covers_exactly_the_operation_ids_of_the_newest_spec() -> None:
    assert sorted(OPERATIONS) == OPERATION_IDS


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_every_operation_has_a_real_method(client: Docker, operation_id: str) -> None:
    assert operation_id in OPERATIONS, f"{operation_id} has no entry in OPERATIONS"
    group_name, _, method = OPERATIONS[operation_id].partition(".")
    _check_callable(_group(client, group_name), method)


@pytest.mark.parametrize("method", sorted({*EXTRA_METHODS, *COMPOSITE_METHODS}))
def test_every_extra_and_composite_method_is_real(client: Docker, method: str) -> None:
    group_name, _, name = method.partition(".")
    _check_callable(_group(client, group_name), name)


@pytest.mark.parametrize("group_name", GROUPS)
def test_every_public_method_of_a_group_is_an_operation_or_a_listed_extra(
    client: Docker, group_name: str
) -> None:
    known = methods_by_group()[group_name]
    public = set(_public_methods(_group(client, group_name)))
    unknown = sorted(public - known)
    assert not unknown, (
        f"docker.{group_name} has public methods the operation index does not name: "
        f"{unknown}; map them in OPERATIONS, EXTRA_METHODS or COMPOSITE_METHODS "
        "(scripts/generate_operations.py), or make them private"
    )
    missing = sorted(known - public)
    assert not missing, f"docker.{group_name} lacks {missing}"


def test_every_group_of_the_design_is_an_attribute_of_the_client(client: Docker) -> None:
    for name in GROUPS:
        _group(client, name)
    attributes = {name for name, value in vars(client).items() if isinstance(value, ApiGroup)}
    assert attributes == set(GROUPS)


def test_stream_methods_are_recognised_and_plain_functions_are_not() -> None:
    from aiodocker_engine.streams._output import FrameStream
    from aiodocker_engine.streams._progress import ProgressStream

    assert _is_stream_type(FrameStream)
    assert _is_stream_type(ProgressStream[Any])
    assert not _is_stream_type(int)
    assert not _is_stream_type(list[str])
