"""The base of every resource group: a thin holder of the client it sends through."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiodocker_engine.client import Docker

__all__ = ["ApiGroup"]


class ApiGroup:
    """Endpoint methods of one resource (`docker.containers`, `docker.images`, …)."""

    __slots__ = ("_docker",)

    def __init__(self, docker: Docker) -> None:
        self._docker = docker

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._docker!r}>"
