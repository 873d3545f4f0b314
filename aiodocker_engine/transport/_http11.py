"""I/O-free HTTP/1.1 client codec: request bytes out, response events in.

Theory of operation
-------------------
One `ResponseParser` serves one connection for its whole life and parses one
response per request, in order (no pipelining: the pool sends the next request
only after the previous response ended). The caller drives it:

1. `start(method)` before each response is expected (HEAD changes the framing).
2. `feed(data)` with every chunk read from the socket; `feed(b"")` means EOF.
   `feed_pooled(view)` takes a read-only view of a reused read buffer instead
   (`ReadBuffers`), so bulk bodies need no fresh allocation per read.
3. `next_event()` until it returns `NEED_DATA`; events are `ResponseHead`,
   `Data`, `EndOfMessage`, and for `101 Switching Protocols` an `Upgrade`
   carrying the bytes that arrived after the head (they belong to the raw stream).
   Streamed bodies take everything received at once instead: `next_body_parts()`
   returns it as a list of uncopied parts.

Body framing follows RFC 9112 section 6.3, in that order: HEAD, 1xx, 204 and 304
have no body; then `Transfer-Encoding: chunked`; then `Content-Length`; otherwise
the body runs until the peer closes (close-delimited, never reusable).

Zero copy: a body part that lies in the chunk just fed is returned as a
memoryview slice of that chunk; bytes are copied only to join a head or a chunk
size line that arrived split. A pooled chunk is searched in its buffer up to the
end of the read (`_end`): the bytes past it are stale. Any malformed input moves
the parser to ERROR and raises `ProtocolError`; an ERROR parser refuses further use.
"""

from __future__ import annotations

import enum
import re
import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aiodocker_engine.errors import ProtocolError

__all__ = [
    "NEED_DATA",
    "Data",
    "EndOfMessage",
    "ParserState",
    "ResponseHead",
    "ResponseParser",
    "Upgrade",
    "chunk_header",
    "encode_request_head",
]

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADER_COUNT = 200
_CHUNKED_END = b"0\r\n\r\n"
_HEX_DIGITS = b"0123456789abcdefABCDEF"


class ParserState(enum.Enum):
    IDLE = "idle"  # no response expected
    HEAD = "head"  # reading status line and headers
    BODY_LENGTH = "body-length"  # Content-Length body
    BODY_CHUNK_SIZE = "chunk-size"  # chunked: expecting a size line
    BODY_CHUNK_DATA = "chunk-data"  # chunked: inside a chunk
    BODY_CHUNK_CRLF = "chunk-crlf"  # chunked: CRLF after a chunk's data
    BODY_TRAILERS = "trailers"  # chunked: trailer section after the last chunk
    BODY_CLOSE = "body-close"  # close-delimited body
    DONE = "done"  # response complete; `start()` again for the next one
    UPGRADED = "upgraded"  # 101: the rest of the connection is a raw stream
    ERROR = "error"


# A member read through its Enum class passes EnumMeta's __getattr__ hook on Python 3.10
# and 3.11, five times the cost of a plain class attribute (callgrind: a fifth of a small
# response's parse). The parser reads its states through these names instead.
_IDLE: Final = ParserState.IDLE
_HEAD: Final = ParserState.HEAD
_BODY_LENGTH: Final = ParserState.BODY_LENGTH
_BODY_CHUNK_SIZE: Final = ParserState.BODY_CHUNK_SIZE
_BODY_CHUNK_DATA: Final = ParserState.BODY_CHUNK_DATA
_BODY_CHUNK_CRLF: Final = ParserState.BODY_CHUNK_CRLF
_BODY_TRAILERS: Final = ParserState.BODY_TRAILERS
_BODY_CLOSE: Final = ParserState.BODY_CLOSE
_DONE: Final = ParserState.DONE
_UPGRADED: Final = ParserState.UPGRADED
_ERROR: Final = ParserState.ERROR


class ResponseHead:
    """Status line and headers of a response; header names are lower-cased."""

    __slots__ = ("headers", "keep_alive", "reason", "status")

    def __init__(
        self, status: int, reason: str, headers: Mapping[str, str], keep_alive: bool
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers: Mapping[str, str] = headers
        self.keep_alive = keep_alive

    def __repr__(self) -> str:
        return f"<ResponseHead {self.status} {self.reason}>"


class Data:
    """A part of the response body; `data` is a view into the fed chunk when possible."""

    __slots__ = ("data",)

    def __init__(self, data: memoryview | bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"<Data {len(self.data)} bytes>"


class EndOfMessage:
    """The response body is complete."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<EndOfMessage>"


class Upgrade:
    """101 received: `leftover` holds bytes already read that belong to the raw stream."""

    __slots__ = ("head", "leftover")

    def __init__(self, head: ResponseHead, leftover: bytes) -> None:
        self.head = head
        self.leftover = leftover


class _NeedData:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NEED_DATA"


NEED_DATA = _NeedData()
END_OF_MESSAGE = EndOfMessage()

Event = ResponseHead | Data | EndOfMessage | Upgrade | _NeedData


def encode_request_head(
    method: str, target: str, host: str, headers: Mapping[str, str] | None
) -> bytes:
    """Serialise a request line and headers; the caller adds Content-Length or chunking."""
    if "\r" in target or "\n" in target or " " in target:
        raise ValueError(f"request target must not contain spaces or line breaks: {target!r}")
    parts = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n"]
    if headers:
        for name, value in headers.items():
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                raise ValueError(f"header {name!r} must not contain line breaks")
            parts.append(f"{name}: {value}\r\n")
    parts.append("\r\n")
    return "".join(parts).encode()  # UTF-8, as Go writes header values


def chunk_header(size: int) -> bytes:
    """The size line that precedes `size` bytes of a chunked request body (CRLF follows them)."""
    return b"%x\r\n" % size


CHUNKED_BODY_END = _CHUNKED_END


# One header line: a token, a colon, the value after leading blanks (RFC 9112 5); the
# caller strips trailing blanks (a greedy value is three times faster than a lazy one).
# Lines that do not match (no colon, blank before the colon, obsolete folding) make the
# match count differ from the line count, which rejects the head.
_HEADER_LINE = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n]*)\r\n", re.MULTILINE)


# Parsed heads by their exact bytes. A daemon answers a run of calls with the same head
# bytes (Date changes once a second), so under load nearly every head is a hit. The
# cached heads are shared, hence their read-only headers.
_HEAD_CACHE: dict[bytes, ResponseHead] = {}
_HEAD_CACHE_SIZE = 128


def _parse_head_cached(raw: bytes) -> ResponseHead:
    head = _HEAD_CACHE.get(raw)
    if head is None:
        head = _parse_head(raw)
        if len(_HEAD_CACHE) >= _HEAD_CACHE_SIZE:
            _HEAD_CACHE.clear()
        _HEAD_CACHE[raw] = head
    return head


def _parse_head(raw: bytes) -> ResponseHead:
    text = raw.decode("latin-1")
    eol = text.find("\r\n")
    status_line = text if eol < 0 else text[:eol]
    version, _, rest = status_line.partition(" ")
    code, _, reason = rest.partition(" ")
    if (
        version not in ("HTTP/1.1", "HTTP/1.0")
        or len(code) != 3
        or not (code.isascii() and code.isdigit())
    ):
        raise ProtocolError(f"malformed status line {status_line[:100]!r}")
    headers: dict[str, str] = {}
    if eol >= 0:
        block = text[eol + 2 :] + "\r\n"
        fields = _HEADER_LINE.findall(block)
        lines = block.count("\r\n")
        if lines > MAX_HEADER_COUNT:
            raise ProtocolError(f"response has more than {MAX_HEADER_COUNT} headers")
        if len(fields) != lines:
            bad = next(
                (line for line in block.split("\r\n") if not _HEADER_LINE.match(line + "\r\n")),
                block,
            )
            raise ProtocolError(f"malformed header line {bad[:100]!r}")
        for name, raw_value in fields:
            key = name.lower()
            value = raw_value.rstrip(" \t")
            if key in headers:
                if key == "content-length":
                    if headers[key] != value:
                        raise ProtocolError("conflicting Content-Length headers")
                    continue
                headers[key] = f"{headers[key]}, {value}"
            else:
                headers[key] = value
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    return ResponseHead(int(code), reason, MappingProxyType(headers), keep_alive)


# Chunk sizes by their size-line bytes. A stream's chunks come in few sizes (log lines of
# similar length, messages of one kind), so a lookup replaces the hex check and parse.
_CHUNK_SIZES: dict[bytes, int] = {}
_CHUNK_SIZES_MAX = 4096
_SIZE_LINE_MAX = 16  # hex digits of a size line the fast paths take
_VIEW_FROM = 2048  # chunks this large are gathered as views, not copies
# Chunk heads by the first 8 bytes of the chunk, read as one int: the size line, its
# CRLF and the first data bytes. A stream's chunks start alike (Docker's log frames with
# their 8-byte header, messages of one kind), so one lookup stands for the CRLF search and
# the size line's slice and parse. Only heads whose size line and CRLF lie inside those
# 8 bytes are kept, so the key alone decides them.
_CHUNK_HEADS: dict[int, tuple[int, int]] = {}
_CHUNK_HEADS_MAX = 4096
_HEAD_KEY_SIZE = 8
_head_key = struct.Struct("<Q").unpack_from


def _chunk_size(text: bytes | bytearray) -> int | None:
    """The size a chunk-size line announces, or None unless it is plain hex digits."""
    if not text or text.strip(_HEX_DIGITS):
        return None
    size = int(text, 16)
    if len(_CHUNK_SIZES) >= _CHUNK_SIZES_MAX:
        _CHUNK_SIZES.clear()
    _CHUNK_SIZES[bytes(text)] = size
    return size


def _chunk_head(data: bytes | bytearray, pos: int, n: int) -> tuple[int, int] | None:
    """(where the data starts, counted from `pos`; its size) for the chunk whose size line
    starts at `pos`, within the first `n` bytes of `data`; or None.

    None also for a size line with extensions or garbage, or one not ended yet: the slow
    path checks those. Heads decided by their first 8 bytes are remembered by them.
    """
    eol = data.find(b"\r\n", pos, n)
    if eol <= pos or eol - pos > _SIZE_LINE_MAX:
        return None
    line = bytes(data[pos:eol])
    size = _CHUNK_SIZES.get(line)
    if size is None:
        size = _chunk_size(line)
        if size is None:
            return None
    head = (eol + 2 - pos, size)
    if eol + 2 <= pos + _HEAD_KEY_SIZE <= n:
        if len(_CHUNK_HEADS) >= _CHUNK_HEADS_MAX:
            _CHUNK_HEADS.clear()
        _CHUNK_HEADS[_head_key(data, pos)[0]] = head
    return head


def _chunk_at(data: bytes | bytearray, pos: int, n: int) -> tuple[int, int] | None:
    """(start, end) of the data of a whole chunk at `pos` (size line, data, CRLF) within
    the first `n` bytes of `data`, or None (see `_chunk_head`)."""
    head = _chunk_head(data, pos, n)
    if head is None:
        return None
    start = pos + head[0]
    end = start + head[1]
    if end + 2 > n or data[end : end + 2] != b"\r\n":
        return None
    return start, end


def _gather_chunks(
    data: bytes | bytearray, view: memoryview, pos: int, n: int, into: list[bytes | memoryview]
) -> tuple[int, bool]:
    """Append the data of every whole chunk from `pos` on, within the first `n` bytes of
    `data`, to `into`.

    Returns where the first chunk not taken starts, and whether the last chunk (size 0,
    no trailers) was reached. This runs once per log line: a chunk's head is looked up
    by its first 8 bytes (`_CHUNK_HEADS`) before any search, and small chunks of a bytes
    chunk are sliced as bytes, which costs less than a memoryview and joins faster;
    others stay views of `data`, copied only by a join.
    """
    heads = _CHUNK_HEADS
    key_at = _head_key
    last_key = n - _HEAD_KEY_SIZE
    append = into.append
    # A pooled bytearray's slices are cut from it as views: it is reused once no view of
    # it is left.
    source: bytes | memoryview = view if type(data) is not bytes else data
    small = 0 if type(data) is not bytes else _VIEW_FROM
    while True:
        head = heads.get(key_at(data, pos)[0]) if pos <= last_key else None
        if head is None:
            head = _chunk_head(data, pos, n)
            if head is None:
                return pos, False
        start = pos + head[0]
        size = head[1]
        end = start + size
        if end + 2 > n or data[end] != 13 or data[end + 1] != 10:  # CR LF
            return pos, False
        pos = end + 2
        if not size:
            return pos, True
        append(source[start:end] if size < small else view[start:end])


class ResponseParser:
    """Parses HTTP/1.1 responses from fed bytes; see the module docstring for the protocol."""

    __slots__ = (
        "_buf",
        "_chunk",
        "_end",
        "_eof",
        "_head_keep_alive",
        "_is_head",
        "_max_head",
        "_pos",
        "_remaining",
        "_view",
        "head_received",
        "response_begun",
        "state",
    )

    def __init__(self, *, max_head_bytes: int = MAX_HEAD_BYTES) -> None:
        self.state = _IDLE
        self._max_head = max_head_bytes
        self._buf = bytearray()  # bytes held across feeds (split head, size line)
        # The last fed chunk (a pooled buffer's first _end bytes); bytes before _pos are
        # consumed.
        self._chunk: bytes | bytearray = b""
        self._end = 0
        self._view = memoryview(b"")  # view of _chunk[:_end], for zero-copy body slices
        self._pos = 0
        self._remaining = 0
        self._eof = False
        self._is_head = False
        self._head_keep_alive = False
        self.head_received = False  # the final head of the current response was parsed
        self.response_begun = False  # a byte of the current response arrived

    def __repr__(self) -> str:
        return f"<ResponseParser {self.state.value} buffered={self.buffered}>"

    @property
    def buffered(self) -> int:
        """Bytes received but not yet turned into events."""
        return len(self._buf) + self._end - self._pos

    @property
    def reusable(self) -> bool:
        """True when the response ended cleanly and the connection may carry another request."""
        return (
            self.state is _DONE and self._head_keep_alive and not self._eof and self.buffered == 0
        )

    def start(self, method: str) -> None:
        """Expect the response to a request sent with `method`."""
        if self.state not in (_IDLE, _DONE):
            raise ProtocolError(f"cannot start a new response while {self.state.value}")
        self.state = _HEAD
        self._is_head = method == "HEAD"
        self.head_received = False
        self.response_begun = False

    def feed(self, data: bytes) -> None:
        """Add bytes read from the socket; an empty chunk means the peer closed."""
        if self._take_over(data):
            self._set_chunk(bytes(data) if type(data) is not bytes else data)

    def feed_pooled(self, view: memoryview) -> None:
        """Add bytes read into a reused buffer: `view` is a read-only view of a bytearray
        from its first byte on, as `ReadBuffers.read` hands out.

        The buffer is searched in place; body parts are views of it, which keep the pool
        from reusing it while they live.
        """
        buffer = view.obj
        if type(buffer) is not bytearray or view.nbytes > len(buffer) or not view.readonly:
            raise ValueError("feed_pooled() takes a read-only view of a bytearray")
        if self._take_over(view):
            self._chunk = buffer
            self._view = view
            self._end = len(view)
            self._pos = 0

    def _take_over(self, data: bytes | memoryview) -> bool:
        """Ready to make `data` the current chunk: False at EOF (empty data)."""
        if self.state is _ERROR:
            raise ProtocolError("parser is in an error state")
        if not data:
            self._eof = True
            return False
        self.response_begun = True
        if self._pos < self._end:
            # Bytes not yet consumed from the previous chunk: keep them in the buffer.
            self._buf += self._view[self._pos :]
        return True

    def _set_chunk(self, chunk: bytes) -> None:
        self._chunk = chunk
        self._view = memoryview(chunk)
        self._end = len(chunk)
        self._pos = 0

    def _absorb_chunk(self) -> None:
        """Slow path: move the rest of the current chunk behind the held bytes."""
        if self._pos < self._end:
            self._buf += self._view[self._pos :]
        self._set_chunk(b"")

    def _release_buffer(self) -> None:
        """Make the held bytes the current chunk again, back on the fast path."""
        self._set_chunk(bytes(self._buf))
        self._buf.clear()

    def _take_line(self) -> bytes | None:
        """Pop one CRLF-terminated line (without CRLF) for chunk framing, joining pieces."""
        if self._buf:
            self._absorb_chunk()
            end = self._buf.find(b"\r\n")
            if end < 0:
                if len(self._buf) > 4096:
                    raise ProtocolError("chunk size line too long")
                return None
            line = bytes(self._buf[:end])
            del self._buf[: end + 2]
            self._release_buffer()
            return line
        end = self._chunk.find(b"\r\n", self._pos, self._end)
        if end < 0:
            self._absorb_chunk()
            if len(self._buf) > 4096:
                raise ProtocolError("chunk size line too long")
            return None
        line = bytes(self._chunk[self._pos : end])
        self._pos = end + 2
        return line

    def _take_body(self, limit: int) -> memoryview | bytes | None:
        """Pop up to `limit` body bytes (limit < 0: all available)."""
        if self._buf:
            self._release_buffer()
        avail = self._end - self._pos
        if avail <= 0:
            return None
        n = avail if limit < 0 or limit > avail else limit
        view = self._view[self._pos : self._pos + n]
        self._pos += n
        return view

    def next_event(self) -> Event:
        """Return the next event, or NEED_DATA when more bytes must be fed."""
        try:
            return self._next_event()
        except ProtocolError:
            self.state = _ERROR
            raise
        except Exception as exc:
            self.state = _ERROR
            raise ProtocolError(f"malformed response: {exc}") from exc

    def _next_event(self) -> Event:
        state = self.state
        if state is _HEAD:
            return self._next_head()
        if state is _BODY_LENGTH:
            if self._remaining == 0:
                return self._finish()
            part = self._take_body(self._remaining)
            if part is None:
                if self._eof:
                    raise ProtocolError(
                        f"connection closed with {self._remaining} bytes of the body missing"
                    )
                return NEED_DATA
            self._remaining -= len(part)
            return Data(part)
        if state is _BODY_CHUNK_SIZE:
            if not self._buf:
                whole = self._whole_chunk()
                if whole is not None:
                    return whole
            line = self._take_line()
            if line is None:
                return self._need_or_truncated("a chunk size line")
            size = _chunk_size(line.split(b";", 1)[0].strip())
            if size is None:
                raise ProtocolError(f"malformed chunk size {line[:40]!r}")
            self._remaining = size
            self.state = _BODY_CHUNK_DATA if self._remaining else _BODY_TRAILERS
            return self._next_event()
        if state is _BODY_CHUNK_DATA:
            part = self._take_body(self._remaining)
            if part is None:
                return self._need_or_truncated(f"{self._remaining} bytes of a chunk")
            self._remaining -= len(part)
            if self._remaining == 0:
                self.state = _BODY_CHUNK_CRLF
            return Data(part)
        if state is _BODY_CHUNK_CRLF:
            line = self._take_line()
            if line is None:
                return self._need_or_truncated("the CRLF after a chunk")
            if line:
                raise ProtocolError("chunk data longer than its announced size")
            self.state = _BODY_CHUNK_SIZE
            return self._next_event()
        if state is _BODY_TRAILERS:
            line = self._take_line()
            if line is None:
                return self._need_or_truncated("the end of the chunked body")
            if line:
                return self._next_event()  # trailer fields are ignored
            return self._finish()
        if state is _BODY_CLOSE:
            part = self._take_body(-1)
            if part is None:
                return self._finish() if self._eof else NEED_DATA
            return Data(part)
        if state is _DONE:
            return END_OF_MESSAGE
        raise ProtocolError(f"no response expected (state {state.value})")

    def _whole_chunk(self) -> Data | EndOfMessage | None:
        """Fast path: size line, data and CRLF all in the current chunk -> one Data event;
        the last chunk without trailers (`0` CRLF CRLF) -> the end of the message.

        The daemon writes every log line and every stream message as its own HTTP
        chunk, so this path runs once per line; anything unusual takes the slow path.
        """
        found = _chunk_at(self._chunk, self._pos, self._end)
        if found is None:
            return None
        start, end = found
        self._pos = end + 2
        if start == end:
            return self._finish()
        return Data(self._view[start:end])

    def parse_whole(self, data: bytes) -> tuple[ResponseHead, list[bytes | memoryview]] | None:
        """Fast path for a response that came whole in one read: its head and body parts.

        Ordinary answers (an inspect, a list, a ping) nearly always do. Returns None,
        leaving the parser as it was, for anything else: then `feed(data)` and pull
        events as usual (which also reports malformed input). Only plain framing is
        taken here: Content-Length, or chunks without extensions or trailers.
        """
        if self.state is not _HEAD or self._buf or self._pos < self._end:
            return None
        end = data.find(b"\r\n\r\n", 0, self._max_head)
        if end < 0:
            return None
        try:
            head = _parse_head_cached(data[:end])
        except ProtocolError:
            return None
        status = head.status
        if status < 200:
            return None  # interim or upgrade
        pos = end + 4
        parts: list[bytes | memoryview] = []
        if self._is_head or status in (204, 304):
            if pos != len(data):
                return None
        elif (te := head.headers.get("transfer-encoding")) is not None:
            if te != "chunked":
                return None
            view = memoryview(data)
            while (found := _chunk_at(data, pos, len(data))) is not None:
                start, stop = found
                pos = stop + 2
                if start == stop:
                    break
                parts.append(view[start:stop])
            else:
                return None
            if pos != len(data):
                return None
        else:
            length = head.headers.get("content-length")
            if (
                length is None
                or not (length.isascii() and length.isdigit())
                or pos + int(length) != len(data)
            ):
                return None
            if pos < len(data):
                parts.append(memoryview(data)[pos:])
        self.state = _DONE
        self._head_keep_alive = head.keep_alive
        self.head_received = True
        return head, parts

    def next_body_parts(self) -> list[bytes | memoryview] | Event:
        """Every body part already received, uncopied, as a non-empty list; else the next
        event (NEED_DATA or the end).

        Streams (logs, events, progress) arrive as many small chunks per socket read;
        taking them all at once saves a round through every layer above per chunk.
        """
        parts: list[bytes | memoryview] = []
        event = self._gather_body(parts)
        return parts if parts else event

    def _gather_body(self, parts: list[bytes | memoryview]) -> Event:
        """Append every body part already received to `parts`; return the event that
        ended the run (NEED_DATA or the end, returned again by the next call if parts
        go first)."""
        while True:
            if not self._buf:
                state = self.state
                if state is _BODY_CHUNK_SIZE:
                    # Hot loop: whole chunks inside the current read (a log line or a
                    # message each), gathered without an event apiece. Nearly every read
                    # ends inside a chunk and the next one starts with its rest: both
                    # ends are taken here too, and the event path below only sees the
                    # unusual (a size line cut in two, a CRLF cut off, errors, the end).
                    self._pos, last = _gather_chunks(
                        self._chunk, self._view, self._pos, self._end, parts
                    )
                    if last:
                        self._finish()
                    else:
                        self._begin_cut_chunk(parts)
                elif state is _BODY_CHUNK_DATA and self._end_cut_chunk(parts):
                    continue
            event = self.next_event()
            if not isinstance(event, Data):
                return event
            parts.append(event.data)

    def _begin_cut_chunk(self, parts: list[bytes | memoryview]) -> None:
        """Take the start of a chunk whose head is in the current read but whose data or
        closing CRLF is not all there: its data so far goes to `parts`."""
        pos = self._pos
        n = self._end
        head = _chunk_head(self._chunk, pos, n)
        if head is None:
            return
        start = pos + head[0]
        size = head[1]
        if not size:
            return  # the last chunk, with trailers: the event path
        taken = min(size, n - start)
        if taken:
            parts.append(self._view[start : start + taken])
        self._remaining = size - taken
        self._pos = start + taken
        self.state = _BODY_CHUNK_DATA if self._remaining else _BODY_CHUNK_CRLF

    def _end_cut_chunk(self, parts: list[bytes | memoryview]) -> bool:
        """Take the rest of a chunk begun in an earlier read, if its data and CRLF are all
        in the current one; True when it was taken."""
        pos = self._pos
        end = pos + self._remaining
        chunk = self._chunk
        if end + 2 > self._end or chunk[end] != 13 or chunk[end + 1] != 10:  # CR LF
            return False
        if end > pos:
            parts.append(self._view[pos:end])
        self._remaining = 0
        self._pos = end + 2
        self.state = _BODY_CHUNK_SIZE
        return True

    def _need_or_truncated(self, what: str) -> _NeedData:
        if self._eof:
            raise ProtocolError(f"connection closed before {what}")
        return NEED_DATA

    def _finish(self) -> EndOfMessage:
        self.state = _DONE
        return END_OF_MESSAGE

    def _next_head(self) -> Event:
        if self._buf:
            self._absorb_chunk()
            self._release_buffer()
        data, start = self._chunk, self._pos
        end = data.find(b"\r\n\r\n", start, self._end)
        if end < 0:
            if self._end - start > self._max_head:
                raise ProtocolError(f"response head larger than {self._max_head} bytes")
            if self._eof:
                if self._end == start:
                    raise ProtocolError("connection closed before a response arrived")
                raise ProtocolError("connection closed in the middle of a response head")
            self._absorb_chunk()
            return NEED_DATA
        if end - start > self._max_head:
            raise ProtocolError(f"response head larger than {self._max_head} bytes")
        head = _parse_head_cached(bytes(data[start:end]))
        self._pos = end + 4
        return self._frame_body(head)

    def _frame_body(self, head: ResponseHead) -> Event:
        status = head.status
        self._head_keep_alive = head.keep_alive
        self.head_received = status >= 200
        if status == 101:
            self.state = _UPGRADED
            leftover = bytes(self._chunk[self._pos : self._end])
            self._set_chunk(b"")
            return Upgrade(head, leftover)
        if 100 <= status < 200:
            self.state = _HEAD  # interim response: the real one follows
            return self._next_event()
        headers = head.headers
        if self._is_head or status in (204, 304):
            self.state = _BODY_LENGTH
            self._remaining = 0
            return head
        te = headers.get("transfer-encoding")
        if te is not None:
            if te.lower().rsplit(",", 1)[-1].strip() != "chunked":
                raise ProtocolError(f"unsupported Transfer-Encoding {te!r}")
            self.state = _BODY_CHUNK_SIZE
            return head
        cl = headers.get("content-length")
        if cl is not None:
            if not (cl.isascii() and cl.isdigit()):
                raise ProtocolError(f"malformed Content-Length {cl!r}")
            self._remaining = int(cl)
            self.state = _BODY_LENGTH
            return head
        self.state = _BODY_CLOSE
        self._head_keep_alive = False
        return head
