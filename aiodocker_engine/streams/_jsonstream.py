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

1. Fast path: everything up to the last newline of the chunk (plus what was pending) goes to
   ``msgspec``'s ``decode_lines`` in one call, with the cached ``Decoder(type)``. It skips blank
   lines and tolerates ``\\r``; when it succeeds every line was one complete value. The newline
   search looks at the new chunk only, so a long message arriving in many reads costs linear
   time.
2. Back-to-back path, when ``decode_lines`` fails, and for the bytes after the last newline
   when new ones hold a ``}`` or ``]`` (without one no value can have ended): a regular
   expression finds *candidate* ends, a ``}`` or ``]`` followed by optional whitespace and a
   ``{`` or ``[``. The bytes from the value's start to a candidate are decoded; success proves
   the candidate is the value's real end (an object or array that parses is complete, and the
   parse of the longer input would close at the same byte). ``}{`` inside a string makes a
   candidate that fails to decode. The bytes after the last candidate are tried as a whole when
   the chunk ends in ``}`` or ``]``, at ``eof``, and after a failed fast path. A message sent
   without newline is so handed out as soon as its last byte arrives. The candidate search
   resumes where it stopped, so a long message arriving in many reads is searched once.
3. Scanner, when a decode in rule 2 fails (a ``}{`` inside a string, a bad message, a value
   still incomplete): it finds where each top-level object or array really ends, jumping with
   one regular expression from token to token (a whole string, or a bracket or brace), never
   looping over every byte in Python. UTF-8 needs no care: no byte of a multi-byte character is
   ASCII. Each value it delimits is decoded on its own; a bad one raises `StreamError` naming
   its byte offset, and bytes between values that cannot start one raise too. Inside an
   incomplete value it keeps its state and resumes on the next chunk (linear again), also
   inside a string cut by the chunk's end (before a backslash whose byte is still to come),
   until the value ends or the fast path succeeds.
4. No message is lost to an error: if messages were decoded from a chunk before the error in
   it, ``feed`` returns them and the error is raised by the next ``feed`` or ``eof``. ``eof``
   has no next call, so it raises at once (dropping any message it decoded before the error).
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


# Back-to-back path (rule 2) and scanner (rule 3).
_NOT_SPACE = re.compile(rb"[^ \t\r\n]")
_CANDIDATE = re.compile(rb"[}\]][ \t\r\n]*[{\[]")
_TRAILING_CLOSER = re.compile(rb"[}\]][ \t\r\n]*\Z")
# A whole string, a bracket or brace, or (when the string is not complete yet) a lone quote.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|"', re.DOTALL)
# The rest of a string whose opening quote is behind: up to its closing quote, or as far as
# the bytes go (stopping before a backslash whose escaped byte has not arrived).
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*', re.DOTALL)
_OPEN = frozenset(b"{[")
_QUOTE = ord('"')

Scan = tuple[int, int, int, bool]
"""Scanner state: (where to look next, nesting depth there, start of the open value, whether
that place is inside a string)."""


def _scan(
    buf: bytes | bytearray, state: Scan, *, first_only: bool = False
) -> tuple[list[tuple[int, int]], Scan, int]:
    """Find complete top-level values in ``buf`` from scanner `state`.

    Returns their ``(start, end)`` spans, the state to resume from (depth 0 between values),
    and the index of bytes between values that cannot start an object or array (-1 if none;
    scanning stops there). ``first_only`` stops at the end of the first value. A string cut
    by the end of the buffer is resumed from where it was left, not from its quote, so a long
    message arriving in many reads is scanned once.
    """
    pos, depth, start, in_string = state
    spans: list[tuple[int, int]] = []
    not_space = _NOT_SPACE.search
    n = len(buf)
    while True:
        if in_string:
            rest = _STRING_REST.match(buf, pos)
            assert rest is not None  # it matches the empty string too
            end = rest.end()
            if end >= n or buf[end] != _QUOTE:  # goes on in a later chunk (maybe mid-escape)
                return spans, (end, depth, start, True), -1
            pos = end + 1  # past its closing quote
            in_string = False
        m = None
        for m in _TOKEN.finditer(buf, pos):
            i = m.start()
            c = buf[i]
            if depth == 0:
                gap = not_space(buf, pos, i)
                if gap is not None:
                    return spans, (pos, 0, start, False), gap.start()
                if c not in _OPEN:
                    return spans, (pos, 0, start, False), i
                start = i
                depth = 1
            elif c == _QUOTE:
                if m.end() == i + 1:  # an unfinished string: go on inside it
                    pos = i + 1
                    in_string = True
                    break
            elif c in _OPEN:
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    spans.append((start, m.end()))
                    if first_only:
                        return spans, (m.end(), 0, start, False), -1
            pos = m.end()
        if not in_string:
            break
    if depth == 0:
        gap = not_space(buf, pos)
        if gap is not None:
            return spans, (pos, 0, start, False), gap.start()
    return spans, (n, depth, start, False), -1


def _ends_closed(chunk: bytes) -> bool:
    """Whether the chunk ends, whitespace aside, with ``}`` or ``]``: a value may end there."""
    return chunk[-64:].rstrip()[-1:] in (b"}", b"]")


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
        "_scan",
        "_search_from",
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
        self._scan: Scan | None = None  # scanner state, rule 3
        self._search_from = 0  # where the candidate search resumes in _pending, rule 2
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
                return self._slow([], final=False, closed=_ends_closed(chunk))
            return []
        if pending:
            end = len(pending) + nl + 1
            pending += chunk
            block = bytes(pending[:end])
        else:
            end = nl + 1
            block = chunk if end == len(chunk) else chunk[:end]
        try:
            messages: list[T] = self._decode_lines(block)
        except msgspec.DecodeError:
            if not pending:
                pending += chunk
            return self._slow([], final=False, closed=True)
        # Fast path done: keep only the tail after the last newline.
        self._offset += end
        if pending:
            del pending[:end]
        else:
            pending += memoryview(chunk)[end:]
        self._scan = None
        self._search_from = 0
        if pending and (chunk.find(b"}", nl) >= 0 or chunk.find(b"]", nl) >= 0):
            return self._slow(messages, final=False, closed=_ends_closed(chunk))
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
        if self._pending:
            self._slow(messages, final=True, closed=True)
        self._state = JsonStreamState.CLOSED
        return messages

    def _raise_closed(self) -> None:
        if self._state is JsonStreamState.ERROR:
            assert self._error is not None
            raise self._error
        raise StreamError("JsonStreamDecoder.feed() called after eof()")

    def _slow(self, out: list[T], *, final: bool, closed: bool) -> list[T]:
        """Rules 2 and 3: decode what values ``_pending`` holds into ``out``; keep the rest.

        ``closed``: the bytes after the last candidate may be a whole value, try them.
        ``final``: they must be (eof).
        """
        buf = self._pending
        n = len(buf)
        decode = self._decode
        p = 0  # start of the first byte not handed out
        try:
            while True:
                if self._scan is not None:  # rule 3, until the value in question ends
                    spans, scan, junk = _scan(buf, self._scan, first_only=True)
                    pos, depth, start, _ = scan
                    self._decode_spans(spans, out)
                    if junk >= 0:
                        raise self._bad(
                            f"unexpected bytes between JSON messages at byte {self._offset + junk}",
                            buf[junk:],
                        )
                    if depth:
                        if final:
                            raise self._bad(
                                f"stream ended inside a JSON message: {n - start} bytes from "
                                f"byte {self._offset + start}",
                                buf[start:],
                            )
                        self._scan = scan
                        p = start
                        break
                    self._scan = None
                    p = pos
                    continue
                # rule 2
                m = _NOT_SPACE.search(buf, p)
                if m is None:
                    p = n
                    break
                p = m.start()
                search = _CANDIDATE.search
                candidate = search(buf, max(p, self._search_from))
                while candidate is not None:
                    try:
                        out.append(decode(buf[p : candidate.start() + 1]))
                    except msgspec.DecodeError:
                        break
                    p = candidate.end() - 1  # the next value's opening bracket
                    candidate = search(buf, p)
                if candidate is not None:  # not the value's end after all: rule 3 decides
                    self._scan = (p, 0, p, False)
                    continue
                trailing = _TRAILING_CLOSER.search(buf, max(p, self._search_from))
                self._search_from = n if trailing is None else trailing.start()
                if closed:
                    try:
                        out.append(decode(buf[p:]))
                    except msgspec.DecodeError:
                        self._scan = (p, 0, p, False)
                        continue
                    p = n
                break
        except StreamError as exc:
            self._state = JsonStreamState.ERROR
            self._error = exc
            if final or not out:  # eof has no later call to raise it from
                raise
            return out
        if p:
            del buf[:p]
            self._offset += p
            self._search_from = max(0, self._search_from - p)
            if self._scan is not None:
                pos, depth, start, in_string = self._scan
                self._scan = (pos - p, depth, start - p, in_string)
        return out

    def _decode_spans(self, spans: list[tuple[int, int]], out: list[T]) -> None:
        buf = self._pending
        decode = self._decode
        for start, end in spans:
            raw = buf[start:end]
            try:
                out.append(decode(raw))
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
