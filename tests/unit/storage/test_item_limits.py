"""DynamoDB's item size, measured on the item a record write really sends, and the refusal."""

from __future__ import annotations

import pytest

from chalicelib.core import plan as ops
from chalicelib.core.indexing import IndexEntry
from chalicelib.errors import RecordTooLargeError
from chalicelib.storage import item_limits
from chalicelib.storage.actions import _put_action
from chalicelib.storage.changes import CHANGE_SK
from chalicelib.storage.item_limits import (
    MAX_ITEM_BYTES,
    MAX_RECORD_BYTES,
    item_bytes,
    record_item,
    refuse_oversized_records,
)

WS = "0b8f7c1e-1111-4222-8333-944455556666"
OBJ = "7d1c2b3a-aaaa-4bbb-8ccc-ddddeeeeffff"
RECORD = "5e0b2c1d-3333-4444-8555-666677778888"
ENTRIES = (IndexEntry(1, ("acme", "Acme")), IndexEntry(2, 12.5), IndexEntry(3, None))


def put(body, *, entries=ENTRIES, deleted_at=None, record=RECORD):
    return ops.PutRecord(OBJ, record, body, version=3, deleted_at=deleted_at, index_entries=entries)


def padded(total_bytes: int) -> ops.PutRecord:
    """A record write whose item takes exactly `total_bytes`."""
    base = item_bytes(record_item(WS, put({"name": ""})))
    return put({"name": "x" * (total_bytes - base)})


def test_the_measured_item_is_the_item_storage_writes():
    for op in (put({"name": "Acme", "tags": ["é", "😀"]}), put({}, entries=(), deleted_at="2024")):
        measured, written = record_item(WS, op), _put_action("t", WS, op)["Item"]
        # The change stamp is the time each was built (fixed width: the same size).
        stamps = measured.pop(CHANGE_SK)["S"], written.pop(CHANGE_SK)["S"]
        assert measured == written
        assert len(stamps[0]) == len(stamps[1])


def test_item_bytes_count_names_and_utf8_values_as_dynamodb_does():
    assert item_bytes({"pk": {"S": "abc"}}) == 2 + 3
    assert item_bytes({"é": {"S": "é😀"}}) == 2 + 2 + 4
    assert item_bytes({"tomb": {"BOOL": True}, "v": {"N": "12"}}) == (4 + 1) + (1 + 3)


def test_non_ascii_text_is_measured_as_the_record_document_stores_it():
    ascii_size = item_bytes(record_item(WS, put({"name": "e" * 1000})))
    accented_size = item_bytes(record_item(WS, put({"name": "é" * 1000})))
    stored = len(item_limits.encode_body({"name": "é" * 1000}).encode())
    assert accented_size - ascii_size == stored - len('{"name":"' + "e" * 1000 + '"}')


def test_a_record_at_the_limit_is_accepted_and_one_byte_more_is_refused():
    refuse_oversized_records(WS, ops.Plan((ops.Unit((padded(MAX_RECORD_BYTES),)),)))
    with pytest.raises(RecordTooLargeError) as caught:
        refuse_oversized_records(WS, ops.Plan((ops.Unit((padded(MAX_RECORD_BYTES + 1),)),)))
    [message] = caught.value.messages
    assert message.startswith(f"Too large to store: the record would take {MAX_RECORD_BYTES + 1:,}")
    assert "'name' (" in message


def test_the_limit_leaves_room_for_the_tombstone_a_destroy_writes():
    op = padded(MAX_RECORD_BYTES)
    tombstone = _put_action("t", WS, ops.DeleteRecord(OBJ, RECORD, 3, previous_body=op.body))
    assert item_bytes(tombstone["Item"]) <= MAX_ITEM_BYTES


def test_index_attributes_count_toward_the_size():
    # Keys, version and change-index attributes take about 290 bytes; the name fills the rest.
    without = put({"name": "x" * (MAX_RECORD_BYTES - 300)}, entries=())
    refuse_oversized_records(WS, ops.Plan((ops.Unit((without,)),)))
    with_indexes = put(without.body, entries=ENTRIES)
    with pytest.raises(RecordTooLargeError):
        refuse_oversized_records(WS, ops.Plan((ops.Unit((with_indexes,)),)))


def test_every_oversized_record_of_a_batch_is_named_with_its_position():
    small = put({"name": "ok"})
    big = put({"name": "n" * 300_000, "notes": "m" * 200_000, "city": "c" * 10})
    units = tuple(
        ops.Unit((op, ops.AdjustCount(OBJ, 1)), i) for i, op in enumerate([small, big, small, big])
    )
    with pytest.raises(RecordTooLargeError) as caught:
        refuse_oversized_records(WS, ops.Plan(units))
    assert [m.split(":")[0] for m in caught.value.messages] == ["Record 1", "Record 3"]
    assert caught.value.messages[0].endswith(
        "largest fields: 'name' (300,009 bytes), 'notes' (200,010 bytes), 'city' (19 bytes)"
    )
    assert caught.value.code == "RECORD_TOO_LARGE"


def test_operations_other_than_record_writes_are_not_measured():
    other = ops.ReserveUnique(OBJ, "name", "x" * 600_000, RECORD)
    refuse_oversized_records(WS, ops.Plan((ops.Unit((other,)),)))
