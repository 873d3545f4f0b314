"""Path parameters: escaped so a name can never change the request path."""

from __future__ import annotations

import pytest

from aiodocker_engine.api._path import quote_path


def test_plain_ids_and_names_pass_as_they_are() -> None:
    assert quote_path("0123abcdef") == "0123abcdef"
    assert quote_path("my-app_1.web") == "my-app_1.web"


def test_a_slash_inside_is_escaped_unless_kept() -> None:
    assert quote_path("a/b?c#d") == "a%2Fb%3Fc%23d"
    assert quote_path("localhost:5000/app:v1", safe="/:@") == "localhost:5000/app:v1"


def test_slashes_at_either_end_are_dropped() -> None:
    # Container names come as "/name", legacy links as "/name/alias"; the daemon's router
    # would answer "//name" with a redirect.
    assert quote_path("/web") == "web"
    assert quote_path("/web/peer") == "web%2Fpeer"
    assert quote_path("web/") == "web"
    assert quote_path("/library/busybox", safe="/:@") == "library/busybox"


@pytest.mark.parametrize("value", ["", "/", "//", "..", "a/../b", "/..", ".", "/./", "a/./b"])
def test_empty_current_and_parent_references_are_refused(value: str) -> None:
    """The daemon's router resolves "." and ".." (escaped or not) and answers a redirect."""
    with pytest.raises(ValueError):
        quote_path(value)
