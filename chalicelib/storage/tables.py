"""The one definition of both DynamoDB tables, used by the models, local stack, tests and infra."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class IndexDef:
    name: str
    hash_key: str
    range_key: str | None = None
    projection: str = "ALL"
    # With projection "INCLUDE": the attributes copied into the index besides the keys.
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TableDef:
    hash_key: str
    range_key: str | None
    gsis: tuple[IndexDef, ...] = ()
    stream_view_type: str | None = None
    # Items carrying this numeric attribute (epoch seconds) are deleted by DynamoDB's TTL.
    ttl_attribute: str | None = None
    # Every key attribute is a string: keys are built from ids and escaped text by storage/keys.py.
    attribute_types: dict[str, str] = field(default_factory=dict)

    def key_attributes(self) -> list[str]:
        names = [self.hash_key] + ([self.range_key] if self.range_key else [])
        for index in self.gsis:
            names += [index.hash_key] + ([index.range_key] if index.range_key else [])
        return list(dict.fromkeys(names))


# Workspaces, metadata, records, counters and uniqueness guards live side by side here; the
# stream (new and old images) drives webhooks, never the request path.
# Generic, overloaded index slots: each object assigns its indexed fields to slots 1..N, and a
# record carries `ix<N>pk` = its object's slot partition and `ix<N>sk` = the sortable value + id
# (storage/keys.py). Keys only: a page of ids is completed by one BatchGetItem.
INDEX_SLOTS = 8


def index_name(slot: int) -> str:
    return f"ix{slot}"


# Delta sync (core/changes.py): every record item carries `chpk` = its object's change partition
# and `chsk` = the time of its latest write + its id (storage/keys.py), so the index lists each
# record once, at its latest change, oldest first. `chop` (the operation of that write) comes
# along so that a destroyed record needs no read of its tombstone.
CHANGES_INDEX = IndexDef(
    name="changes",
    hash_key="chpk",
    range_key="chsk",
    projection="INCLUDE",
    non_key_attributes=("chop",),
)

MAIN_TABLE = TableDef(
    hash_key="pk",
    range_key="sk",
    gsis=tuple(
        IndexDef(
            name=index_name(slot),
            hash_key=f"{index_name(slot)}pk",
            range_key=f"{index_name(slot)}sk",
            projection="KEYS_ONLY",
        )
        for slot in range(1, INDEX_SLOTS + 1)
    )
    + (CHANGES_INDEX,),
    stream_view_type="NEW_AND_OLD_IMAGES",
    ttl_attribute="expiresAt",
)

# API keys are looked up by the hash of the presented token before any workspace is known.
# byId serves revocation by key id (operator CLI); byWorkspace lists a workspace's keys.
KEYS_TABLE = TableDef(
    hash_key="keyHash",
    range_key=None,
    gsis=(
        IndexDef(name="byId", hash_key="keyId"),
        IndexDef(name="byWorkspace", hash_key="workspaceId", range_key="keyId"),
    ),
    # Rate-limit windows (storage/rate_limits.py) expire a minute after they end.
    ttl_attribute="expiresAt",
)


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _projection(index: IndexDef) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection}
    if index.non_key_attributes:
        projection["NonKeyAttributes"] = list(index.non_key_attributes)
    return projection


def create_table_request(table: TableDef, table_name: str) -> dict[str, Any]:
    """The CreateTable arguments for a table definition (on-demand billing)."""
    request: dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": _key_schema(table.hash_key, table.range_key),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"} for name in table.key_attributes()
        ],
    }
    if table.gsis:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.hash_key, index.range_key),
                "Projection": _projection(index),
            }
            for index in table.gsis
        ]
    if table.stream_view_type:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": table.stream_view_type,
        }
    return request
