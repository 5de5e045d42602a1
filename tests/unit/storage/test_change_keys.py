"""Change index keys: stamps sort as time, positions are recognised, restamping is in place."""

from __future__ import annotations

import time

from chalicelib.storage import keys
from chalicelib.storage.changes import CHANGE_SK, change_attributes, restamp

RECORD = "3329d9f1-0977-4f5e-9263-9202c58d8791"


def test_stamps_sort_as_the_moments_they_stand_for():
    moments = [0.000001, 1.5, 1_796_639_860.065956, 1_796_639_860.065957, 9_999_999_999.0]
    stamps = [keys.change_stamp(m) for m in moments]
    assert stamps == sorted(stamps)
    assert {len(s) for s in stamps} == {keys.CHANGE_STAMP_DIGITS}
    assert abs(keys.stamp_seconds(stamps[2]) - moments[2]) < 1e-6


def test_a_change_key_names_its_record_and_sorts_after_the_bare_stamp():
    stamp = keys.change_stamp(1_796_639_860.5)
    sk = keys.change_sk(stamp, RECORD)
    assert keys.record_id_from_change_sk(sk) == RECORD
    assert stamp < sk < keys.change_stamp(1_796_639_860.500001)
    assert keys.change_pk("ws", "obj") == "WS#ws#CHG#obj"


def test_positions_are_change_keys_or_bare_stamps_only():
    stamp = keys.change_stamp(1_796_639_860.5)
    assert keys.is_change_position(stamp)
    assert keys.is_change_position(keys.change_sk(stamp, RECORD))
    for text in ("", "12", stamp + "#a#b", "x" * 16, "１" * 16, stamp + "#" + "a" * 37):
        assert not keys.is_change_position(text)


def test_restamp_moves_a_record_write_to_now_and_leaves_other_actions_alone():
    item = {"pk": {"S": "WS#w#REC#o"}, "sk": {"S": RECORD}}
    item.update(change_attributes("w", "o", RECORD, "updated"))
    item[CHANGE_SK] = {"S": keys.change_sk(keys.change_stamp(1.0), RECORD)}
    guard = {"Item": {"pk": {"S": "WS#w#UQ#o"}, "sk": {"S": "name#=x"}}}
    before = time.time()

    restamp([{"Item": item}, guard])

    moment = keys.stamp_seconds(item[CHANGE_SK]["S"])
    assert before - 0.001 <= moment <= time.time()
    assert keys.record_id_from_change_sk(item[CHANGE_SK]["S"]) == RECORD
    assert CHANGE_SK not in guard["Item"]
