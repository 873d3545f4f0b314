"""aiodocker_engine: the asyncio- and trio-native client for the Docker Engine API."""

from __future__ import annotations

from aiodocker_engine import errors

__all__ = ["errors"]
