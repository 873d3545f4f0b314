"""The JSON stream decoder on plain bytes: whole, byte by byte, and at any split."""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiodocker_engine.errors import StreamError
from aiodocker_engine.streams import JsonStreamDecoder, JsonStreamState


def chunks_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(set(cuts)), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points)]


def run(
    chunks: list[bytes], decoder: JsonStreamDecoder[Any] | None = None
) -> tuple[list[Any], str]:
    """Feed chunks then eof; return the messages and the error text, if any."""
    decoder = JsonStreamDecoder() if decoder is None else decoder
    got: list[Any] = []
    try:
        for chunk in chunks:
            got += decoder.feed(chunk)
        got += decoder.eof()
    except StreamError as exc:
        return got, str(exc)
    return got, ""


def splits(data: bytes) -> list[list[bytes]]:
    return [[data], [data[i : i + 1] for i in range(len(data))]]


A, B, C = {"status": "a"}, {"status": "b", "n": [1, {"x": None}]}, {"id": "c"}

# (name, wire bytes, messages expected)
CASES: list[tuple[str, bytes, list[Any]]] = [
    ("empty", b"", []),
    ("whitespace only", b" \n\r\n\t\n", []),
    ("newline delimited", b'{"status":"a"}\n{"status":"b","n":[1,{"x":null}]}\n', [A, B]),
    ("crlf", b'{"status":"a"}\r\n{"id":"c"}\r\n', [A, C]),
    ("blank lines ignored", b'\n{"status":"a"}\n\n\r\n{"id":"c"}\n\n', [A, C]),
    ("concatenated", b'{"status":"a"}{"status":"b","n":[1,{"x":null}]}{"id":"c"}', [A, B, C]),
    ("concatenated with spaces", b' {"status":"a"}  {"id":"c"} ', [A, C]),
    ("mixed", b'{"status":"a"}{"id":"c"}\n{"status":"a"}\n', [A, C, A]),
    ("last message without newline", b'{"status":"a"}\n{"id":"c"}', [A, C]),
    ("arrays back to back", b"[1,[2]][3]\n", [[1, [2]], [3]]),
    (
        "braces and quotes inside strings",
        b'{"s":"}{"}{"s":"\\"}{\\"","t":"[\\\\"}\n',
        [{"s": "}{"}, {"s": '"}{"', "t": "[\\"}],
    ),
    (
        "unicode",
        '{"msg":"héllo ✓ 🐳 }{"}{"ключ":"значение"}\n'.encode(),
        [{"msg": "héllo ✓ 🐳 }{"}, {"ключ": "значение"}],
    ),
    ("escaped unicode", b'{"s":"\\u007d\\u007b"}\n', [{"s": "}{"}]),
    ("scalars on their own lines", b'1\n"two"\nnull\n[3]\n', [1, "two", None, [3]]),
    ("a last scalar without newline", b"1\n2", [1, 2]),
    ("pretty printed over lines", b'{\n  "status": "a"\n}\n{\n  "id": "c"\n}\n', [A, C]),
]

# (name, wire bytes, messages handed out before the error, words the error message has)
ERRORS: list[tuple[str, bytes, list[Any], list[str]]] = [
    ("trailing partial", b'{"status":"a"}\n{"id":', [A], ["ended inside a JSON message"]),
    ("trailing partial string", b'{"a":"unterminated', [], ["ended inside a JSON message"]),
    ("trailing partial object", b'{"a":{"b":1}', [], ["ended inside a JSON message"]),
    ("malformed line", b'{"status":"a"}\n{"a": tru}\n', [A], ["malformed JSON", "byte 15"]),
    ("html instead of json", b"<html>oops</html>\n", [], ["unexpected bytes", "<html>"]),
    (
        "junk between messages",
        b'{"status":"a"}xx{"id":"c"}\n',
        [A],
        ["unexpected bytes", "byte 14"],
    ),
    ("unbalanced close", b'{"a":1}}\n', [{"a": 1}], ["unexpected bytes"]),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_json_stream_cases_whole_and_bytewise(name: str, data: bytes, expected: list[Any]) -> None:
    for chunks in splits(data):
        assert run(chunks) == (expected, "")


@pytest.mark.parametrize(("name", "data", "before", "words"), ERRORS, ids=[c[0] for c in ERRORS])
def test_json_stream_errors_whole_and_bytewise(
    name: str, data: bytes, before: list[Any], words: list[str]
) -> None:
    for chunks in splits(data):
        got, error = run(chunks)
        assert error
        assert got == before[: len(got)]  # an error at eof may drop what preceded it
        for word in words:
            assert word in error


@given(st.data())
def test_json_stream_at_any_split(data: st.DataObject) -> None:
    _name, raw, expected = data.draw(st.sampled_from(CASES))
    cuts = data.draw(st.lists(st.integers(0, len(raw))))
    assert run(chunks_at(raw, cuts)) == (expected, "")


@given(st.data())
def test_json_stream_errors_at_any_split(data: st.DataObject) -> None:
    _name, raw, before, words = data.draw(st.sampled_from(ERRORS))
    cuts = data.draw(st.lists(st.integers(0, len(raw))))
    got, error = run(chunks_at(raw, cuts))
    assert got == before[: len(got)]
    assert all(word in error for word in words)


JSON_TEXT = st.text(alphabet=st.sampled_from('ab{}[]"\\\n\t é🐳:,'), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)
MESSAGES = st.dictionaries(JSON_TEXT, JSON_VALUES, max_size=4) | st.lists(JSON_VALUES, max_size=4)


@given(
    st.lists(st.tuples(MESSAGES, st.sampled_from([b"\n", b"\r\n", b"", b" ", b"\n\n"]))),
    st.data(),
)
def test_json_stream_round_trips_random_messages(
    messages: list[tuple[Any, bytes]], data: st.DataObject
) -> None:
    raw = b"".join(msgspec.json.encode(m) + sep for m, sep in messages)
    cuts = data.draw(st.lists(st.integers(0, len(raw))))
    assert run(chunks_at(raw, cuts)) == ([m for m, _ in messages], "")


class Progress(msgspec.Struct):
    status: str
    id: str | None = None


def test_json_stream_decodes_into_the_given_type() -> None:
    decoder = JsonStreamDecoder(Progress)
    got = decoder.feed(b'{"status":"Pulling","id":"abc","extra":1}\n{"status":"Done"}')
    assert got == [Progress("Pulling", "abc"), Progress("Done")]
    assert decoder.eof() == []


def test_json_stream_decodes_back_to_back_typed_messages_with_braces_in_strings() -> None:
    raw = b'{"status":"a","id":"}{"}{"status":"}{"} {"status":"c"}'
    for chunks in splits(raw):
        decoder = JsonStreamDecoder(Progress)
        got = [m for chunk in chunks for m in decoder.feed(chunk)] + decoder.eof()
        assert got == [Progress("a", "}{"), Progress("}{"), Progress("c")]


def test_json_stream_reports_a_bad_typed_message_behind_a_false_boundary() -> None:
    """The ``}{`` in the string looks like a boundary; the type error must still be found."""
    decoder = JsonStreamDecoder(Progress)
    with pytest.raises(StreamError, match=r"byte 0 does not match Progress"):
        decoder.feed(b'{"status":5,"id":"}{"}{"status":"b"}')


def test_json_stream_reports_a_message_that_does_not_match_the_type() -> None:
    decoder = JsonStreamDecoder(Progress)
    got = decoder.feed(b'{"status":"ok"}\n{"status":5}\n{"status":"never"}\n')
    assert got == [Progress("ok")]
    assert decoder.state is JsonStreamState.ERROR
    with pytest.raises(StreamError, match=r"byte 16 does not match Progress: Expected `str`"):
        decoder.feed(b"")
    with pytest.raises(StreamError, match="does not match"):
        decoder.eof()


def test_json_stream_raises_at_once_when_nothing_precedes_the_error() -> None:
    decoder = JsonStreamDecoder(Progress)
    with pytest.raises(StreamError, match="does not match"):
        decoder.feed(b'{"id":"no status"}\n')
    assert decoder.state is JsonStreamState.ERROR


def test_json_stream_hands_out_a_message_without_waiting_for_its_newline() -> None:
    decoder = JsonStreamDecoder()
    assert decoder.feed(b'{"Type":"container"') == []
    assert decoder.buffered == 19
    assert decoder.feed(b',"Action":"start"}') == [{"Type": "container", "Action": "start"}]
    assert decoder.buffered == 0
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b'{"a":1}\n{"b":2}') == [{"a": 1}, {"b": 2}]
    assert decoder.feed(b'{"a"') == []
    assert decoder.feed(b':1}\n{"b":{"c":2}') == [{"a": 1}]
    assert decoder.feed(b"}") == [{"b": {"c": 2}}]


def test_json_stream_hands_out_back_to_back_messages_as_soon_as_each_ends() -> None:
    decoder = JsonStreamDecoder()
    assert decoder.feed(b'{"a":1}{"b":2}{"c"') == [{"a": 1}, {"b": 2}]
    assert decoder.feed(b':3}{"d":4}{"e":5') == [{"c": 3}, {"d": 4}]
    assert decoder.buffered == len(b'{"e":5')
    assert decoder.feed(b"}") == [{"e": 5}]


def test_json_stream_handles_a_large_message_in_many_chunks() -> None:
    big = {"blob": "x" * 300_000, "list": list(range(20_000)), "nested": [{"a": "}{"}] * 500}
    raw = msgspec.json.encode(big) + b"\n" + msgspec.json.encode(big)
    for size in (1000, 65536):
        assert run([raw[i : i + size] for i in range(0, len(raw), size)]) == ([big, big], "")


def test_json_stream_resumes_inside_a_long_string_instead_of_rescanning_it() -> None:
    # "}{" inside the string sends the decoder to its scanner (rule 3); a string cut by a
    # chunk end is then resumed where it was left, also after a backslash cut from its byte.
    text = 'a}{b\\"c' * 20_000
    raw = msgspec.json.encode({"stream": text}) + msgspec.json.encode({"next": 1})
    decoder: JsonStreamDecoder[Any] = JsonStreamDecoder()
    out: list[Any] = []
    resumed_at = []
    for i in range(0, len(raw), 4099):
        out += decoder.feed(raw[i : i + 4099])
        scan = decoder._scan
        if scan is not None and scan[3]:
            resumed_at.append(scan[0])
    out += decoder.eof()
    assert out == [{"stream": text}, {"next": 1}]
    assert len(resumed_at) > 10
    assert resumed_at == sorted(resumed_at) and len(set(resumed_at)) == len(resumed_at)
    assert all(pos > len(b'{"stream":"') for pos in resumed_at)  # never back to the quote
    for size in (1, 2, 3):  # every cut, escapes included
        pieces = [raw[i : min(i + size, 4000)] for i in range(0, 4000, size)]
        assert run([*pieces, raw[4000:]]) == (
            [{"stream": text}, {"next": 1}],
            "",
        )


def test_json_stream_accepts_bytearray_and_memoryview() -> None:
    decoder = JsonStreamDecoder()
    assert decoder.feed(bytearray(b'{"a":1}\n{"b"')) == [{"a": 1}]
    assert decoder.feed(memoryview(b":2}\n")) == [{"b": 2}]


def test_json_stream_refuses_feed_after_eof() -> None:
    decoder = JsonStreamDecoder()
    assert decoder.eof() == []
    assert decoder.eof() == []
    assert decoder.state is JsonStreamState.CLOSED
    with pytest.raises(StreamError, match="after eof"):
        decoder.feed(b"{}\n")


def test_json_stream_repr_names_type_state_and_buffer() -> None:
    decoder = JsonStreamDecoder(Progress)
    decoder.feed(b'{"status":"a"}\n{"sta')
    assert repr(decoder) == "<JsonStreamDecoder[Progress] OPEN, 5 bytes buffered, 15 bytes decoded>"
