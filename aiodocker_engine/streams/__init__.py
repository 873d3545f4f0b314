"""Stream codecs: the multiplexed frame format, raw TTY streams and the daemon's JSON streams.

Everything here is sans-I/O: bytes in, frames or messages out. The transport reads the socket
and picks the decoder from the response's Content-Type.
"""

from __future__ import annotations

from aiodocker_engine.streams._frames import (
    DecoderState,
    Frame,
    FrameDecoder,
    RawDecoder,
    StdStream,
    StreamDecoder,
    demultiplex_all,
    parse_timestamp,
    split_timestamp,
)
from aiodocker_engine.streams._jsonstream import JsonStreamDecoder, JsonStreamState

__all__ = [
    "DecoderState",
    "Frame",
    "FrameDecoder",
    "JsonStreamDecoder",
    "JsonStreamState",
    "RawDecoder",
    "StdStream",
    "StreamDecoder",
    "demultiplex_all",
    "parse_timestamp",
    "split_timestamp",
]
