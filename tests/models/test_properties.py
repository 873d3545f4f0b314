"""Property tests over every generated model, with values drawn from the models' own types."""

from __future__ import annotations

import functools
import json
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiodocker_engine import models

STRUCTS: list[type[msgspec.Struct]] = [
    obj
    for name in models.__all__
    if isinstance(obj := getattr(models, name), type) and issubclass(obj, msgspec.Struct)
]

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def strategy(t: mi.Type, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the msgspec type `t`; deep structs are cut short with None where optional."""
    if isinstance(t, mi.UnionType):
        return st.one_of([strategy(member, depth) for member in t.types])
    if isinstance(t, mi.NoneType):
        return st.none()
    if isinstance(t, mi.StrType):
        return st.text(max_size=10)
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.IntType):
        return st.integers(-(2**63), 2**64 - 1)
    if isinstance(t, mi.FloatType):
        return st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(t, mi.LiteralType):
        return st.sampled_from(t.values)
    if isinstance(t, mi.AnyType):
        return JSON_VALUES
    if isinstance(t, mi.ListType):
        return st.lists(strategy(t.item_type, depth + 1), max_size=2)
    if isinstance(t, mi.DictType):
        return st.dictionaries(st.text(max_size=6), strategy(t.value_type, depth + 1), max_size=2)
    if isinstance(t, mi.StructType):
        # Required fields (the generator's REQUIRED_FIELDS identities) always get a value.
        required = {f.name: strategy(f.type, depth + 1) for f in t.fields if f.required}
        if depth > 2:
            return st.builds(t.cls, **required)
        kwargs = {f.name: st.none() | strategy(f.type, depth + 1) for f in t.fields}
        return st.builds(t.cls, **{**kwargs, **required})
    raise AssertionError(f"no strategy for {t!r}")


@functools.cache
def instances(cls: type[msgspec.Struct]) -> st.SearchStrategy[Any]:
    return strategy(mi.type_info(cls))


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda c: c.__name__)
@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_model_round_trips_through_json(
    cls: type[msgspec.Struct], data: st.DataObject
) -> None:
    value = data.draw(instances(cls))
    assert msgspec.json.decode(msgspec.json.encode(value), type=cls) == value


def assert_only_wire_names(value: Any) -> None:
    """Every struct in `value`, nested ones too, encodes to its wire names and nothing else."""
    if isinstance(value, msgspec.Struct):
        fields = msgspec.structs.fields(value)
        assert set(json.loads(msgspec.json.encode(value))) <= {f.encode_name for f in fields}
        for f in fields:
            assert_only_wire_names(getattr(value, f.name))
    elif isinstance(value, list):
        for item in value:
            assert_only_wire_names(item)
    elif isinstance(value, dict):
        for item in value.values():
            assert_only_wire_names(item)


@given(value=instances(models.ContainerCreateRequest))
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_encoded_body_has_exactly_the_fields_that_are_set(value: Any) -> None:
    encoded = json.loads(msgspec.json.encode(value))
    fields = msgspec.structs.fields(value)
    set_names = {f.encode_name for f in fields if getattr(value, f.name) is not None}
    assert set(encoded) == set_names
    assert_only_wire_names(value)


@given(
    value=instances(models.ContainerSummary),
    extra=st.dictionaries(st.text(min_size=1, max_size=8), JSON_VALUES, max_size=4),
)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
def test_unknown_fields_never_change_what_decodes(value: Any, extra: dict[str, Any]) -> None:
    wire = {f.encode_name for f in msgspec.structs.fields(models.ContainerSummary)}
    body = json.loads(msgspec.json.encode(value))
    body.update({k: v for k, v in extra.items() if k not in wire})
    decoded = msgspec.json.decode(json.dumps(body).encode(), type=models.ContainerSummary)
    assert decoded == value
