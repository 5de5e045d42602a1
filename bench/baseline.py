"""The yardstick: raw boto3 doing the minimal DynamoDB calls for the same work as the API.

Low-level client only (no resource layer, no pynamodb). Like a hand-written Lambda, each call
checks the key and the workspace's metadata version, parses the request and the stored JSON
documents, and serialises its answer; it does nothing else (no coercion, no validation).

Two clients make the same calls: boto3's as it comes, and a lean one (inside `lean_wire()`)
that reads every answer with one `json.loads` of its body instead of botocore's shape-walking
parser and skips botocore's request validation: the minimal wire work (serialise, sign, send,
decode) the API's CPU is also compared with.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.settings import SETTINGS
from chalicelib.storage import keys

MAX_TRANSACTION_ACTIONS = 100  # DynamoDB's TransactWriteItems limit


class _JsonBody:
    """A response parser that is one `json.loads` of the body (the baseline never fails)."""

    def parse(self, response: dict[str, Any], shape: Any) -> dict[str, Any]:
        body = response["body"]
        return json.loads(body) if body else {}


class _JsonBodyParsers:
    def create_parser(self, protocol: str) -> _JsonBody:
        return _JsonBody()


def _lean_client() -> Any:
    client = boto3.client(
        "dynamodb", region_name=SETTINGS.region, config=Config(parameter_validation=False)
    )
    client._endpoint._response_parser_factory = _JsonBodyParsers()  # noqa: SLF001
    return client


_lean = threading.local()


@contextmanager
def lean_wire() -> Iterator[None]:
    """Baseline calls inside the block use the lean client."""
    _lean.on = True
    try:
        yield
    finally:
        _lean.on = False


def _key(key: keys.Key) -> dict[str, dict[str, str]]:
    return {"pk": {"S": key.pk}, "sk": {"S": key.sk}}


# (slot, path, is_text) of each indexed path of an object, as the API keeps them.
IndexPaths = list[tuple[int, tuple[str, ...], bool]]


def _read(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = body
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _index_attributes(
    workspace_id: str, object_id: str, record_id: str, body: dict[str, Any], paths: IndexPaths
) -> dict[str, Any]:
    """The same index keys the API writes: a hand-written Lambda must maintain them too."""
    attributes: dict[str, Any] = {}
    for slot, path, is_text in paths:
        value = _read(body, path)
        form = (value.casefold(), value) if is_text and value is not None else value
        attributes[f"ix{slot}pk"] = {"S": keys.index_pk(workspace_id, object_id, slot)}
        attributes[f"ix{slot}sk"] = {"S": keys.index_sk(form, record_id)}
    return attributes


def _record_item(
    key: keys.Key, body: dict[str, Any], version: int, index: dict[str, Any] | None = None
) -> dict[str, Any]:
    item = {**_key(key), "d": {"S": json.dumps(body)}, "v": {"N": str(version)}}
    return {**item, **(index or {})}


class RawDynamo:
    """Hand-written request handlers for one workspace, as a raw-boto3 Lambda would have them."""

    def __init__(
        self, workspace_id: str, key_hash: str, indexes: dict[str, IndexPaths] | None = None
    ) -> None:
        self._indexes = indexes or {}
        self._boto3 = boto3.client("dynamodb", region_name=SETTINGS.region)
        self._lean = _lean_client()
        self._ws = workspace_id
        self._key_hash = key_hash
        self._main = SETTINGS.main_table

    @property
    def _db(self) -> Any:
        return self._lean if getattr(_lean, "on", False) else self._boto3

    # -- the two checks every request makes -------------------------------------------------

    def _authorize(self) -> int:
        """GetItem of the API key, then of the workspace, then (rate limits on, as the bench
        runs them) the same one UpdateItem of a minute's counter the API makes: a raw handler
        with rate limiting pays it too. Returns the metadata version."""
        found = self._db.get_item(
            TableName=SETTINGS.keys_table,
            Key={"keyHash": {"S": self._key_hash}},
            ConsistentRead=True,
        )
        if found["Item"]["workspaceId"]["S"] != self._ws:
            raise RuntimeError("baseline key belongs to another workspace")
        workspace = self._db.get_item(
            TableName=self._main, Key=_key(keys.workspace_key(self._ws)), ConsistentRead=True
        )
        if SETTINGS.rate_limit_per_minute or SETTINGS.workspace_rate_limit_per_minute:
            window = int(time.time()) // 60 * 60
            self._db.update_item(
                TableName=SETTINGS.keys_table,
                Key={"keyHash": {"S": keys.rate_window_hash(self._ws, window)}},
                UpdateExpression="SET expiresAt = :end ADD ws :one, #k :one",
                ConditionExpression="(attribute_not_exists(ws) OR ws < :limit)",
                ExpressionAttributeNames={"#k": "k_baseline"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":end": {"N": str(window + 120)},
                    ":limit": {"N": str(SETTINGS.workspace_rate_limit_per_minute or 10**9)},
                },
                ReturnValues="UPDATED_NEW",
            )
        return int(workspace["Item"]["metadataVersion"]["N"])

    def _get_record(self, object_id: str, record_id: str) -> dict[str, Any]:
        key = keys.record_key(self._ws, object_id, record_id)
        return self._db.get_item(TableName=self._main, Key=_key(key), ConsistentRead=True)["Item"]

    def stored_body(self, object_id: str, record_id: str) -> dict[str, Any]:
        """The JSON document the API stored for a record (templates for the write cases)."""
        return json.loads(self._get_record(object_id, record_id)["d"]["S"])

    # -- the operations ---------------------------------------------------------------------

    def get_one(self, object_id: str, record_id: str, singular: str) -> str:
        self._authorize()
        body = json.loads(self._get_record(object_id, record_id)["d"]["S"])
        return json.dumps({"data": {singular: body}})

    def list_page(self, object_id: str, plural: str, limit: int) -> str:
        self._authorize()
        page = self._db.query(
            TableName=self._main,
            KeyConditionExpression="pk = :pk",
            FilterExpression="attribute_not_exists(deletedAt)",
            ExpressionAttributeValues={":pk": {"S": keys.record_pk(self._ws, object_id)}},
            Limit=limit + 1,
            ConsistentRead=True,
        )
        records = [json.loads(item["d"]["S"]) for item in page["Items"][:limit]]
        counter = self._db.get_item(
            TableName=self._main,
            Key=_key(keys.counter_key(self._ws, object_id)),
            ConsistentRead=True,
        )
        total = int(counter["Item"]["live"]["N"])
        return json.dumps({"data": {plural: records}, "totalCount": total})

    def create(self, object_id: str, request: str, template: dict[str, Any], unique: str) -> str:
        """One record, its uniqueness guard and the live counter, in one transaction."""
        self._authorize()
        body = self._new_body(json.loads(request), template)
        actions = self._create_actions(object_id, body, unique) + [self._count(object_id, 1)]
        self._db.transact_write_items(TransactItems=actions)
        return json.dumps({"data": {"createRecord": body}})

    def create_many(
        self, object_id: str, request: str, template: dict[str, Any], unique: str
    ) -> str:
        """Records with their guards, packed into transactions of at most 100 actions."""
        self._authorize()
        bodies = [self._new_body(values, template) for values in json.loads(request)]
        # A record and its guard stay in one transaction; the counter goes in the last one.
        units = [self._create_actions(object_id, body, unique) for body in bodies]
        units.append([self._count(object_id, len(bodies))])
        for transaction in _pack(units):
            self._db.transact_write_items(TransactItems=transaction)
        return json.dumps({"data": {"createRecords": bodies}})

    def update(self, object_id: str, record_id: str, request: str) -> str:
        """Read the record, merge the patch, write it back conditioned on the version read."""
        self._authorize()
        item = self._get_record(object_id, record_id)
        version = int(item["v"]["N"])
        body = {**json.loads(item["d"]["S"]), **json.loads(request)}
        key = keys.record_key(self._ws, object_id, record_id)
        put = {
            "TableName": self._main,
            "Item": _record_item(
                key,
                body,
                version + 1,
                _index_attributes(
                    self._ws, object_id, record_id, body, self._indexes.get(object_id, [])
                ),
            ),
            "ConditionExpression": "v = :v",
            "ExpressionAttributeValues": {":v": {"N": str(version)}},
        }
        self._db.transact_write_items(TransactItems=[{"Put": put}])
        return json.dumps({"data": {"updateRecord": body}})

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _new_body(values: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
        # The template is a record the API stored, so the baseline writes documents of the
        # same size and shape as the API does.
        return {**template, **values, "id": str(uuid.uuid4())}

    def _create_actions(
        self, object_id: str, body: dict[str, Any], unique: str
    ) -> list[dict[str, Any]]:
        field_name, _, sub = unique.partition(".")
        record = {
            "TableName": self._main,
            "Item": _record_item(
                keys.record_key(self._ws, object_id, body["id"]),
                body,
                1,
                _index_attributes(
                    self._ws, object_id, body["id"], body, self._indexes.get(object_id, [])
                ),
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        guard_key = keys.unique_guard_key(self._ws, object_id, unique, body[field_name][sub])
        guard = {
            "TableName": self._main,
            "Item": {**_key(guard_key), "recordId": {"S": body["id"]}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        return [{"Put": record}, {"Put": guard}]

    def _count(self, object_id: str, delta: int) -> dict[str, Any]:
        update = {
            "TableName": self._main,
            "Key": _key(keys.counter_key(self._ws, object_id)),
            "UpdateExpression": "ADD live :delta",
            "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
        }
        return {"Update": update}


def _pack(units: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Greedy packing of action units into transactions, never splitting a unit."""
    transactions: list[list[dict[str, Any]]] = [[]]
    for unit in units:
        if len(transactions[-1]) + len(unit) > MAX_TRANSACTION_ACTIONS:
            transactions.append([])
        transactions[-1].extend(unit)
    return transactions
