"""Query strings as the daemon reads them."""

from __future__ import annotations

import enum
import signal

import pytest

from aiodocker_engine.api._query import encode_filters, encode_query, terminal_size


class Condition(str, enum.Enum):
    NEXT_EXIT = "next-exit"


def test_scalars_and_skipped_nones() -> None:
    query = {"all": True, "size": False, "limit": 3, "t": 2.5, "name": "a b", "since": None}
    assert encode_query(query) == "?all=1&size=0&limit=3&t=2.5&name=a%20b"
    assert encode_query({"since": None}) == ""


def test_enums_give_their_values_on_every_python() -> None:
    assert encode_query({"signal": signal.SIGTERM}) == "?signal=15"
    assert encode_query({"condition": Condition.NEXT_EXIT}) == "?condition=next-exit"


def test_lists_repeat_the_key_and_mappings_become_json() -> None:
    assert encode_query({"name": ["x", "y/z"]}) == "?name=x&name=y%2Fz"
    assert encode_query({"buildargs": {"A": "1"}}) == "?buildargs=%7B%22A%22%3A%221%22%7D"
    assert encode_query({"filters": {"label": "a=b"}}) == (
        "?filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D"
    )


def test_characters_with_a_meaning_in_urls_are_escaped() -> None:
    assert encode_query({"path": "/tmp/a+b#c?d%e&f=g é"}) == (
        "?path=%2Ftmp%2Fa%2Bb%23c%3Fd%25e%26f%3Dg%20%C3%A9"
    )


def test_filters_are_maps_of_string_lists() -> None:
    assert encode_filters({"dangling": True, "label": ["a", "b"], "status": "running"}) == (
        '{"dangling":["true"],"label":["a","b"],"status":["running"]}'
    )
    with pytest.raises(TypeError, match="filter 'label' must hold strings"):
        encode_filters({"label": ["a", 1]})  # type: ignore[list-item]
    with pytest.raises(TypeError, match="filter 'until' must be a str"):
        encode_filters({"until": 5})  # type: ignore[dict-item]


def test_other_types_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match="query parameter 'h' cannot be bytes"):
        encode_query({"h": b"24"})


def test_terminal_sizes_are_checked_before_sending() -> None:
    assert terminal_size(24, 80, "resize") == {"h": 24, "w": 80}
    for h, w in ((0, 80), (-1, 80), (24, 70000), (24.5, 80), (True, 80), ("24", 80)):
        with pytest.raises(ValueError, match=r"containers.resize: [hw] must be a whole number"):
            terminal_size(h, w, "containers.resize")  # type: ignore[arg-type]
