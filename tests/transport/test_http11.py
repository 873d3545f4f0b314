"""The HTTP/1.1 response parser on plain bytes: whole, byte by byte, and at any split."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiodocker_engine.errors import ProtocolError
from aiodocker_engine.transport import _http11
from aiodocker_engine.transport._http11 import (
    NEED_DATA,
    Data,
    EndOfMessage,
    Event,
    ParserState,
    ResponseHead,
    ResponseParser,
    Upgrade,
    chunk_header,
    encode_request_head,
)

# (name, method, raw response, status, body, reusable afterwards)
CASES: list[tuple[str, str, bytes, int, bytes, bool]] = [
    (
        "content-length",
        "GET",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
        b'{"Id":"ab"}',
        200,
        b'{"Id":"ab"}',
        True,
    ),
    (
        "chunked with extension and trailer",
        "GET",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: 1\r\n\r\n",
        200,
        b"hello world!",
        True,
    ),
    (
        "empty chunked",
        "POST",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        200,
        b"",
        True,
    ),
    (
        "204 has no body",
        "POST",
        b"HTTP/1.1 204 No Content\r\nApi-Version: 1.41\r\n\r\n",
        204,
        b"",
        True,
    ),
    (
        "304 ignores content-length",
        "POST",
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
        304,
        b"",
        True,
    ),
    (
        "HEAD ignores content-length",
        "HEAD",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\n",
        200,
        b"",
        True,
    ),
    (
        "1xx interim response is skipped",
        "POST",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        201,
        b"ok",
        True,
    ),
    (
        "close-delimited",
        "GET",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nraw bytes until close",
        200,
        b"raw bytes until close",
        False,
    ),
    (
        "connection close",
        "GET",
        b"HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 3\r\n\r\nnop",
        404,
        b"nop",
        False,
    ),
    (
        "HTTP/1.0 without keep-alive",
        "GET",
        b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
        200,
        b"x",
        False,
    ),
    (
        "binary body with CRLFs inside",
        "GET",
        b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n\r\n\r\n\x00\x01\r\n",
        200,
        b"\r\n\r\n\x00\x01\r\n",
        True,
    ),
]


def run_parser(
    method: str, pieces: list[bytes], *, eof: bool
) -> tuple[ResponseHead, bytes, ResponseParser]:
    """Feed `pieces` one at a time, collecting the head and the body until EndOfMessage."""
    parser = ResponseParser()
    parser.start(method)
    head: ResponseHead | None = None
    body = bytearray()
    feed = iter([*pieces, b""] if eof else pieces)
    while True:
        event = parser.next_event()
        if event is NEED_DATA:
            parser.feed(next(feed))
            continue
        if isinstance(event, ResponseHead):
            head = event
        elif isinstance(event, Data):
            body += event.data
        elif isinstance(event, EndOfMessage):
            assert head is not None
            return head, bytes(body), parser
        else:
            raise AssertionError(f"unexpected event {event!r}")


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c for c in cuts if 0 < c < len(data)})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize(("name", "method", "raw", "status", "body", "reusable"), CASES)
def test_parser_reads_case_whole(
    name: str, method: str, raw: bytes, status: int, body: bytes, reusable: bool
) -> None:
    head, got, parser = run_parser(method, [raw], eof=not reusable)
    assert (head.status, got) == (status, body)
    assert parser.reusable is reusable


@pytest.mark.parametrize(("name", "method", "raw", "status", "body", "reusable"), CASES)
def test_parser_reads_case_byte_by_byte(
    name: str, method: str, raw: bytes, status: int, body: bytes, reusable: bool
) -> None:
    pieces = [raw[i : i + 1] for i in range(len(raw))]
    head, got, parser = run_parser(method, pieces, eof=not reusable)
    assert (head.status, got) == (status, body)
    assert parser.reusable is reusable


@pytest.mark.parametrize(("name", "method", "raw", "status", "body", "reusable"), CASES)
def test_parser_reads_case_split_at_every_single_boundary(
    name: str, method: str, raw: bytes, status: int, body: bytes, reusable: bool
) -> None:
    for cut in range(1, len(raw)):
        head, got, _ = run_parser(method, [raw[:cut], raw[cut:]], eof=not reusable)
        assert (head.status, got) == (status, body), cut


@given(case=st.sampled_from(CASES), cuts=st.lists(st.integers(0, 400), max_size=12))
def test_parser_reads_case_at_any_splits(
    case: tuple[str, str, bytes, int, bytes, bool], cuts: list[int]
) -> None:
    _, method, raw, status, body, reusable = case
    head, got, _ = run_parser(method, split_at(raw, cuts), eof=not reusable)
    assert (head.status, got) == (status, body)


@given(
    body=st.binary(max_size=3000),
    chunk_sizes=st.lists(st.integers(1, 700), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 5000), max_size=10),
)
def test_parser_reassembles_any_chunked_body(
    body: bytes, chunk_sizes: list[int], cuts: list[int]
) -> None:
    encoded = bytearray(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    pos, i = 0, 0
    while pos < len(body):
        size = chunk_sizes[i % len(chunk_sizes)]
        part = body[pos : pos + size]
        encoded += chunk_header(len(part)) + part + b"\r\n"
        pos += size
        i += 1
    encoded += b"0\r\n\r\n"
    _, got, parser = run_parser("GET", split_at(bytes(encoded), cuts), eof=False)
    assert got == body
    assert parser.reusable


# The cases a whole-response read takes in one step; the rest fall back to events.
WHOLE_FAST = {
    "content-length",
    "empty chunked",
    "204 has no body",
    "304 ignores content-length",
    "HEAD ignores content-length",
    "connection close",
    "HTTP/1.0 without keep-alive",
    "binary body with CRLFs inside",
}


@pytest.mark.parametrize(("name", "method", "raw", "status", "body", "reusable"), CASES)
def test_parse_whole_agrees_with_the_event_path_or_declines(
    name: str, method: str, raw: bytes, status: int, body: bytes, reusable: bool
) -> None:
    parser = ResponseParser()
    parser.start(method)
    whole = parser.parse_whole(raw)
    if name not in WHOLE_FAST:
        assert whole is None
        # Declining left the parser untouched: the event path reads the same bytes.
        parser.feed(raw)
        if not reusable:
            parser.feed(b"")
        head = parser.next_event()
        assert isinstance(head, ResponseHead) and head.status == status
        return
    assert whole is not None
    head, parts = whole
    assert (head.status, b"".join(parts)) == (status, body)
    assert parser.head_received
    assert parser.reusable is reusable


@given(
    body=st.binary(max_size=3000),
    chunk_sizes=st.lists(st.integers(1, 700), min_size=1, max_size=8),
    cut=st.integers(0, 5000),
)
def test_parse_whole_takes_any_complete_chunked_body_and_declines_any_prefix(
    body: bytes, chunk_sizes: list[int], cut: int
) -> None:
    encoded = bytearray(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    pos, i = 0, 0
    while pos < len(body):
        part = body[pos : pos + chunk_sizes[i % len(chunk_sizes)]]
        encoded += chunk_header(len(part)) + part + b"\r\n"
        pos += len(part)
        i += 1
    encoded += b"0\r\n\r\n"
    raw = bytes(encoded)
    parser = ResponseParser()
    parser.start("GET")
    whole = parser.parse_whole(raw)
    assert whole is not None
    assert b"".join(whole[1]) == body
    assert all(isinstance(p, memoryview) and p.obj is raw for p in whole[1])
    assert parser.reusable
    if cut < len(raw):
        truncated = ResponseParser()
        truncated.start("GET")
        assert truncated.parse_whole(raw[:cut]) is None
        assert truncated.state is ParserState.HEAD and not truncated.head_received


def test_parse_whole_declines_extra_bytes_and_malformed_heads() -> None:
    for raw in (
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab",  # more than announced
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        b"HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\nraw",
        b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
    ):
        parser = ResponseParser()
        parser.start("GET")
        assert parser.parse_whole(raw) is None, raw
    parser = ResponseParser()
    parser.start("GET")
    assert parser.parse_whole(b"SSH-2.0-OpenSSH_9.2\r\n\r\n") is None
    parser.feed(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    with pytest.raises(ProtocolError, match="status line"):
        parser.next_event()


def test_parser_hands_out_body_inside_one_chunk_without_copy() -> None:
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(raw)
    assert isinstance(parser.next_event(), ResponseHead)
    data = parser.next_event()
    assert isinstance(data, Data) and isinstance(data.data, memoryview)
    assert data.data.obj is raw


def test_parser_reads_two_responses_back_to_back_on_one_connection() -> None:
    parser = ResponseParser()
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
    second = b"HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb"
    for raw, status, body in ((first, 200, b"a"), (second, 201, b"b")):
        parser.start("GET")
        parser.feed(raw)
        head = parser.next_event()
        assert isinstance(head, ResponseHead) and head.status == status
        data = parser.next_event()
        assert isinstance(data, Data) and bytes(data.data) == body
        assert isinstance(parser.next_event(), EndOfMessage)
        assert parser.reusable


def test_parser_marks_extra_bytes_after_a_response_as_not_reusable() -> None:
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naJUNK")
    assert isinstance(parser.next_event(), ResponseHead)
    assert isinstance(parser.next_event(), Data)
    assert isinstance(parser.next_event(), EndOfMessage)
    assert not parser.reusable


def head_of(raw: bytes) -> ResponseHead:
    """The head event of a GET response given whole."""
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(raw)
    head = parser.next_event()
    assert isinstance(head, ResponseHead)
    return head


def test_parser_lowercases_header_names_and_joins_repeated_headers() -> None:
    head = head_of(
        b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nOSType: linux\r\n"
        b"Warning: a\r\nWarning: b\r\nContent-Length: 0\r\n\r\n"
    )
    assert head.headers["api-version"] == "1.41"
    assert head.headers["ostype"] == "linux"
    assert head.headers["warning"] == "a, b"


def test_parser_strips_blanks_around_header_values_but_not_inside() -> None:
    head = head_of(
        b"HTTP/1.1 200 OK\r\nServer: \t Docker/20.10 (linux) \t \r\nX-Empty:\r\n"
        b"X-Blank:   \r\nContent-Length: 0 \r\n\r\n"
    )
    assert head.headers == {
        "server": "Docker/20.10 (linux)",
        "x-empty": "",
        "x-blank": "",
        "content-length": "0",
    }


def test_parser_reuses_the_parse_of_identical_heads_and_keeps_them_read_only() -> None:
    raw = b"HTTP/1.1 200 OK\r\nX-Cache-Probe: 1\r\nContent-Length: 0\r\n\r\n"
    first, second = head_of(raw), head_of(raw)
    assert first is second
    with pytest.raises(TypeError):
        first.headers["x-cache-probe"] = "2"  # type: ignore[index]
    # A different head (one byte) is parsed on its own.
    other = head_of(raw.replace(b"X-Cache-Probe: 1", b"X-Cache-Probe: 2"))
    assert other.headers["x-cache-probe"] == "2"


def test_head_cache_stays_bounded() -> None:
    for i in range(3 * _http11._HEAD_CACHE_SIZE):
        head_of(b"HTTP/1.1 200 OK\r\nX-N: %d\r\nContent-Length: 0\r\n\r\n" % i)
        assert len(_http11._HEAD_CACHE) <= _http11._HEAD_CACHE_SIZE


@pytest.mark.parametrize("cut", [0, 10, 30, 45])
def test_parser_upgrade_hands_over_bytes_after_the_head(cut: int) -> None:
    raw = (
        b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
        b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
    )
    stream = b"\x01\x00\x00\x00\x00\x00\x00\x03hi\n"
    parser = ResponseParser()
    parser.start("POST")
    data = raw + stream
    pieces = [data[: len(raw) - cut], data[len(raw) - cut :]] if cut else [data]
    event: _http11.Event = NEED_DATA
    for piece in pieces:
        parser.feed(piece)
        event = parser.next_event()
    assert isinstance(event, Upgrade)
    assert event.head.status == 101
    assert event.head.headers["content-type"] == "application/vnd.docker.raw-stream"
    assert event.leftover == stream
    assert parser.state is ParserState.UPGRADED


BAD: list[tuple[str, bytes, str]] = [
    ("garbage status line", b"SSH-2.0-OpenSSH\r\n\r\n", "status line"),
    ("bad status code", b"HTTP/1.1 2x0 OK\r\n\r\n", "status line"),
    ("header without colon", b"HTTP/1.1 200 OK\r\nBroken\r\n\r\n", "header line"),
    ("folded header", b"HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", "header line"),
    ("bad content-length", b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
    # str.isdigit() says yes to "\xb2" (superscript two in latin-1): int() does not.
    ("non-ascii digit length", b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\nab", "Length"),
    ("non-ascii digit status", b"HTTP/1.1 2\xb20 OK\r\n\r\n", "status line"),
    (
        "conflicting content-length",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "conflicting",
    ),
    (
        "unknown transfer-encoding",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "Transfer-Encoding",
    ),
    (
        "bad chunk size",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "chunk size",
    ),
    (
        "chunk longer than announced",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
        "longer",
    ),
]


@pytest.mark.parametrize(("name", "raw", "message"), BAD)
def test_the_whole_response_fast_path_leaves_malformed_input_to_the_events(
    name: str, raw: bytes, message: str
) -> None:
    parser = ResponseParser()
    parser.start("GET")
    assert parser.parse_whole(raw) is None


@pytest.mark.parametrize(("name", "raw", "message"), BAD)
def test_parser_rejects_malformed_input_and_enters_error_state(
    name: str, raw: bytes, message: str
) -> None:
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(raw)
    with pytest.raises(ProtocolError, match=message):
        while True:
            event = parser.next_event()
            assert event is not NEED_DATA, "parser wanted more data instead of failing"
            if isinstance(event, EndOfMessage):
                break
    assert parser.state is ParserState.ERROR
    with pytest.raises(ProtocolError):
        parser.feed(b"more")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "before a response arrived"),
        (b"HTTP/1.1 200 OK\r\nContent-", "middle of a response head"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "7 bytes of the body missing"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "3 bytes of a chunk"),
    ],
)
def test_parser_reports_what_was_missing_when_the_peer_closes_early(
    raw: bytes, message: str
) -> None:
    parser = ResponseParser()
    parser.start("GET")
    if raw:
        parser.feed(raw)
    parser.feed(b"")
    with pytest.raises(ProtocolError, match=message):
        while parser.next_event() is not NEED_DATA:
            pass


def test_parser_refuses_a_head_larger_than_the_limit() -> None:
    parser = ResponseParser(max_head_bytes=1024)
    parser.start("GET")
    with pytest.raises(ProtocolError, match="larger than 1024"):
        for _ in range(100):
            parser.feed(b"X-Filler: " + b"a" * 50 + b"\r\n")
            assert parser.next_event() is NEED_DATA
    assert parser.state is ParserState.ERROR


def test_request_head_is_serialised_with_host_and_headers() -> None:
    head = encode_request_head(
        "POST", "/v1.41/containers/create?name=x", "docker", {"Content-Length": "2"}
    )
    assert head == (
        b"POST /v1.41/containers/create?name=x HTTP/1.1\r\nHost: docker\r\n"
        b"Content-Length: 2\r\n\r\n"
    )


@pytest.mark.parametrize("target", ["/a b", "/a\r\nX: y", "/a\n"])
def test_request_head_refuses_targets_that_would_inject_lines(target: str) -> None:
    with pytest.raises(ValueError, match="target"):
        encode_request_head("GET", target, "docker", None)


def test_request_head_refuses_header_values_with_line_breaks() -> None:
    with pytest.raises(ValueError, match="line breaks"):
        encode_request_head("GET", "/", "docker", {"X-Registry-Auth": "a\r\nEvil: 1"})


def test_header_values_are_sent_in_utf8_as_go_sends_them() -> None:
    # The CLI names a build session after its context directory, in any script.
    for name in ("проект", "café"):
        head = encode_request_head(
            "POST", "/session", "docker", {"X-Docker-Expose-Session-Name": name}
        )
        assert f"X-Docker-Expose-Session-Name: {name}\r\n".encode() in head


def test_codec_module_does_no_io() -> None:
    tree = ast.parse(Path(_http11.__file__).read_text())
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert not modules & {"anyio", "asyncio", "trio", "socket", "ssl", "select"}


def next_body_event(parser: ResponseParser) -> Event:
    """The parts of `next_body_parts` joined into one Data, as the pool's `aiter_raw` does."""
    got = parser.next_body_parts()
    if not isinstance(got, list):
        return got
    return Data(got[0] if len(got) == 1 else b"".join(got))


PULLS = {"next_event": ResponseParser.next_event, "next_body_event": next_body_event}


def drain_coalesced(parser: ResponseParser, pieces: list[bytes]) -> tuple[list[bytes], bool]:
    """Body parts as `next_body_event` hands them out, feeding `pieces` when asked."""
    parts: list[bytes] = []
    feed = iter(pieces)
    while True:
        event = next_body_event(parser)
        if event is NEED_DATA:
            parser.feed(next(feed))
        elif isinstance(event, Data):
            parts.append(bytes(event.data))
        elif isinstance(event, EndOfMessage):
            return parts, parser.reusable


def chunked(parts: list[bytes]) -> bytes:
    body = b"".join(chunk_header(len(p)) + p + b"\r\n" for p in parts if p)
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n"


def assert_coalesced_body_survives_splits(lines: list[bytes], cuts: list[int]) -> None:
    """A chunked body of `lines`, fed in pieces cut at `cuts`, comes out whole by coalescing."""
    feed = iter(split_at(chunked(lines), cuts))
    parser = ResponseParser()
    parser.start("GET")
    event = parser.next_event()
    while event is NEED_DATA:
        parser.feed(next(feed))
        event = parser.next_event()
    assert isinstance(event, ResponseHead)
    parts, reusable = drain_coalesced(parser, list(feed))
    assert b"".join(parts) == b"".join(lines)
    assert reusable


def test_body_events_join_every_chunk_already_received() -> None:
    lines = [b"line %d\n" % i for i in range(500)]
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(chunked(lines))
    assert isinstance(parser.next_event(), ResponseHead)
    parts, reusable = drain_coalesced(parser, [])
    assert parts == [b"".join(lines)]
    assert reusable


def test_whole_chunks_behind_a_split_one_take_the_gathering_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nearly every read of a log stream starts with the rest of a chunk cut by the
    # previous read: the whole chunks behind it must still be gathered in one pass, not
    # one event each.
    gathered: list[int] = []
    gather = _http11._gather_chunks

    def counting(
        data: bytes | bytearray, view: memoryview, pos: int, n: int, into: list[bytes | memoryview]
    ) -> tuple[int, bool]:
        before = len(into)
        result = gather(data, view, pos, n, into)
        gathered.append(len(into) - before)
        return result

    monkeypatch.setattr(_http11, "_gather_chunks", counting)
    lines = [b"line %03d\n" % i for i in range(200)]
    raw = chunked(lines)
    cut = raw.index(b"line 100") + 3
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(raw[:cut])
    assert isinstance(parser.next_event(), ResponseHead)
    parts, reusable = drain_coalesced(parser, [raw[cut:]])
    assert b"".join(parts) == b"".join(lines)
    assert len(parts) == 2  # one Data per read
    assert reusable
    # Lines 0-99 in the first read; the two ends of the split line 100 are taken beside
    # the loop (no event each); lines 101-199 are gathered.
    assert [n for n in gathered if n] == [100, 99]


def body_parts_read_in(pieces: list[bytes]) -> list[bytes]:
    """The body parts `next_body_parts` hands out while `pieces` are fed one by one."""
    parser = ResponseParser()
    parser.start("GET")
    feed = iter(pieces)
    got: list[bytes] = []
    while True:
        event = parser.next_body_parts()
        if isinstance(event, list):
            got += [bytes(part) for part in event]
        elif event is NEED_DATA:
            parser.feed(next(feed))
        elif isinstance(event, EndOfMessage):
            return got
        else:
            assert isinstance(event, ResponseHead)


def test_a_read_may_end_anywhere_in_a_chunk_and_the_next_take_the_rest() -> None:
    # Every place a read can end: in a size line, its CRLF, the data, the closing CR or
    # LF; with one cut and with two. The parts are the chunks or their pieces, in order.
    lines = [b"first line\n", b"x" * 40, b"third"]
    raw = chunked(lines)
    body = raw.index(b"\r\n\r\n") + 4
    for i in range(body, len(raw)):
        assert b"".join(body_parts_read_in(split_at(raw, [i]))) == b"".join(lines)
        for j in range(i + 1, min(len(raw), i + 9)):
            assert b"".join(body_parts_read_in(split_at(raw, [i, j]))) == b"".join(lines)
    whole = body_parts_read_in(split_at(raw, [raw.index(b"xx") + 5]))
    assert whole == [b"first line\n", b"x" * 5, b"x" * 35, b"third"]


def test_chunk_data_longer_than_announced_is_caught_wherever_the_read_ends() -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n5\r\nworldX\r\n0\r\n\r\n"
    )
    for i in range(raw.index(b"\r\n\r\n") + 4, len(raw)):
        with pytest.raises(ProtocolError, match="longer than its announced size"):
            body_parts_read_in(split_at(raw, [i]))


@given(
    lines=st.lists(st.binary(min_size=1, max_size=300), max_size=40),
    cuts=st.lists(st.integers(0, 20000), max_size=12),
)
def test_body_events_reassemble_chunked_bodies_at_any_split(
    lines: list[bytes], cuts: list[int]
) -> None:
    assert_coalesced_body_survives_splits(lines, cuts)


@pytest.mark.parametrize(
    ("payload", "pull"),
    [
        (b"abc", "next_event"),
        # a lone large chunk even when parts are coalesced (small ones are gathered as bytes)
        (b"x" * (2 * _http11._VIEW_FROM), "next_body_event"),
    ],
)
def test_whole_chunks_inside_one_read_are_views_without_copy(payload: bytes, pull: str) -> None:
    raw = chunked([payload])
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(raw)
    assert isinstance(parser.next_event(), ResponseHead)
    data = PULLS[pull](parser)
    assert isinstance(data, Data) and isinstance(data.data, memoryview)
    assert data.data.obj is raw and bytes(data.data) == payload


@given(
    sizes=st.lists(st.integers(1, 3 * 2048), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 30000), max_size=6),
)
def test_body_events_gather_small_and_large_chunks_alike(sizes: list[int], cuts: list[int]) -> None:
    # Chunks below _VIEW_FROM are gathered as bytes slices, larger ones as views.
    lines = [bytes([65 + i % 26]) * size for i, size in enumerate(sizes)]
    assert_coalesced_body_survives_splits(lines, cuts)


def test_size_lines_with_leading_zeros_beyond_the_fast_path_still_parse() -> None:
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"0" * 20
        + b"5\r\nhello\r\n0\r\n\r\n"
    )
    assert isinstance(parser.next_event(), ResponseHead)
    parts, reusable = drain_coalesced(parser, [])
    assert parts == [b"hello"] and reusable


def test_chunk_size_cache_stays_bounded() -> None:
    for size in range(1, 3 * _http11._CHUNK_SIZES_MAX, 2):
        parser = ResponseParser()
        parser.start("GET")
        parser.feed(chunked([b"z" * size]))
        assert isinstance(parser.next_event(), ResponseHead)
        parts, _ = drain_coalesced(parser, [])
        assert len(b"".join(parts)) == size
        assert len(_http11._CHUNK_SIZES) <= _http11._CHUNK_SIZES_MAX


def test_chunk_head_cache_stays_bounded() -> None:
    # Heads are remembered by their first 8 bytes, data bytes included: distinct data
    # makes distinct keys, and the cache is cleared when full.
    lines = [i.to_bytes(3, "big") + b"!" for i in range(3 * _http11._CHUNK_HEADS_MAX)]
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(chunked(lines))
    assert isinstance(parser.next_event(), ResponseHead)
    parts, _ = drain_coalesced(parser, [])
    assert b"".join(parts) == b"".join(lines)
    assert 0 < len(_http11._CHUNK_HEADS) <= _http11._CHUNK_HEADS_MAX


def test_size_lines_filling_the_head_key_and_longer_ones_parse_alike_every_time() -> None:
    # "000005" CRLF fills the 8-byte key exactly; a seventh digit pushes the CRLF out of
    # it, so that head is never remembered. Twice: the second time from the cache.
    body = b"000005\r\nhello\r\n0000005\r\nworld\r\n5\r\n12345\r\n" * 2 + b"0\r\n\r\n"
    for _ in range(2):
        parser = ResponseParser()
        parser.start("GET")
        parser.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        assert isinstance(parser.next_event(), ResponseHead)
        parts = parser.next_body_parts()
        assert isinstance(parts, list)
        assert [bytes(p) for p in parts] == [b"hello", b"world", b"12345"] * 2
        assert isinstance(parser.next_body_parts(), EndOfMessage)
    assert _http11._CHUNK_HEADS[int.from_bytes(b"000005\r\n", "little")] == (8, 5)
    assert int.from_bytes(b"0000005\r", "little") not in _http11._CHUNK_HEADS


@pytest.mark.parametrize("size", [b"zz", b"-1", b"0x5", b"5 5"])
@pytest.mark.parametrize("pull", ["next_event", "next_body_event"])
def test_malformed_chunk_sizes_are_rejected_on_the_fast_path_too(size: bytes, pull: str) -> None:
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nok\n\r\n" + size + b"\r\nhello\r\n"
    )
    assert isinstance(parser.next_event(), ResponseHead)
    with pytest.raises(ProtocolError, match="chunk size"):
        while True:
            event = PULLS[pull](parser)
            assert event is not NEED_DATA


@pytest.mark.parametrize(
    "line",
    [b"X y: z", b"Bad Name: v", b": empty-name", b"NoColon", b"A\x00: b"],
)
def test_header_lines_must_start_with_a_token_and_a_colon(line: bytes) -> None:
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n" + line + b"\r\n\r\n")
    with pytest.raises(ProtocolError, match="header line"):
        parser.next_event()


# -- pooled reads: views of a reused buffer whose bytes past the read are stale ---------

STALE = b"\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n" * 4  # what an earlier, longer read left


def pooled(piece: bytes) -> memoryview:
    """`piece` as `ReadBuffers` hands it out: a read-only view of a longer buffer."""
    return memoryview(bytearray(piece + STALE))[: len(piece)].toreadonly()


@given(
    lines=st.lists(st.binary(min_size=1, max_size=3000), max_size=30),
    cuts=st.lists(st.integers(0, 40000), max_size=12),
)
def test_pooled_reads_parse_like_bytes_at_any_split(lines: list[bytes], cuts: list[int]) -> None:
    pieces = [pooled(piece) for piece in split_at(chunked(lines), cuts)]
    parser = ResponseParser()
    parser.start("GET")
    parts: list[bytes] = []
    event = parser.next_event()
    for piece in pieces:
        assert event is NEED_DATA
        parser.feed_pooled(piece)
        event = next_body_event(parser) if parser.head_received else parser.next_event()
        if isinstance(event, ResponseHead):
            event = next_body_event(parser)
        while isinstance(event, Data):
            parts.append(bytes(event.data))
            event = next_body_event(parser)
    assert isinstance(event, EndOfMessage)
    assert b"".join(parts) == b"".join(lines)
    assert parser.reusable


def test_pooled_body_parts_are_views_of_the_read_buffer() -> None:
    raw = chunked([b"small\n", b"x" * 3000])
    view = pooled(raw)
    parser = ResponseParser()
    parser.start("GET")
    parser.feed_pooled(view)
    assert isinstance(parser.next_event(), ResponseHead)
    first = parser.next_event()
    assert isinstance(first, Data) and isinstance(first.data, memoryview)
    assert first.data.obj is view.obj and first.data.readonly
    assert bytes(first.data) == b"small\n"


@pytest.mark.parametrize(
    "view",
    [
        memoryview(bytearray(b"abc")),  # writable
        memoryview(b"abc"),  # not a reusable buffer
    ],
)
def test_feed_pooled_takes_only_read_only_views_of_a_bytearray(view: memoryview) -> None:
    parser = ResponseParser()
    parser.start("GET")
    with pytest.raises(ValueError, match="read-only view of a bytearray"):
        parser.feed_pooled(view)


def drain_parts(parser: ResponseParser, pieces: list[memoryview]) -> list[list[bytes]]:
    """What `next_body_parts` hands out, a list per call, feeding pooled `pieces` as asked."""
    reads: list[list[bytes]] = []
    feed = iter(pieces)
    while True:
        got = parser.next_body_parts()
        if got is NEED_DATA:
            parser.feed_pooled(next(feed))
        elif isinstance(got, list):
            assert got, "an empty list of parts"
            reads.append([bytes(part) for part in got])
        else:
            assert isinstance(got, EndOfMessage)
            assert next(feed, None) is None
            return reads


@given(
    lines=st.lists(st.binary(min_size=1, max_size=3000), max_size=30),
    cuts=st.lists(st.integers(0, 40000), max_size=12),
)
def test_body_parts_of_pooled_reads_parse_like_bytes_at_any_split(
    lines: list[bytes], cuts: list[int]
) -> None:
    raw = chunked(lines)
    head_end = raw.index(b"\r\n\r\n") + 4
    pieces = [pooled(piece) for piece in split_at(raw[head_end:], cuts)]
    parser = ResponseParser()
    parser.start("GET")
    parser.feed(raw[:head_end])
    assert isinstance(parser.next_event(), ResponseHead)
    reads = drain_parts(parser, pieces)
    assert b"".join(b"".join(parts) for parts in reads) == b"".join(lines)
    assert len(reads) <= len(pieces)  # one list per read at most, however many chunks
    assert parser.reusable


def test_body_parts_of_one_read_stay_apart_as_views_without_copy() -> None:
    lines = [bytes([65 + i]) * 20000 for i in range(5)] + [b"small\n", b"tail\n"]
    raw = chunked(lines)
    view = pooled(raw)
    parser = ResponseParser()
    parser.start("GET")
    parser.feed_pooled(view)
    assert isinstance(parser.next_event(), ResponseHead)
    parts = parser.next_body_parts()
    assert isinstance(parts, list)
    assert [bytes(part) for part in parts] == lines
    for part in parts:
        assert isinstance(part, memoryview) and part.obj is view.obj and part.readonly
    assert isinstance(parser.next_body_parts(), EndOfMessage)
    assert parser.reusable
