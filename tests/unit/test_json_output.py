"""json_output.dumps writes the text `json.dumps(value, separators=(",", ":"))` writes, floats'
spelling aside, and falls back to it for whatever orjson refuses."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.json_output import dumps


def _standard(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# Every kind of character: control characters, DEL, the BMP, surrogate pairs beyond it.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)))
_WITHOUT_FLOATS = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | _TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=30,
)
_WITH_FLOATS = st.recursive(
    st.floats(allow_nan=False, allow_infinity=False) | _WITHOUT_FLOATS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TEXT, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_WITHOUT_FLOATS)
def test_an_answer_without_floats_is_written_exactly_as_json_dumps_writes_it(value: Any) -> None:
    assert dumps(value) == _standard(value)


@settings(max_examples=400, deadline=None)
@given(_WITH_FLOATS)
def test_an_answer_with_floats_reads_back_as_json_dumps_text_does_and_is_ascii(value: Any):
    text = dumps(value)
    assert text.isascii()
    assert json.loads(text) == json.loads(_standard(value))


def test_characters_past_ascii_and_del_are_escaped_as_json_dumps_escapes_them():
    value = {"name": 'Zoë 😀 \x7f \u2028 \x00 \n "q" \\'}
    assert dumps(value) == _standard(value)
    assert "\\ud83d\\ude00" in dumps(value)  # the emoji as a surrogate pair, lower-case hex


def test_a_float_is_the_same_number_whatever_its_spelling():
    assert json.loads(dumps([2.5e-05, 1e-07, 1e16, 0.1])) == [2.5e-05, 1e-07, 1e16, 0.1]


@pytest.mark.parametrize(
    "value",
    [
        {"big": 10**38},  # a NUMBER of 38 digits: past orjson's 64 bits
        {"small": -(2**64)},
        {1: "non-string key"},
        "\ud800",  # a lone surrogate
        [[[[[[[[[[]]]]]]]]]] * 2,
    ],
)
def test_what_orjson_refuses_is_written_by_json_dumps(value: Any):
    assert dumps(value) == _standard(value)


def test_nesting_past_orjson_s_limit_is_written_by_json_dumps():
    deep: list[Any] = []
    for _ in range(300):
        deep = [deep]
    assert dumps(deep) == _standard(deep)


@dataclasses.dataclass
class _Point:
    x: int


@pytest.mark.parametrize("value", [_Point(1), datetime.datetime(2026, 1, 1), {1.5j: 1}])
def test_what_json_dumps_refuses_is_refused_alike(value: Any):
    with pytest.raises(TypeError):
        _standard(value)
    with pytest.raises(TypeError):
        dumps(value)
