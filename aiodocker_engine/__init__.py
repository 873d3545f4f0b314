"""aiodocker_engine: the asyncio- and trio-native client for the Docker Engine API."""

from __future__ import annotations

from aiodocker_engine import errors, models
from aiodocker_engine._operations import OPERATIONS
from aiodocker_engine.api.system import PingInfo
from aiodocker_engine.client import Docker
from aiodocker_engine.streams import Frame, StdStream
from aiodocker_engine.transport._base import Request, Response, Transport, UpgradedStream
from aiodocker_engine.transport._host import TLSConfig
from aiodocker_engine.transport._httpx import HttpxTransport
from aiodocker_engine.transport._pool import PoolTransport

__all__ = [
    "OPERATIONS",
    "Docker",
    "Frame",
    "HttpxTransport",
    "PingInfo",
    "PoolTransport",
    "Request",
    "Response",
    "StdStream",
    "TLSConfig",
    "Transport",
    "UpgradedStream",
    "errors",
    "models",
]

__version__ = "0.1.0"
