"""aiodocker_engine: the asyncio- and trio-native client for the Docker Engine API."""

from __future__ import annotations

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
