"""Sans-I/O decoder for the daemon's JSON streams: events, stats, pull/push/build/load progress.

Theory of operation
===================

The daemon writes these streams with Go's ``json.Encoder``: one JSON value per line, ``\\n``
after each. Reads cut them anywhere, so a message may span chunks. Some engines and versions
send ``\\r\\n``, blank lines, or values back to back with no newline at all
(``{"a":1}{"b":2}``); those must decode too.

State (`JsonStreamState`): ``OPEN`` until `JsonStreamDecoder.eof`, then ``CLOSED``; any error
leads to ``ERROR`` for good, and every later call raises that error again.

Invariant: ``_pending`` holds the bytes after the last message handed out, and nothing else.

Rules:

1. Fast path: everything up to the last newline of the chunk (plus what was pending) is handed
   to ``msgspec``'s ``decode_lines`` in one call, with the cached ``Decoder(type)``. It skips
   blank lines and tolerates ``\\r``; when it succeeds every line was one complete value. The
   newline search looks at the new chunk only, so a long message arriving in many chunks costs
   linear time.
2. Slow path, when ``decode_lines`` fails (values back to back, a value spread over lines, or a
   bad message): a scanner finds where each top-level object or array ends. It jumps between
   the bytes that matter (quotes, brackets, braces) with regular expressions, never looping
   over every byte in Python, and skips strings whole, so ``}{`` inside a string is no
   boundary. UTF-8 needs no care: no byte of a multi-byte character is ASCII. Each value it
   delimits is decoded on its own; a bad one raises `StreamError` naming its byte offset.
3. The tail after the last newline is scanned too, but only when its new bytes hold a ``}``
   or ``]`` (without one no value can have ended there). So a message sent without newline
   is handed out as soon as its last byte arrives, and a back-to-back stream never waits.
   The scanner resumes where it stopped, so a long message arriving in pieces is scanned
   once; in a newline-delimited stream it only ever sees the partial message at the end of
   a read.
4. No message is lost to an error: if messages were decoded from a chunk before the error in
   it, ``feed`` returns them and the error is raised by the next ``feed`` or ``eof``.
5. ``eof`` decodes what is left (a last value without newline); a partial message raises
   `StreamError`, whitespace does not.

Only objects and arrays can sit back to back (the daemon sends nothing else); a bare number or
string is fine on a line of its own.
"""

from __future__ import annotations

import enum
import functools
import re
from typing import Any, Generic, TypeVar, overload

import msgspec

from aiodocker_engine.errors import StreamError

__all__ = ["JsonStreamDecoder", "JsonStreamState"]

T = TypeVar("T")


class JsonStreamState(enum.Enum):
    """Where a `JsonStreamDecoder` is: see the module's theory of operation."""

    OPEN = "open"
    CLOSED = "closed"
    ERROR = "error"


@functools.lru_cache(maxsize=256)
def _cached_decoder(type_: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(type_)


def _decoder_for(type_: Any) -> msgspec.json.Decoder[Any]:
    try:
        return _cached_decoder(type_)
    except TypeError:  # unhashable type expression: build one, uncached
        return msgspec.json.Decoder(type_)


# Scanner (slow path). Between values only whitespace may appear; inside a value only the
# bytes below matter, and a string is skipped in one regex match from its opening quote.
_NOT_SPACE = re.compile(rb"[^ \t\r\n]")
_STRUCTURAL = re.compile(rb'["{}\[\]]')
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPEN = frozenset(b"{[")
_QUOTE = ord('"')


class _Junk(Exception):
    """Bytes between two values that do not start an object or array (``at`` is their index)."""

    def __init__(self, at: int) -> None:
        self.at = at


def _scan(
    buf: bytes | bytearray, pos: int, depth: int, start: int
) -> tuple[list[tuple[int, int]], int, int, int]:
    """Find complete top-level values in ``buf`` from scanner state ``(pos, depth, start)``.

    Returns their ``(start, end)`` spans and the state to resume from: ``pos`` where to look
    next, ``depth`` of nesting there (0: between values), ``start`` of the open value.
    """
    spans: list[tuple[int, int]] = []
    n = len(buf)
    structural = _STRUCTURAL.search
    while pos < n:
        if depth == 0:
            m = _NOT_SPACE.search(buf, pos)
            if m is None:
                pos = n
                break
            start = m.start()
            if buf[start] not in _OPEN:
                raise _Junk(start)
            depth = 1
            pos = start + 1
            continue
        m = structural(buf, pos)
        if m is None:
            pos = n
            break
        i = m.start()
        c = buf[i]
        if c == _QUOTE:
            s = _STRING_REST.match(buf, i + 1)
            if s is None:  # string continues in a later chunk: rescan it from its quote
                pos = i
                break
            pos = s.end()
        elif c in _OPEN:
            depth += 1
            pos = i + 1
        else:
            depth -= 1
            pos = i + 1
            if depth == 0:
                spans.append((start, pos))
    return spans, pos, depth, start


class JsonStreamDecoder(Generic[T]):
    """Decodes a stream of JSON values into ``T`` (a msgspec Struct, ``dict``, ``Any``, ...).

    Call `feed` once per read and `eof` at the end. Never blocks, never does I/O. Newline-
    delimited, ``\\r\\n``-delimited and back-to-back values are all accepted (module docstring).
    A message that is not JSON or does not match ``type`` raises `StreamError`; in-band
    ``errorDetail`` messages are data here, for the caller to act on.
    """

    __slots__ = (
        "_decode",
        "_decode_lines",
        "_error",
        "_offset",
        "_pending",
        "_scan_state",
        "_state",
        "_type",
    )

    @overload
    def __init__(self: JsonStreamDecoder[Any]) -> None: ...

    @overload
    def __init__(self, type: type[T]) -> None: ...

    @overload
    def __init__(self, type: Any) -> None: ...

    def __init__(self, type: Any = Any) -> None:
        decoder = _decoder_for(type)
        self._type = type
        self._decode = decoder.decode
        self._decode_lines = decoder.decode_lines
        self._state = JsonStreamState.OPEN
        self._pending = bytearray()
        self._offset = 0  # stream offset of _pending[0]
        self._scan_state = (0, 0, 0)  # scanner's (pos, depth, start) within _pending
        self._error: StreamError | None = None

    @property
    def state(self) -> JsonStreamState:
        """The decoder's state (`JsonStreamState`)."""
        return self._state

    @property
    def buffered(self) -> int:
        """Bytes of an unfinished message held by the decoder."""
        return len(self._pending)

    def __repr__(self) -> str:
        name = getattr(self._type, "__name__", repr(self._type))
        return (
            f"<JsonStreamDecoder[{name}] {self._state.name}, "
            f"{len(self._pending)} bytes buffered, {self._offset} bytes decoded>"
        )

    def feed(self, data: bytes | bytearray | memoryview) -> list[T]:
        """Decode one chunk; return the messages completed by it, in order (maybe none).

        Raises `StreamError` for a malformed message or one that does not match the type, and
        when called after an error or after `eof`.
        """
        if self._state is not JsonStreamState.OPEN:
            self._raise_closed()
        chunk = data if type(data) is bytes else bytes(data)
        nl = chunk.rfind(b"\n")
        pending = self._pending
        if nl < 0:
            if not chunk:
                return []
            pending += chunk
            if b"}" in chunk or b"]" in chunk:
                return self._run_scanner(final=False)
            return []
        if pending:
            end = len(pending) + nl + 1
            pending += chunk
            block = bytes(memoryview(pending)[:end])
        else:
            end = nl + 1
            block = chunk if end == len(chunk) else chunk[:end]
        try:
            messages: list[T] = self._decode_lines(block)
        except msgspec.DecodeError:
            if not pending:
                pending += chunk
            return self._run_scanner(final=False)
        # Fast path done: keep only the tail after the last newline.
        self._offset += end
        if pending:
            del pending[:end]
        else:
            pending += memoryview(chunk)[end:]
        self._scan_state = (0, 0, 0)
        if pending and (chunk.find(b"}", nl) >= 0 or chunk.find(b"]", nl) >= 0):
            messages.extend(self._run_scanner(final=False))
        return messages

    def eof(self) -> list[T]:
        """Signal the end of the stream; return any last message that had no newline.

        Raises `StreamError` if the stream ended inside a message. Calling it again is harmless.
        """
        if self._state is JsonStreamState.CLOSED:
            return []
        if self._state is JsonStreamState.ERROR:
            self._raise_closed()
        messages: list[T] = []
        if self._pending.strip():
            try:  # a lone last value, of any JSON type
                messages = [self._decode(bytes(self._pending))]
                self._pending.clear()
            except msgspec.DecodeError:
                messages = self._run_scanner(final=True)
        self._state = JsonStreamState.CLOSED
        return messages

    def _raise_closed(self) -> None:
        if self._state is JsonStreamState.ERROR:
            assert self._error is not None
            raise self._error
        raise StreamError("JsonStreamDecoder.feed() called after eof()")

    def _run_scanner(self, *, final: bool) -> list[T]:
        """Slow path: decode every complete value in ``_pending``, keep the rest."""
        pending = self._pending
        pos, depth, start = self._scan_state
        messages: list[T] = []
        consumed = 0
        try:
            try:
                spans, pos, depth, start = _scan(pending, pos, depth, start)
            except _Junk as junk:
                spans, pos, depth, start = _scan(pending[: junk.at], pos, depth, start)
                self._decode_spans(spans, messages)
                raise self._bad(
                    f"unexpected bytes between JSON messages at byte {self._offset + junk.at}",
                    pending[junk.at :],
                ) from None
            self._decode_spans(spans, messages)
            consumed = spans[-1][1] if spans else 0
            if final and depth:
                raise self._bad(
                    f"stream ended inside a JSON message: {len(pending) - start} bytes "
                    f"from byte {self._offset + start}",
                    pending[start:],
                )
        except StreamError as exc:
            self._state = JsonStreamState.ERROR
            self._error = exc
            if final or not messages:  # eof has no later call to raise it from
                raise
            return messages
        if depth == 0:
            consumed = len(pending)  # only whitespace after the last value
        if consumed:
            del pending[:consumed]
            self._offset += consumed
        self._scan_state = (pos - consumed, depth, start - consumed if depth else 0)
        return messages

    def _decode_spans(self, spans: list[tuple[int, int]], messages: list[T]) -> None:
        pending = self._pending
        decode = self._decode
        for start, end in spans:
            raw = bytes(pending[start:end])
            try:
                messages.append(decode(raw))
            except msgspec.ValidationError as exc:
                raise self._bad(
                    f"JSON message at byte {self._offset + start} does not match "
                    f"{getattr(self._type, '__name__', self._type)}: {exc}",
                    raw,
                ) from None
            except msgspec.DecodeError as exc:
                raise self._bad(
                    f"malformed JSON message at byte {self._offset + start}: {exc}", raw
                ) from None

    @staticmethod
    def _bad(message: str, raw: bytes | bytearray) -> StreamError:
        excerpt = bytes(raw[:200])
        more = "..." if len(raw) > 200 else ""
        return StreamError(f"{message}: {excerpt!r}{more}")
