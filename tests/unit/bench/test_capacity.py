"""DynamoDB's billing rules as bench/capacity.py applies them: sizes, rounding, indexes."""

from __future__ import annotations

import base64

import pytest

from bench.capacity import (
    IndexShape,
    TableShape,
    Units,
    item_size,
    item_write,
    query_read_units,
    read_units,
    value_size,
    write_units,
)

SLOT = IndexShape("ix1", "ix1pk", "ix1sk", "KEYS_ONLY")
TABLE = TableShape("main", "pk", "sk", (SLOT,))


def _record(body: str, index_value: str | None = None) -> dict[str, dict[str, str]]:
    item = {"pk": {"S": "WS#w#REC#o"}, "sk": {"S": "r1"}, "d": {"S": body}}
    if index_value is not None:
        item |= {"ix1pk": {"S": "WS#w#IX#o#1"}, "ix1sk": {"S": index_value}}
    return item


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({"S": "héllo"}, 6),  # UTF-8 bytes
        ({"N": "12345"}, 4),  # five significant digits: three bytes, plus one
        ({"N": "-0.00120"}, 2),  # leading and trailing zeros do not count
        ({"B": base64.b64encode(b"\x00" * 10).decode()}, 10),  # raw bytes, not base64
        ({"BOOL": True}, 1),
        ({"NULL": True}, 1),
        ({"L": [{"S": "ab"}, {"N": "1"}]}, 3 + (1 + 2) + (1 + 2)),
        ({"M": {"k": {"S": "ab"}}}, 3 + 1 + 1 + 2),
        ({"SS": ["a", "bc"]}, 3),
    ],
)
def test_a_value_is_sized_by_the_published_rules(value, size):
    assert value_size(value) == size


def test_an_item_is_the_sum_of_its_attribute_names_and_values():
    assert item_size({"pk": {"S": "abc"}, "v": {"N": "7"}}) == (2 + 3) + (1 + 2)
    assert item_size(None) == 0


def test_reads_round_up_to_4_kb_halve_when_eventually_consistent_and_double_in_transactions():
    assert read_units(1, consistent=True) == 1
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=True) == 2
    assert read_units(4097, consistent=False) == 1
    assert read_units(0, consistent=False) == 0.5  # an absent item still costs the minimum
    assert read_units(5000, consistent=True, transactional=True) == 4


def test_a_query_rounds_once_over_everything_it_read_not_per_item():
    items = [_record("x" * 100)] * 30  # ~3.5 KB together
    assert query_read_units(items, consistent=True) == 1
    assert sum(read_units(item_size(i), consistent=True) for i in items) == 30  # as gets


def test_writes_round_up_to_1_kb_and_double_in_transactions():
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(1025, transactional=True) == 4


def test_a_new_item_with_an_index_key_costs_one_index_write_not_doubled_by_the_transaction():
    written = item_write(None, _record("x" * 1500, "1abc"), TABLE, transactional=True)
    assert written == Units(write=4, index_write=1)


def test_a_changed_index_key_costs_two_index_writes_and_the_larger_image_counts():
    old, new = _record("x" * 2100, "1abc"), _record("x", "1abd")
    assert item_write(old, new, TABLE, transactional=False) == Units(write=3, index_write=2)


def test_an_unchanged_keys_only_entry_costs_no_index_write():
    old, new = _record("old body", "1abc"), _record("new body", "1abc")
    assert item_write(old, new, TABLE, transactional=False).index_write == 0


def test_leaving_the_index_costs_one_index_write():
    indexed = _record("x", "1abc")
    assert item_write(indexed, _record("x"), TABLE, transactional=False).index_write == 1
    assert item_write(indexed, None, TABLE, transactional=False).index_write == 1


def test_a_projected_attribute_change_costs_one_write_on_an_index_that_projects_it():
    table = TableShape("t", "pk", "sk", (IndexShape("all", "ix1pk", "ix1sk", "ALL"),))
    old, new = _record("old", "1abc"), _record("new", "1abc")
    assert item_write(old, new, table, transactional=False).index_write == 1
