"""storage/fast_json.py answers exactly as `json.loads` does, types included."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.storage import fast_json
from chalicelib.storage.item_limits import encode_body


def _same(left: Any, right: Any) -> bool:
    """Equal values of the same types all the way down (1 == 1.0 == True would pass `==`)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, float):
        return math.copysign(1, left) == math.copysign(1, right) and left == right
    return left == right


_SCALARS = (
    st.none()
    | st.booleans()
    # Up to 40 digits: past both ends of what orjson keeps as an integer.
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.from_regex(r"[0-9]{15,25}", fullmatch=True)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.booleans())
def test_any_json_value_decodes_as_json_loads_decodes_it(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert _same(fast_json.loads(text), json.loads(text))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), _VALUES, max_size=8))
def test_a_stored_record_body_decodes_as_json_loads_decodes_it(body: dict[str, Any]) -> None:
    text = encode_body(body)
    assert _same(fast_json.loads(text), json.loads(text))


@pytest.mark.parametrize(
    "number",
    [
        12345678901234567890123456789012345678,  # a NUMBER's 38 digits
        -9223372036854775809,  # one below the 64-bit signed range
        18446744073709551616,  # one above the 64-bit unsigned range
        -(10**37),
    ],
)
def test_integers_beyond_64_bits_stay_exact_integers(number: int) -> None:
    decoded = fast_json.loads(json.dumps({"employees": number}))
    assert decoded == {"employees": number}
    assert type(decoded["employees"]) is int


def test_a_lone_surrogate_that_orjson_refuses_is_decoded_as_json_loads_decodes_it() -> None:
    for text in ('{"name": "\\ud800"}', '{"name": "\ud800"}'):
        assert fast_json.loads(text) == {"name": "\ud800"}


def test_nan_and_infinity_are_decoded_as_json_loads_decodes_them() -> None:
    decoded = fast_json.loads("[NaN, Infinity, -Infinity, 1e400]")
    assert math.isnan(decoded[0])
    assert decoded[1:] == [math.inf, -math.inf, math.inf]


def test_invalid_json_raises_json_loads_error() -> None:
    with pytest.raises(json.JSONDecodeError) as raised:
        fast_json.loads('{"name": ')
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads('{"name": ')
    assert str(raised.value) == str(expected.value)


def test_a_dynamodb_answer_decodes_as_json_loads_decodes_it() -> None:
    body = json.dumps(
        {
            "Items": [{"pk": {"S": "W#1"}, "v": {"N": "123456789012345678901234567890"}}],
            "Count": 1,
            "ScannedCount": 1,
            "ConsumedCapacity": {"TableName": "crm-main", "CapacityUnits": 0.5},
        }
    ).encode()
    assert _same(fast_json.loads_short_numbers(body), json.loads(body))
