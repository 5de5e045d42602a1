"""The hardened JSON decoder: depth, UTF-8, surrogates and non-JSON numbers all answer 400."""

from __future__ import annotations

import time

import pytest

from chalicelib.errors import InvalidQueryParamError, InvalidRequestBodyError
from chalicelib.json_input import decode_json, nesting_depth
from chalicelib.settings import SETTINGS


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def refusal(raw, **kw) -> str:
    with pytest.raises(InvalidRequestBodyError) as caught:
        decode_json(raw, **kw)
    return caught.value.message


def test_a_plain_document_decodes_as_json_loads_would():
    raw = '{"name": "Acme", "n": [1, 2.5, -0, true, null], "nested": {"a": "é😀"}}'.encode()
    assert decode_json(raw) == {
        "name": "Acme",
        "n": [1, 2.5, 0, True, None],
        "nested": {"a": "é😀"},
    }


def test_duplicate_keys_keep_the_last_value_as_before():
    assert decode_json(b'{"a": 1, "a": 2}') == {"a": 2}


def test_a_utf8_byte_order_mark_is_tolerated():
    assert decode_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_nesting_depth_counts_containers_and_ignores_brackets_inside_strings():
    assert nesting_depth('"x"') == 0
    assert nesting_depth("[]") == 1
    assert nesting_depth('{"a": [1, {"b": "[[[[{{{{"}], "c": {}}') == 3
    assert nesting_depth('["\\"[[[", [[]]]') == 3


def test_the_depth_limit_itself_is_accepted():
    assert decode_json(nested(SETTINGS.max_json_depth)) is not None
    assert decode_json(nested(5), max_depth=5) == [[[[[]]]]]


def test_one_level_over_the_limit_is_refused_naming_the_limit():
    message = refusal(nested(SETTINGS.max_json_depth + 1))
    assert message == f"Invalid JSON body: nested deeper than {SETTINGS.max_json_depth} levels"
    assert "nested deeper than 5 levels" in refusal('{"a": ' + nested(5) + "}", max_depth=5)


def test_a_100000_deep_document_is_refused_quickly_and_without_recursion():
    for document in (nested(100_000), '{"a":' * 100_000 + "1" + "}" * 100_000):
        started = time.perf_counter()
        assert "nested deeper" in refusal(document.encode())
        assert time.perf_counter() - started < 0.5


def test_invalid_utf8_is_refused_with_its_position():
    assert refusal(b'{"name": "\xff"}') == (
        "Invalid JSON body: not valid UTF-8 (byte 10: invalid start byte)"
    )


def test_surrogates_encoded_as_utf8_bytes_are_invalid_utf8():
    assert "not valid UTF-8" in refusal(b'"\xed\xa0\x80"')


def test_other_encodings_json_loads_would_guess_are_refused():
    assert "not valid UTF-8" in refusal('{"a": "b"}'.encode("utf-16"))


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\uDBFF", "x\\ud83d", "\\ude00y"])
def test_a_lone_surrogate_in_a_value_is_refused_naming_its_place(escape):
    message = refusal(f'{{"data": {{"tags": ["ok", "{escape}"]}}}}'.encode())
    assert "lone UTF-16 surrogate" in message
    assert "at 'data.tags[1]'" in message


def test_a_lone_surrogate_in_a_key_is_refused_without_echoing_it():
    message = refusal(b'{"data": {"\\ud800": 1}}')
    assert message.startswith("Invalid JSON body: a key at 'data' holds a lone UTF-16 surrogate")
    assert "\ud800" not in message


def test_a_surrogate_pair_and_an_escaped_backslash_are_fine():
    assert decode_json(b'["\\ud83d\\ude00", "\\\\ud800"]') == ["😀", "\\ud800"]


@pytest.mark.parametrize(
    ("literal", "problem"),
    [
        ("NaN", "NaN is not a JSON value"),
        ("Infinity", "Infinity is not a JSON value"),
        ("-Infinity", "-Infinity is not a JSON value"),
        ("1e400", "number 1e400 is out of range"),
        ("-1e400", "number -1e400 is out of range"),
        ("1" * 5000, "an integer literal has too many digits"),
    ],
)
def test_numbers_json_does_not_have_are_refused(literal, problem):
    assert refusal(f'{{"n": {literal}}}'.encode()) == f"Invalid JSON body: {problem}"


def test_malformed_json_keeps_the_decoders_message():
    assert refusal(b'{"a": }').startswith("Invalid JSON body: Expecting value: line 1")


def test_callers_choose_the_error_class_and_the_name_of_what_they_decode():
    with pytest.raises(InvalidQueryParamError, match="^Invalid cursor: nested deeper than 1"):
        decode_json("[[1]]", what="cursor", error=InvalidQueryParamError, max_depth=1)
