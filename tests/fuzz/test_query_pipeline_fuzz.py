"""The query pipeline without a server, at many more examples than a request allows: any
`filter`, `order_by` or cursor text is either refused with InvalidQueryParamError or parsed,
checked against the metadata and evaluated over stored records without another exception (which
would be a 500 behind the API)."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.coercion import coerce_value
from chalicelib.core.cursors import decode_cursor
from chalicelib.core.evaluation import compile_filter, compile_sort_key
from chalicelib.core.query_validation import validate_filter, validate_sort
from chalicelib.errors import InvalidFieldValueError, InvalidQueryParamError
from chalicelib.metadata.model import FieldType
from chalicelib.rest.filter_parser import parse_filter
from chalicelib.rest.order_parser import parse_order_by
from tests.fuzz import strategies as fz
from tests.fuzz.budget import fuzz_settings

IDS = ("3f2504e0-4f89-41d3-9a0c-0305e82c3301", "9b2c1d7e-2a4f-4c1e-8d3b-5f6a7b8c9d0e")
objects = st.sampled_from(fz.FUZZED_OBJECTS)


def _stored(plural: str, body: dict[str, Any]) -> dict[str, Any]:
    """`body` in its stored form: values the coercion refuses are left out, as a write would."""
    obj = fz.STANDARD[plural]
    record: dict[str, Any] = {"id": IDS[0]}
    for name, value in body.items():
        field = obj.by_name.get(name)
        if field is None or field.type is FieldType.RELATION:
            continue
        with contextlib.suppress(InvalidFieldValueError):
            record[name] = coerce_value(field, value)
    return record


records = {
    plural: st.lists(fz.record_bodies(plural, IDS).map(lambda b, p=plural: _stored(p, b)))
    for plural in fz.FUZZED_OBJECTS
}
filters = {plural: fz.filters(plural, IDS) for plural in fz.FUZZED_OBJECTS}
order_bys = {plural: fz.order_bys(plural) for plural in fz.FUZZED_OBJECTS}


@fuzz_settings(600)
@given(data=st.data())
def test_any_filter_is_refused_cleanly_or_evaluates_over_stored_records(data: st.DataObject):
    plural = data.draw(objects, "object")
    obj = fz.STANDARD[plural]
    text = data.draw(filters[plural], "filter")
    try:
        typed = validate_filter(obj, parse_filter(text))
    except InvalidQueryParamError:
        return
    selected = compile_filter(typed, obj)
    for record in data.draw(records[plural], "records"):
        selected(record)


@fuzz_settings(400)
@given(data=st.data())
def test_any_order_by_is_refused_cleanly_or_sorts_stored_records(data: st.DataObject):
    plural = data.draw(objects, "object")
    obj = fz.STANDARD[plural]
    text = data.draw(order_bys[plural], "order_by")
    try:
        keys = validate_sort(obj, parse_order_by(text))
    except InvalidQueryParamError:
        return
    sorted(data.draw(records[plural], "records"), key=compile_sort_key(keys, obj))


@fuzz_settings(400)
@given(cursor=fz.cursors((), IDS, ()), tag=st.sampled_from(["0" * 16, "a1b2c3d4e5f60718"]))
def test_any_cursor_text_is_a_record_id_or_refused_cleanly(cursor: str, tag: str):
    with contextlib.suppress(InvalidQueryParamError):
        assert isinstance(decode_cursor(cursor, tag, "after"), str)
