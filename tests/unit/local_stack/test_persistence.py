"""The local stack's data folder: what a save writes, a later start loads back, exactly.

Each test writes through a real (in-process) moto DynamoDB with boto3, saves with the same
Persistence the local stack uses, then loads the folder into a fresh moto and reads it back.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from chalicelib.settings import SETTINGS
from chalicelib.storage.schema import ensure_tables
from local_stack import emulator, persistence
from local_stack.datadir import FORMAT_FILE, SNAPSHOT_FILE, DataDir, DataDirError
from local_stack.persistence import Persistence

MAIN = SETTINGS.main_table
KEYS = SETTINGS.keys_table

# One attribute of every DynamoDB type, and each container holding every type.
SCALARS: dict[str, Any] = {
    "s": {"S": "text with \t tab, \n newline, emoji \U0001f680 and \u0001"},
    "n": {"N": "-12.5e3"},
    "b": {"B": b"\x00\x01binary\xff"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x00", b"\xff\xfe"]},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "z": {"NULL": True},
}
EVERY_TYPE: dict[str, Any] = {
    **SCALARS,
    "m": {"M": {**SCALARS, "inner": {"M": {"l": {"L": [{"S": "deep"}]}}}}},
    "l": {"L": [*SCALARS.values(), {"L": []}, {"M": {}}]},
}


@functools.cache
def client():  # type: ignore[no-untyped-def]
    """One client for the module (creating one costs more than a test's requests)."""
    return boto3.client("dynamodb", region_name=SETTINGS.region)


def backend():  # type: ignore[no-untyped-def]
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][SETTINGS.region]


@contextmanager
def stack(folder: Path, *, create_tables: bool = True) -> Iterator[Persistence]:
    """A fresh moto, the folder loaded into it, the project's tables; closed at the end."""
    emulator.install()  # the embedded DynamoDB of `make run`, as the `aws` fixture has it
    with mock_aws():
        data = DataDir(folder)
        data.open()
        kept = Persistence(backend(), data)
        try:
            kept.loaded = kept.load()  # type: ignore[attr-defined]
            if create_tables:
                ensure_tables()
            yield kept
        finally:
            kept.close()


def key(pk: str, sk: str = "s") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def get(pk: str, sk: str = "s") -> dict[str, Any] | None:
    return client().get_item(TableName=MAIN, Key=key(pk, sk), ConsistentRead=True).get("Item")


def put(pk: str, sk: str = "s", **attrs: Any) -> None:
    client().put_item(TableName=MAIN, Item={**key(pk, sk), **attrs})


def everything_stored() -> dict[str, list[dict[str, Any]]]:
    dynamo = client()
    return {
        table: sorted(
            (
                item
                for page in dynamo.get_paginator("scan").paginate(TableName=table)
                for item in page["Items"]
            ),
            key=repr,
        )
        for table in (MAIN, KEYS)
    }


# --- round trips -------------------------------------------------------------------------------


def test_an_item_of_every_attribute_type_comes_back_identical(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("every", **EVERY_TYPE)
        written = get("every")
        assert kept.save().items == 1
    with stack(tmp_path) as kept:
        assert kept.loaded.items == 1
        assert get("every") == written
        assert written is not None and written["b"]["B"] == b"\x00\x01binary\xff"


def test_a_table_keyed_by_binary_values_comes_back(tmp_path: Path):
    binary_key = {"AttributeName": "id", "KeyType": "HASH"}
    with stack(tmp_path) as kept:
        client().create_table(
            TableName="by-bytes",
            KeySchema=[binary_key],
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "B"}],
        )
        for raw in (b"\x00", b"\xff\x01"):
            client().put_item(TableName="by-bytes", Item={"id": {"B": raw}, "v": {"B": raw}})
        client().delete_item(TableName="by-bytes", Key={"id": {"B": b"\x00"}})
        kept.save()
    with stack(tmp_path):
        items = client().scan(TableName="by-bytes")["Items"]
        assert items == [{"id": {"B": b"\xff\x01"}, "v": {"B": b"\xff\x01"}}]


def test_tables_come_back_with_their_indexes_stream_and_time_to_live(tmp_path: Path):
    with stack(tmp_path) as kept:
        before = {name: client().describe_table(TableName=name)["Table"] for name in (MAIN, KEYS)}
        ttl = client().describe_time_to_live(TableName=MAIN)["TimeToLiveDescription"]
        kept.save()
    with stack(tmp_path, create_tables=False) as kept:
        assert kept.loaded.tables == 2
        for name, described in before.items():
            after = client().describe_table(TableName=name)["Table"]
            for part in (
                "KeySchema",
                "AttributeDefinitions",
                "BillingModeSummary",
                "StreamSpecification",
            ):
                assert after.get(part) == described.get(part), part
            assert [
                (i["IndexName"], i["KeySchema"], i["Projection"])
                for i in after.get("GlobalSecondaryIndexes", [])
            ] == [
                (i["IndexName"], i["KeySchema"], i["Projection"])
                for i in described.get("GlobalSecondaryIndexes", [])
            ]
        assert client().describe_time_to_live(TableName=MAIN)["TimeToLiveDescription"] == ttl


def test_a_secondary_index_answers_from_the_loaded_items_at_once(tmp_path: Path):
    with stack(tmp_path) as kept:
        for n in range(5):
            put(f"rec{n}", ix1pk={"S": "IX"}, ix1sk={"S": f"{4 - n}"})
        kept.save()
    with stack(tmp_path):
        found = client().query(
            TableName=MAIN,
            IndexName="ix1",
            KeyConditionExpression="ix1pk = :p AND ix1sk > :s",
            ExpressionAttributeValues={":p": {"S": "IX"}, ":s": {"S": "1"}},
        )["Items"]
        assert [item["pk"]["S"] for item in found] == ["rec2", "rec1", "rec0"]


def test_updates_deletes_batches_and_transactions_are_all_saved(tmp_path: Path):
    dynamo = client
    with stack(tmp_path) as kept:
        put("kept", v={"N": "1"})
        put("deleted")
        kept.save()
        dynamo().update_item(
            TableName=MAIN,
            Key=key("kept"),
            UpdateExpression="SET v = v + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        dynamo().delete_item(TableName=MAIN, Key=key("deleted"))
        table_arn = dynamo().describe_table(TableName=MAIN)["Table"]["TableArn"]
        dynamo().put_item(TableName=table_arn, Item=key("by-arn"))
        dynamo().batch_write_item(
            RequestItems={MAIN: [{"PutRequest": {"Item": key(f"batch{n}")}} for n in range(3)]}
        )
        dynamo().transact_write_items(
            TransactItems=[
                {"Put": {"TableName": MAIN, "Item": key("tx")}},
                {
                    "Update": {
                        "TableName": MAIN,
                        "Key": key("kept"),
                        "UpdateExpression": "SET w = :w",
                        "ExpressionAttributeValues": {":w": {"S": "x"}},
                    }
                },
            ]
        )
        expected = everything_stored()
        assert kept.save().items == 7
        assert kept.save().items == 0  # nothing changed since
    with stack(tmp_path):
        assert everything_stored() == expected
        assert get("deleted") is None
        assert get("kept") == {**key("kept"), "v": {"N": "2"}, "w": {"S": "x"}}


def test_a_cancelled_transaction_is_saved_as_nothing_changed(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("a", v={"N": "1"})
        kept.save()
        with pytest.raises(client().exceptions.TransactionCanceledException):
            client().transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": MAIN, "Item": {**key("a"), "v": {"N": "2"}}}},
                    {"Put": {"TableName": MAIN, "Item": key("new")}},
                    {
                        "ConditionCheck": {
                            "TableName": MAIN,
                            "Key": key("missing"),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                ]
            )
        kept.save()
    with stack(tmp_path):
        assert get("a") == {**key("a"), "v": {"N": "1"}}
        assert get("new") is None


def test_a_deleted_and_recreated_table_comes_back_with_only_its_new_items(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("old")
        kept.save()
        client().delete_table(TableName=MAIN)
        ensure_tables()
        put("new")
        kept.save()
    with stack(tmp_path):
        assert get("old") is None
        assert get("new") == key("new")


# --- crashes and compaction --------------------------------------------------------------------


def journal(folder: Path) -> Path:
    (path,) = sorted(folder.glob("journal-*.jsonl"))[-1:]
    return path


def test_a_save_torn_at_any_byte_leaves_the_previous_save_loadable(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("first", v={"S": "saved"})
        kept.save()
        good = journal(tmp_path).read_bytes()
        put("first", v={"S": "torn"})
        put("second")
        kept.save()
        whole = journal(tmp_path).read_bytes()
    torn_record = whole[len(good) :]
    for cut in range(len(torn_record)):  # a crash after any byte of the second save
        journal(tmp_path).write_bytes(good + torn_record[:cut])
        data = DataDir(tmp_path)
        data.open()
        try:
            contents = data.read()
        finally:
            data.close()
        stored = {
            key_id.split("\t")[1]: json.loads(text) for key_id, text in contents.items.items()
        }
        assert [item["v"] for item in stored.values()] == [{"S": "saved"}]
        assert list(stored) == [json.dumps([{"S": "first"}, {"S": "s"}], separators=(",", ":"))]
        assert contents.torn_records == (1 if cut else 0)
    journal(tmp_path).write_bytes(good + torn_record[: len(torn_record) // 2])
    with stack(tmp_path) as kept:
        assert get("first") == {**key("first"), "v": {"S": "saved"}}
        assert get("second") is None
        assert kept.loaded.torn_records == 1


def test_saves_after_a_torn_record_go_on_in_a_new_segment_and_load(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("a")
        kept.save()
    path = journal(tmp_path)
    path.write_bytes(path.read_bytes() + b'{"items": [["crm", "half')
    with stack(tmp_path) as kept:
        put("b")
        kept.save()
    with stack(tmp_path) as kept:
        assert get("a") == key("a") and get("b") == key("b")
        assert kept.loaded.torn_records == 1


def test_a_failing_write_keeps_its_changes_for_the_next_save(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("a")
        kept.data.path = tmp_path / "missing-folder"  # the next append cannot open its file
        with pytest.raises(OSError):
            kept.save()
        kept.data.path = tmp_path
        assert kept.save().items >= 1
    with stack(tmp_path):
        assert get("a") == key("a")


def test_compaction_merges_the_journal_into_the_snapshot_from_the_files(tmp_path: Path):
    with stack(tmp_path) as kept:
        for n in range(30):
            put(f"item{n}", v={"N": str(n)})
            if n % 10 == 9:
                kept.save()
        client().delete_item(TableName=MAIN, Key=key("item3"))
        kept.save()
        expected = everything_stored()
        assert kept.data.compact() == len(expected[MAIN]) + len(expected[KEYS])
        assert list(tmp_path.glob("journal-*")) == []
        put("after")  # a save after the compaction starts the next segment
        kept.save()
    with stack(tmp_path):
        assert everything_stored()[MAIN] == sorted([*expected[MAIN], key("after")], key=repr)


def test_a_compaction_interrupted_before_or_after_its_rename_loses_nothing(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("a")
        kept.save()
        kept.data.compact()
        put("b")
        kept.save()
        expected = everything_stored()
        segments = {p.name: p.read_bytes() for p in tmp_path.glob("journal-*")}
        snapshot = (tmp_path / SNAPSHOT_FILE).read_bytes()
        kept.data.compact()
    # Interrupted while writing: a half-written temporary file next to the old snapshot.
    new_snapshot = (tmp_path / SNAPSHOT_FILE).read_bytes()
    (tmp_path / SNAPSHOT_FILE).write_bytes(snapshot)
    (tmp_path / (SNAPSHOT_FILE + ".tmp")).write_bytes(new_snapshot[: len(new_snapshot) // 2])
    for name, data in segments.items():
        (tmp_path / name).write_bytes(data)
    with stack(tmp_path):
        assert everything_stored() == expected
    assert not (tmp_path / (SNAPSHOT_FILE + ".tmp")).exists()
    # Interrupted after the rename, before the merged segments were deleted.
    with stack(tmp_path) as kept:
        kept.data.compact()
    for name, data in segments.items():
        (tmp_path / name).write_bytes(data)
    with stack(tmp_path):
        assert everything_stored() == expected


def increment_both() -> None:
    client().transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": MAIN,
                    "Key": key(name),
                    "UpdateExpression": "SET v = v + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
            for name in ("left", "right")
        ]
    )


def test_a_save_never_keeps_half_of_a_transaction_made_while_it_copies(tmp_path: Path, monkeypatch):
    # One key copied per hold of the lock, and a transaction on both keys between two holds:
    # the save must copy the first key again rather than keep it from before the transaction.
    monkeypatch.setattr(persistence, "CHUNK", 1)
    copy_chunk = persistence._Copy._copy_chunk
    transactions = []

    def copy_then_write(self: Any, pending: set[Any]) -> set[Any]:
        left = copy_chunk(self, pending)
        if len(transactions) < 3:
            transactions.append(increment_both())
        return left

    with stack(tmp_path) as kept:
        put("left", v={"N": "0"})
        put("right", v={"N": "0"})
        kept.save()
        increment_both()
        monkeypatch.setattr(persistence._Copy, "_copy_chunk", copy_then_write)
        kept.save()
        assert len(transactions) == 3
    with stack(tmp_path):
        assert get("left") == {**key("left"), "v": {"N": "4"}}
        assert get("right") == {**key("right"), "v": {"N": "4"}}


def test_a_full_save_copies_chunk_by_chunk_and_keeps_writes_made_meanwhile(
    tmp_path: Path, monkeypatch
):
    # A deleted table makes the next save write everything again; that copy is chunked too.
    monkeypatch.setattr(persistence, "CHUNK", 3)
    copy_chunk = persistence._Copy._copy_chunk
    holds = []

    def copy_then_write(self: Any, pending: Any) -> Any:
        holds.append(len(self.captured))
        left = copy_chunk(self, pending)
        if len(holds) == 2:
            increment_both()
            client().delete_item(TableName=MAIN, Key=key("item0"))
        return left

    with stack(tmp_path) as kept:
        client().delete_table(TableName=KEYS)
        ensure_tables()
        put("left", v={"N": "0"})
        put("right", v={"N": "0"})
        for n in range(10):
            put(f"item{n}")
        monkeypatch.setattr(persistence._Copy, "_copy_chunk", copy_then_write)
        kept.save()
        assert len(holds) >= 4
        expected = everything_stored()
    with stack(tmp_path):
        assert everything_stored() == expected
        assert get("left") == {**key("left"), "v": {"N": "1"}} and get("item0") is None


# --- the folder --------------------------------------------------------------------------------


def test_a_folder_written_by_another_format_version_is_refused_and_left_untouched(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("a")
        kept.save()
    marker = tmp_path / FORMAT_FILE
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "version": 99}))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(DataDirError) as refused:
        DataDir(tmp_path).open()
    message = str(refused.value)
    assert "version 99" in message and "FRESH=1" in message and str(tmp_path) in message
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_folder_with_data_but_no_format_file_is_refused(tmp_path: Path):
    (tmp_path / SNAPSHOT_FILE).write_bytes(gzip.compress(b"something else\n"))
    with pytest.raises(DataDirError, match="no format.json"):
        DataDir(tmp_path).open()


def test_a_folder_in_use_by_another_stack_is_refused(tmp_path: Path):
    first = DataDir(tmp_path)
    first.open()
    try:
        with pytest.raises(DataDirError, match="in use"):
            DataDir(tmp_path).open()
    finally:
        first.close()
    second = DataDir(tmp_path)
    second.open()  # free again once the first one closed
    second.close()


def test_a_reset_starts_empty_and_keeps_files_that_are_not_ours(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("a")
        kept.save()
        kept.data.compact()
    (tmp_path / "notes.txt").write_text("mine")
    data = DataDir(tmp_path)
    data.open()
    data.reset()
    data.close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        FORMAT_FILE,
        "notes.txt",
    ]
    with stack(tmp_path) as kept:
        assert kept.loaded.items == 0


def test_the_snapshot_is_gzipped_json_lines_of_dynamodb_json(tmp_path: Path):
    with stack(tmp_path) as kept:
        put("a", b={"B": b"\x01"})
        kept.save()
        kept.data.compact()
    lines = gzip.decompress((tmp_path / SNAPSHOT_FILE).read_bytes()).decode().splitlines()
    assert json.loads(lines[0])["tables"].keys() == {MAIN, KEYS}
    (line,) = lines[1:]
    table, key_column, item = line.split("\t")
    assert table == MAIN
    assert json.loads(key_column) == [{"S": "a"}, {"S": "s"}]
    assert json.loads(item)["b"] == {"B": base64.b64encode(b"\x01").decode()}
