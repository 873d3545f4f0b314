"""The multiplexed-frame and raw decoders on plain bytes: whole, byte by byte, and at any split."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiodocker_engine.errors import StreamError
from aiodocker_engine.streams import (
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

OUT, ERR, IN = StdStream.STDOUT, StdStream.STDERR, StdStream.STDIN


def wire(stream: int, payload: bytes, padding: bytes = b"\0\0\0") -> bytes:
    """One frame in the multiplexed format."""
    return bytes([stream]) + padding + len(payload).to_bytes(4, "big") + payload


def chunks_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(set(cuts)), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points)]


def run(decoder: StreamDecoder, chunks: list[bytes]) -> tuple[list[tuple[StdStream, bytes]], str]:
    """Feed chunks then eof; return the frames as (stream, bytes) and the error text, if any."""
    got: list[Frame] = []
    try:
        for chunk in chunks:
            got += decoder.feed(chunk)
        got += decoder.eof()
    except StreamError as exc:
        return [(f.stream, bytes(f.data)) for f in got], str(exc)
    return [(f.stream, bytes(f.data)) for f in got], ""


def splits(data: bytes) -> list[list[bytes]]:
    """The input whole, byte by byte, and cut before/after every frame header position."""
    return [[data], [data[i : i + 1] for i in range(len(data))], chunks_at(data, [3, 8, 9])]


BIG = bytes(range(256)) * 300  # 76,800 bytes: more than one 64 KiB read

# (name, wire bytes, frames expected)
CASES: list[tuple[str, bytes, list[tuple[StdStream, bytes]]]] = [
    ("empty stream", b"", []),
    ("stdout", wire(1, b"hello\n"), [(OUT, b"hello\n")]),
    (
        "stdout, stderr and stdin",
        wire(1, b"out\n") + wire(2, b"err\n") + wire(0, b"in"),
        [(OUT, b"out\n"), (ERR, b"err\n"), (IN, b"in")],
    ),
    ("zero-length frames are skipped", wire(1, b"") + wire(2, b"x") + wire(1, b""), [(ERR, b"x")]),
    ("large frame", wire(1, BIG) + wire(2, b"tail"), [(OUT, BIG), (ERR, b"tail")]),
    ("binary payload", wire(2, b"\0\1\2\3\xff" * 3), [(ERR, b"\0\1\2\3\xff" * 3)]),
    (
        "many small frames",
        b"".join(wire(1 + i % 2, b"%d" % i) for i in range(200)),
        [(OUT if i % 2 == 0 else ERR, b"%d" % i) for i in range(200)],
    ),
]

# (name, wire bytes, frames handed out before the error, words the error message has)
ERRORS: list[tuple[str, bytes, list[tuple[StdStream, bytes]], list[str]]] = [
    ("daemon error frame", wire(3, b"exec failed: no such file\n"), [], ["exec failed"]),
    (
        "daemon error after output",
        wire(1, b"a") + wire(3, b"boom"),
        [(OUT, b"a")],
        ["boom"],
    ),
    ("daemon error with bad utf-8", wire(3, b"bad \xff byte"), [], ["bad \ufffd byte"]),
    ("unknown stream id 4", wire(1, b"ab") + wire(4, b"x"), [(OUT, b"ab")], ["id 4", "byte 10"]),
    ("unknown stream id 255", wire(255, b"x"), [], ["id 255", "byte 0"]),
    ("non-zero padding", wire(1, b"x", b"\0\1\0"), [], ["padding", "00 01 00", "raw"]),
    (
        "raw stream read as multiplexed",
        b"hello world, this is a tty\n",
        [],
        ["padding", "byte 0"],
    ),
    (
        "truncated payload",
        wire(1, b"a") + wire(2, b"0123456789")[:-7],
        [(OUT, b"a")],
        ["stderr frame", "3 of 10", "7 missing"],
    ),
    (
        "truncated header",
        wire(1, b"a") + wire(2, b"0123")[:5],
        [(OUT, b"a")],
        ["header", "5 of 8", "3 missing"],
    ),
    (
        "truncated daemon error",
        wire(3, b"half of the text")[:12],
        [],
        ["daemon error frame", "4 of 16", "half"],
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_frame_decoder_cases_whole_bytewise_and_split(
    name: str, data: bytes, expected: list[tuple[StdStream, bytes]]
) -> None:
    for chunks in splits(data):
        assert run(FrameDecoder(), chunks) == (expected, "")


@pytest.mark.parametrize(("name", "data", "before", "words"), ERRORS, ids=[c[0] for c in ERRORS])
def test_frame_decoder_errors_whole_bytewise_and_split(
    name: str, data: bytes, before: list[tuple[StdStream, bytes]], words: list[str]
) -> None:
    for chunks in splits(data):
        got, error = run(FrameDecoder(), chunks)
        assert got == before
        for word in words:
            assert word in error


@given(st.data())
def test_frame_decoder_at_any_split(data: st.DataObject) -> None:
    _name, raw, expected = data.draw(st.sampled_from(CASES))
    cuts = data.draw(st.lists(st.integers(0, len(raw))))
    assert run(FrameDecoder(), chunks_at(raw, cuts)) == (expected, "")


@given(st.data())
def test_frame_decoder_errors_at_any_split(data: st.DataObject) -> None:
    _name, raw, before, words = data.draw(st.sampled_from(ERRORS))
    cuts = data.draw(st.lists(st.integers(0, len(raw))))
    got, error = run(FrameDecoder(), chunks_at(raw, cuts))
    assert got == before
    assert all(word in error for word in words)


@given(
    st.lists(st.tuples(st.sampled_from([0, 1, 2]), st.binary(max_size=300)), max_size=20),
    st.data(),
)
def test_frame_decoder_round_trips_random_frames(
    frames: list[tuple[int, bytes]], data: st.DataObject
) -> None:
    raw = b"".join(wire(s, p) for s, p in frames)
    cuts = data.draw(st.lists(st.integers(0, len(raw))))
    expected = [(StdStream(s), p) for s, p in frames if p]
    assert run(FrameDecoder(), chunks_at(raw, cuts)) == (expected, "")


def test_frame_decoder_joins_header_split_at_every_byte() -> None:
    data = wire(2, b"payload") + wire(1, b"next")
    for cut in range(1, 8):
        decoder = FrameDecoder()
        assert decoder.feed(data[:cut]) == []
        assert decoder.buffered == cut
        assert decoder.state is DecoderState.HEADER
        frames = decoder.feed(data[cut:])
        assert [(f.stream, bytes(f.data)) for f in frames] == [(ERR, b"payload"), (OUT, b"next")]
        assert decoder.buffered == 0
        assert decoder.eof() == []


def test_frame_decoder_hands_out_frames_inside_a_chunk_without_copying() -> None:
    chunk = wire(1, b"hello") + wire(2, b"world")
    frames = FrameDecoder().feed(chunk)
    for frame in frames:
        assert isinstance(frame.data, memoryview)
        assert frame.data.obj is chunk


def test_frame_decoder_does_not_copy_a_payload_whose_header_was_in_the_previous_chunk() -> None:
    data = wire(1, b"hello")
    decoder = FrameDecoder()
    decoder.feed(data[:5])
    second = data[5:]
    (frame,) = decoder.feed(second)
    assert isinstance(frame.data, memoryview)
    assert frame.data.obj is second


def test_frame_decoder_joins_a_spanning_frame_once_into_a_buffer_of_its_size() -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB
    data = wire(1, payload) + wire(2, b"after")
    decoder = FrameDecoder()
    frames: list[Frame] = []
    for i in range(0, len(data), 1000):
        frames += decoder.feed(data[i : i + 1000])
        if not frames:
            assert decoder.state is DecoderState.PAYLOAD
            assert decoder.buffered == min(i + 1000, len(data)) - 8
    assert [f.stream for f in frames] == [OUT, ERR]
    assert isinstance(frames[0].data, memoryview)
    assert isinstance(frames[0].data.obj, bytearray)
    assert len(frames[0].data.obj) == len(payload)
    assert frames[0].data == payload
    assert bytes(frames[1].data) == b"after"


def test_frame_decoder_large_frames_in_64k_reads() -> None:
    frames = [(1 + i % 2, bytes([i]) * (70_000 + i)) for i in range(5)]
    data = b"".join(wire(s, p) for s, p in frames)
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    got, error = run(FrameDecoder(), chunks)
    assert error == ""
    assert got == [(StdStream(s), p) for s, p in frames]


def test_frame_decoder_accepts_bytearray_and_memoryview() -> None:
    data = wire(1, b"abc") + wire(2, b"de")
    for chunk in (bytearray(data), memoryview(data)):
        got = [(f.stream, bytes(f.data)) for f in FrameDecoder().feed(chunk)]
        assert got == [(OUT, b"abc"), (ERR, b"de")]


def test_frame_decoder_raises_a_deferred_error_on_the_next_call() -> None:
    decoder = FrameDecoder()
    frames = decoder.feed(wire(1, b"ok") + wire(3, b"daemon says no"))
    assert [bytes(f.data) for f in frames] == [b"ok"]
    assert decoder.state is DecoderState.ERROR
    with pytest.raises(StreamError, match="daemon says no"):
        decoder.feed(b"")
    with pytest.raises(StreamError, match="daemon says no"):
        decoder.eof()


def test_frame_decoder_stays_in_error_state() -> None:
    decoder = FrameDecoder()
    with pytest.raises(StreamError, match="unknown stream id 9"):
        decoder.feed(wire(9, b"x"))
    assert decoder.state is DecoderState.ERROR
    with pytest.raises(StreamError, match="unknown stream id 9"):
        decoder.feed(wire(1, b"fine"))


def test_frame_decoder_refuses_feed_after_eof() -> None:
    decoder = FrameDecoder()
    decoder.feed(wire(1, b"x"))
    assert decoder.eof() == []
    assert decoder.state is DecoderState.CLOSED
    assert decoder.eof() == []
    with pytest.raises(StreamError, match="after eof"):
        decoder.feed(wire(1, b"y"))


def test_frame_decoder_limits_the_size_of_spanning_frames() -> None:
    decoder = FrameDecoder(max_frame_size=100)
    assert len(decoder.feed(wire(1, b"x" * 500))) == 1  # within one chunk: already in memory
    with pytest.raises(StreamError, match="announces 101 bytes, more than max_frame_size=100"):
        decoder.feed(wire(1, b"x" * 101)[:50])


def test_frame_decoder_counts_offset_and_has_a_readable_repr() -> None:
    decoder = FrameDecoder()
    decoder.feed(wire(1, b"abc") + b"\1\0")
    assert decoder.offset == 13
    assert repr(decoder) == "<FrameDecoder HEADER, 2 bytes buffered, 13 bytes fed>"


def test_frame_repr_shows_stream_and_bytes() -> None:
    assert repr(Frame(OUT, memoryview(b"hi\n"))) == "Frame(STDOUT, b'hi\\n')"
    long = repr(Frame(ERR, b"x" * 100))
    assert long.startswith("Frame(STDERR, b'xxx") and long.endswith("... (100 bytes))")
    stamped = Frame(OUT, b"", datetime(2024, 1, 2, tzinfo=timezone.utc), 0)
    assert repr(stamped) == "Frame(STDOUT, b'', timestamp=2024-01-02T00:00:00+00:00)"


def test_frames_compare_by_content() -> None:
    assert Frame(OUT, memoryview(b"a")) == Frame(OUT, b"a")
    assert Frame(OUT, b"a") != Frame(ERR, b"a")


def test_demultiplex_all_splits_stdout_and_stderr() -> None:
    data = wire(1, b"o1 ") + wire(2, b"e1 ") + wire(0, b"i ") + wire(1, b"o2") + wire(2, b"e2")
    assert demultiplex_all(data) == (b"o1 i o2", b"e1 e2")
    assert demultiplex_all(b"") == (b"", b"")
    with pytest.raises(StreamError, match="missing"):
        demultiplex_all(data[:-1])


# -- raw (TTY) streams ----------------------------------------------------------------------


def test_raw_decoder_passes_each_chunk_through_untouched() -> None:
    decoder = RawDecoder()
    for chunk in (b"no newline", b"\x01\x00\x00\x00 looks like a header", b"line\n"):
        (frame,) = decoder.feed(chunk)
        assert frame.stream is OUT
        assert frame.data is chunk
        assert decoder.buffered == 0
    assert decoder.feed(b"") == []
    buffer = bytearray(b"abc")
    (frame,) = decoder.feed(buffer)
    assert isinstance(frame.data, memoryview) and frame.data.obj is buffer
    assert decoder.eof() == []
    assert decoder.state is DecoderState.CLOSED
    with pytest.raises(StreamError, match="after eof"):
        decoder.feed(b"x")


# -- the parts of one read ----------------------------------------------------------------------


def as_views(parts: list[bytes]) -> list[memoryview]:
    """The parts as read-only views of one buffer, as the HTTP parser hands out a read."""
    buffer = bytearray(b"".join(parts))
    offsets = list(itertools.accumulate(map(len, parts), initial=0))
    view = memoryview(buffer).toreadonly()
    return [view[a:b] for a, b in itertools.pairwise(offsets)]


def run_reads(
    decoder: StreamDecoder, reads: list[list[bytes]], *, views: bool = False
) -> tuple[list[tuple[StdStream, bytes]], str]:
    """`run`, each read's parts fed at once with `feed_parts` (as views of one buffer per
    read with ``views=True``)."""
    got: list[Frame] = []
    try:
        for parts in reads:
            got += decoder.feed_parts(as_views(parts) if views else list(parts))
        got += decoder.eof()
    except StreamError as exc:
        return [(f.stream, bytes(f.data)) for f in got], str(exc)
    return [(f.stream, bytes(f.data)) for f in got], ""


def reads_of(chunks: list[bytes], data: st.DataObject) -> list[list[bytes]]:
    """`chunks` grouped into reads of one or more parts, at drawn places."""
    ends = data.draw(st.lists(st.integers(1, max(1, len(chunks))), max_size=6))
    points = [0, *sorted(set(ends)), len(chunks)]
    return [chunks[a:b] for a, b in itertools.pairwise(points) if a < b]


@given(st.data())
def test_feeding_the_parts_of_reads_decodes_like_feeding_each_chunk(data: st.DataObject) -> None:
    _name, raw, expected = data.draw(st.sampled_from(CASES))
    chunks = chunks_at(raw, data.draw(st.lists(st.integers(0, len(raw)))))
    assert run_reads(FrameDecoder(), reads_of(chunks, data)) == (expected, "")


@given(st.data())
def test_feeding_the_parts_of_reads_keeps_frames_before_an_error(data: st.DataObject) -> None:
    _name, raw, before, words = data.draw(st.sampled_from(ERRORS))
    chunks = chunks_at(raw, data.draw(st.lists(st.integers(0, len(raw)))))
    got, error = run_reads(FrameDecoder(), reads_of(chunks, data))
    assert got == before
    assert all(word in error for word in words)


@given(
    st.lists(
        st.tuples(st.sampled_from([1, 2]), st.integers(0, 40_000), st.sampled_from([1, 2, 3])),
        min_size=1,
        max_size=12,
    ),
    st.data(),
)
def test_feeding_parts_of_large_frames_at_any_split(
    frames: list[tuple[int, int, int]], data: st.DataObject
) -> None:
    # Parts averaging 8 KiB or more are fed one by one, smaller ones joined first: both
    # ways, a frame spanning parts or reads comes out whole. A systemerr frame (3) ends it.
    raw = b"".join(wire(s, bytes([s + i % 200]) * n) for i, (s, n, _) in enumerate(frames))
    chunks = chunks_at(raw, data.draw(st.lists(st.integers(0, len(raw)), max_size=10)))
    expected = run(FrameDecoder(), chunks)
    assert run_reads(FrameDecoder(), reads_of(chunks, data)) == expected
    assert run_reads(FrameDecoder(), reads_of(chunks, data), views=True) == expected
    stops = [wire(3, b"stop %d" % i) if e == 3 else b"" for i, (_, _, e) in enumerate(frames)]
    raw = b"".join(
        wire(s, b"%d" % i * n) + stop
        for i, ((s, n, _), stop) in enumerate(zip(frames, stops, strict=True))
    )
    chunks = chunks_at(raw, data.draw(st.lists(st.integers(0, len(raw)), max_size=10)))
    assert run_reads(FrameDecoder(), reads_of(chunks, data)) == run(FrameDecoder(), chunks)


@given(
    st.lists(
        st.tuples(st.sampled_from([1, 2, 3, 4]), st.integers(0, 30_000)), min_size=1, max_size=10
    ),
    st.data(),
)
def test_parts_that_are_whole_frames_decode_like_chunks(
    frames: list[tuple[int, int]], data: st.DataObject
) -> None:
    # The daemon sends each log frame as one HTTP chunk, so a read's parts are mostly whole
    # frames: cut at drawn frame boundaries (plus a few anywhere), fed as byte views. A
    # systemerr (3) or unknown (4) id in a whole-frame part still stops the stream.
    payloads = [bytes([s + i % 200]) * n for i, (s, n) in enumerate(frames)]
    wires = [wire(s, payload) for (s, _), payload in zip(frames, payloads, strict=True)]
    raw = b"".join(wires)
    boundaries = list(itertools.accumulate(map(len, wires)))
    cuts = data.draw(st.lists(st.sampled_from(boundaries), max_size=len(boundaries)))
    cuts += data.draw(st.lists(st.integers(0, len(raw)), max_size=2))
    chunks = chunks_at(raw, cuts)
    reads = reads_of(chunks, data)
    assert run_reads(FrameDecoder(), reads, views=True) == run(FrameDecoder(), chunks)


def test_whole_frame_parts_give_views_of_the_parts_and_count_their_bytes() -> None:
    decoder = FrameDecoder()
    parts = as_views([wire(1, b"a" * 9_000), wire(2, b"b" * 9_000), wire(1, b"c" * 9_000)])
    frames = decoder.feed_parts(parts)
    assert [(f.stream, bytes(f.data)) for f in frames] == [
        (OUT, b"a" * 9_000),
        (ERR, b"b" * 9_000),
        (OUT, b"c" * 9_000),
    ]
    assert all(
        isinstance(f.data, memoryview) and f.data.obj is part.obj
        for f, part in zip(frames, parts, strict=True)
    )
    assert decoder.offset == 3 * 9_008
    assert decoder.state is DecoderState.HEADER and decoder.buffered == 0
    # The offset counts whole-frame parts too: an error names the right byte.
    with pytest.raises(StreamError, match="byte 27024"):
        decoder.feed_parts(as_views([wire(9, b"x" * 9_000), wire(1, b"y" * 9_000)]))


def test_whole_frame_parts_get_their_log_timestamps_split() -> None:
    stamp = b"2024-01-02T03:04:05.123456789Z "
    parts = as_views([wire(1, stamp + b"a" * 9_000), wire(2, stamp + b"b" * 9_000)])
    frames = FrameDecoder(timestamps=True).feed_parts(parts)
    assert [(f.stream, bytes(f.data)) for f in frames] == [(OUT, b"a" * 9_000), (ERR, b"b" * 9_000)]
    assert all(f.timestamp_ns == 1704164645123456789 for f in frames)
    decoder = FrameDecoder(timestamps=True)
    (frame,) = decoder.feed_parts(as_views([wire(1, stamp + b"a" * 9_000), wire(1, b"c" * 9_000)]))
    assert bytes(frame.data) == b"a" * 9_000
    with pytest.raises(StreamError, match="RFC 3339"):
        decoder.eof()


def test_parts_that_are_not_byte_views_are_decoded_by_bytes() -> None:
    # A view of 4-byte items has len() a quarter of its bytes: never taken for one frame.
    data = wire(1, b"w" * 9_000) + wire(2, b"z" * 9_000)
    words = memoryview(bytearray(data)).cast("I")
    frames = FrameDecoder().feed_parts([words[: 9_008 // 4], words[9_008 // 4 :]])
    assert [(f.stream, bytes(f.data)) for f in frames] == [(OUT, b"w" * 9_000), (ERR, b"z" * 9_000)]


def test_large_parts_are_fed_apart_and_their_frames_are_views_of_them() -> None:
    parts = [wire(1, b"a" * 20_000), wire(2, b"b" * 9_000) + wire(1, b"c" * 8_000)]
    frames = FrameDecoder().feed_parts(parts)
    assert [(f.stream, len(f.data)) for f in frames] == [(OUT, 20_000), (ERR, 9_000), (OUT, 8_000)]
    assert isinstance(frames[0].data, memoryview) and frames[0].data.obj is parts[0]
    assert all(isinstance(f.data, memoryview) and f.data.obj is parts[1] for f in frames[1:])


def test_small_parts_are_joined_and_fed_once() -> None:
    parts = [wire(1, b"line %d\n" % i) for i in range(50)]
    frames = FrameDecoder().feed_parts(parts)
    assert [bytes(f.data) for f in frames] == [b"line %d\n" % i for i in range(50)]
    joined = frames[0].data
    assert isinstance(joined, memoryview)
    assert all(isinstance(f.data, memoryview) and f.data.obj is joined.obj for f in frames)
    assert joined.obj not in parts


def test_an_error_in_a_later_part_comes_after_the_frames_before_it() -> None:
    decoder = FrameDecoder()
    parts = [wire(1, b"a" * 10_000), wire(2, b"b" * 10_000), wire(3, b"daemon says no" * 800)]
    frames = decoder.feed_parts(parts)
    assert [f.stream for f in frames] == [OUT, ERR]
    assert decoder.state is DecoderState.ERROR
    with pytest.raises(StreamError, match="daemon says no"):
        decoder.eof()
    with pytest.raises(StreamError, match="daemon says no"):
        FrameDecoder().feed_parts(parts[2:] + parts[:1])


def test_raw_decoder_passes_large_parts_on_each_as_a_frame_and_joins_small_ones() -> None:
    decoder = RawDecoder()
    large = [b"x" * 10_000, b"y" * 12_000]
    frames = decoder.feed_parts(large)
    assert [f.data for f in frames] == large
    assert all(f.data is part for f, part in zip(frames, large, strict=True))
    (frame,) = decoder.feed_parts([b"ab", b"cd", b"ef"])
    assert frame.data == b"abcdef"


# -- timestamps -------------------------------------------------------------------------------

UTC = timezone.utc
# (log line, datetime, nanoseconds since the epoch, data left)
STAMPS: list[tuple[bytes, datetime, int, bytes]] = [
    (
        b"2024-01-02T03:04:05.123456789Z hello\n",
        datetime(2024, 1, 2, 3, 4, 5, 123456, UTC),
        1704164645_123456789,
        b"hello\n",
    ),
    (
        b"2024-01-02T03:04:05.000000000Z \n",
        datetime(2024, 1, 2, 3, 4, 5, 0, UTC),
        1704164645_000000000,
        b"\n",
    ),
    (
        b"2024-01-02T03:04:05.5Z odd fraction",
        datetime(2024, 1, 2, 3, 4, 5, 500000, UTC),
        1704164645_500000000,
        b"odd fraction",
    ),
    (
        b"2024-01-02T03:04:05Z no fraction",
        datetime(2024, 1, 2, 3, 4, 5, 0, UTC),
        1704164645_000000000,
        b"no fraction",
    ),
    (
        b"2024-01-02T04:04:05.0000001+01:00 offset",
        datetime(2024, 1, 2, 4, 4, 5, 0, timezone(timedelta(hours=1))),
        1704164645_000000100,
        b"offset",
    ),
    (
        b"1969-12-31T19:00:00-05:00 before the epoch is negative? no: it is the epoch",
        datetime(1969, 12, 31, 19, 0, 0, 0, timezone(timedelta(hours=-5))),
        0,
        b"before the epoch is negative? no: it is the epoch",
    ),
]


@pytest.mark.parametrize(("line", "stamp", "nanos", "rest"), STAMPS)
def test_split_timestamp_parses_and_strips_the_timestamp(
    line: bytes, stamp: datetime, nanos: int, rest: bytes
) -> None:
    frame = split_timestamp(Frame(ERR, memoryview(line)))
    assert frame.stream is ERR
    assert frame.timestamp == stamp
    assert frame.timestamp is not None
    assert frame.timestamp.utcoffset() == stamp.utcoffset()
    assert frame.timestamp_ns == nanos
    assert bytes(frame.data) == rest
    assert isinstance(frame.data, memoryview) and frame.data.obj is line
    assert parse_timestamp(line)[:2] == (stamp, nanos)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b"hello world\n", ["does not start with an RFC 3339 timestamp", "timestamps=True"]),
        (b"2024-01-02T03:04:05.123Z", ["does not start"]),  # no space after it
        (b"2024-01-02 03:04:05Z x", ["does not start"]),
        (b"2024-01-02T03:04:05.1234567890Z x", ["does not start"]),  # ten digits
        (b"", ["does not start"]),
        (b"2024-13-02T03:04:05Z x", ["invalid log timestamp", "month"]),
    ],
)
def test_split_timestamp_refuses_lines_without_a_timestamp(line: bytes, words: list[str]) -> None:
    with pytest.raises(StreamError) as info:
        split_timestamp(Frame(OUT, line))
    for word in words:
        assert word in str(info.value)


def test_frame_decoder_with_timestamps_splits_each_frame() -> None:
    data = wire(1, b"2024-01-02T03:04:05.1Z out\n") + wire(2, b"2024-01-02T03:04:06.2Z err\n")
    for chunks in splits(data):
        decoder = FrameDecoder(timestamps=True)
        frames = [f for chunk in chunks for f in decoder.feed(chunk)]
        decoder.eof()
        assert [(f.stream, bytes(f.data), f.timestamp_ns) for f in frames] == [
            (OUT, b"out\n", 1704164645_100000000),
            (ERR, b"err\n", 1704164646_200000000),
        ]
    (frame, _) = FrameDecoder(timestamps=True).feed(data)
    assert isinstance(frame.data, memoryview) and frame.data.obj is data


def test_frame_decoder_with_timestamps_keeps_frames_before_a_bad_one() -> None:
    decoder = FrameDecoder(timestamps=True)
    frames = decoder.feed(wire(1, b"2024-01-02T03:04:05Z a\n") + wire(1, b"no stamp\n"))
    assert [bytes(f.data) for f in frames] == [b"a\n"]
    with pytest.raises(StreamError, match="does not start"):
        decoder.eof()


RAW_LOG = (
    b"2024-01-02T03:04:05.000000001Z first line\n"
    b"2024-01-02T03:04:05.000000002Z \n"
    b"2024-01-02T03:04:05.000000003Z third\r\n"
    b"2024-01-02T03:04:05.000000004Z last, no newline"
)
RAW_LINES = [
    (b"first line\n", 1704164645_000000001),
    (b"\n", 1704164645_000000002),
    (b"third\r\n", 1704164645_000000003),
    (b"last, no newline", 1704164645_000000004),
]


def raw_lines(chunks: list[bytes]) -> list[tuple[bytes, int | None]]:
    decoder = RawDecoder(timestamps=True)
    frames = [f for chunk in chunks for f in decoder.feed(chunk)]
    frames += decoder.eof()
    assert all(f.stream is OUT for f in frames)
    return [(bytes(f.data), f.timestamp_ns) for f in frames]


def test_raw_decoder_with_timestamps_holds_partial_lines_until_the_newline() -> None:
    for chunks in splits(RAW_LOG):
        assert raw_lines(chunks) == RAW_LINES
    decoder = RawDecoder(timestamps=True)
    assert decoder.feed(RAW_LOG[:20]) == []
    assert decoder.buffered == 20
    first = RAW_LOG[:50]
    (frame,) = decoder.feed(first[20:])
    assert bytes(frame.data) == b"first line\n"
    assert decoder.buffered == 50 - 42


@given(st.lists(st.integers(0, len(RAW_LOG))))
def test_raw_decoder_with_timestamps_at_any_split(cuts: list[int]) -> None:
    assert raw_lines(chunks_at(RAW_LOG, cuts)) == RAW_LINES


def test_raw_decoder_with_timestamps_does_not_copy_lines_inside_a_chunk() -> None:
    decoder = RawDecoder(timestamps=True)
    frames = decoder.feed(RAW_LOG)
    assert len(frames) == 3
    for frame in frames:
        assert isinstance(frame.data, memoryview)


def test_raw_decoder_with_timestamps_refuses_a_line_without_one() -> None:
    decoder = RawDecoder(timestamps=True)
    frames = decoder.feed(b"2024-01-02T03:04:05Z ok\nplain\n")
    assert [bytes(f.data) for f in frames] == [b"ok\n"]
    assert decoder.state is DecoderState.ERROR
    with pytest.raises(StreamError, match="does not start"):
        decoder.feed(b"more\n")
    decoder = RawDecoder(timestamps=True)
    decoder.feed(b"no stamp at the end")
    with pytest.raises(StreamError, match="does not start"):
        decoder.eof()
