"""The refusals the errors module's docstrings give as examples, against the real engine."""

from __future__ import annotations

import pytest

from aiodocker_engine import Docker, errors

pytestmark = [pytest.mark.anyio, pytest.mark.aiodocker_engine]


@pytest.mark.parametrize("network", ["host", "none"])
async def test_forbidden_is_raised_for_its_docstring_example_a_predefined_network(
    docker: Docker, network: str
) -> None:
    assert "predefined network" in (errors.Forbidden.__doc__ or "")
    with pytest.raises(errors.Forbidden, match="pre-defined network") as caught:
        await docker.networks.remove(network)
    assert caught.value.status == 403
    assert caught.value.path.endswith(f"/networks/{network}")


async def test_tagging_with_an_invalid_name_raises_what_the_tag_docstring_says(
    docker: Docker, docker_test_image: str
) -> None:
    """Docker 20.10 answers 500, newer daemons 400; the docstring names both."""
    assert "ServerError" in (docker.images.tag.__doc__ or "")
    with pytest.raises((errors.ServerError, errors.BadRequest), match="invalid reference format"):
        await docker.images.tag(docker_test_image, "Bad Name", "x")
