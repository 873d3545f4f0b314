"""aiodocker_engine: the asyncio- and trio-native client for the Docker Engine API."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiodocker_engine import errors, models, stats
    from aiodocker_engine._auth import CredentialStore, RegistryAuth
    from aiodocker_engine._operations import OPERATIONS
    from aiodocker_engine.api._archive import ArchiveStream, PathStat
    from aiodocker_engine.api._run import RunResult, RunStream
    from aiodocker_engine.api._wait import ContainerWaiter
    from aiodocker_engine.api.exec import ExecResult, ExecStream
    from aiodocker_engine.api.system import PingInfo
    from aiodocker_engine.client import Docker
    from aiodocker_engine.streams import Frame, StdStream
    from aiodocker_engine.streams._bytes import BytesStream
    from aiodocker_engine.streams._events import Event, EventStream
    from aiodocker_engine.streams._messages import MessageStream
    from aiodocker_engine.streams._output import FrameStream
    from aiodocker_engine.streams._progress import (
        ProgressError,
        ProgressResult,
        ProgressStream,
        ProgressTotals,
    )
    from aiodocker_engine.streams._websocket import WebSocketStream
    from aiodocker_engine.transport._base import Request, Response, Transport, UpgradedStream
    from aiodocker_engine.transport._host import TLSConfig
    from aiodocker_engine.transport._httpx import HttpxTransport
    from aiodocker_engine.transport._pool import PoolTransport

# Loaded on first use (PEP 562): `import aiodocker_engine.testing.plugin`, which pytest does
# in every run of every project that has the package installed, must not pay for the client.
_WHERE = {
    "errors": "aiodocker_engine.errors",
    "models": "aiodocker_engine.models",
    "stats": "aiodocker_engine.stats",
    "CredentialStore": "aiodocker_engine._auth",
    "RegistryAuth": "aiodocker_engine._auth",
    "OPERATIONS": "aiodocker_engine._operations",
    "ArchiveStream": "aiodocker_engine.api._archive",
    "PathStat": "aiodocker_engine.api._archive",
    "RunResult": "aiodocker_engine.api._run",
    "RunStream": "aiodocker_engine.api._run",
    "ContainerWaiter": "aiodocker_engine.api._wait",
    "ExecResult": "aiodocker_engine.api.exec",
    "ExecStream": "aiodocker_engine.api.exec",
    "PingInfo": "aiodocker_engine.api.system",
    "Docker": "aiodocker_engine.client",
    "Frame": "aiodocker_engine.streams",
    "StdStream": "aiodocker_engine.streams",
    "BytesStream": "aiodocker_engine.streams._bytes",
    "Event": "aiodocker_engine.streams._events",
    "EventStream": "aiodocker_engine.streams._events",
    "MessageStream": "aiodocker_engine.streams._messages",
    "FrameStream": "aiodocker_engine.streams._output",
    "ProgressError": "aiodocker_engine.streams._progress",
    "ProgressResult": "aiodocker_engine.streams._progress",
    "ProgressStream": "aiodocker_engine.streams._progress",
    "ProgressTotals": "aiodocker_engine.streams._progress",
    "WebSocketStream": "aiodocker_engine.streams._websocket",
    "Request": "aiodocker_engine.transport._base",
    "Response": "aiodocker_engine.transport._base",
    "Transport": "aiodocker_engine.transport._base",
    "UpgradedStream": "aiodocker_engine.transport._base",
    "TLSConfig": "aiodocker_engine.transport._host",
    "HttpxTransport": "aiodocker_engine.transport._httpx",
    "PoolTransport": "aiodocker_engine.transport._pool",
}


def __getattr__(name: str) -> object:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'aiodocker_engine' has no attribute {name!r}")
    module = importlib.import_module(where)
    value = module if where.rsplit(".", 1)[-1] == name else getattr(module, name)
    globals()[name] = value  # found once: later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "OPERATIONS",
    "ArchiveStream",
    "BytesStream",
    "ContainerWaiter",
    "CredentialStore",
    "Docker",
    "Event",
    "EventStream",
    "ExecResult",
    "ExecStream",
    "Frame",
    "FrameStream",
    "HttpxTransport",
    "MessageStream",
    "PathStat",
    "PingInfo",
    "PoolTransport",
    "ProgressError",
    "ProgressResult",
    "ProgressStream",
    "ProgressTotals",
    "RegistryAuth",
    "Request",
    "Response",
    "RunResult",
    "RunStream",
    "StdStream",
    "TLSConfig",
    "Transport",
    "UpgradedStream",
    "WebSocketStream",
    "errors",
    "models",
    "stats",
]

__version__ = "0.1.0"
