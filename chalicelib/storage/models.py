"""PynamoDB item classes for both tables; their keys are checked against storage/tables.py."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.settings import SETTINGS
from chalicelib.storage.connection import on_shared_connection
from chalicelib.storage.tables import KEYS_TABLE, MAIN_TABLE

# Stored attribute names, shared with the executor that writes these items as wire dicts.
RECORD_DATA = "d"
RECORD_VERSION = "v"
RECORD_DELETED_AT = "deletedAt"
GUARD_RECORD_ID = "recordId"
COUNTER_LIVE = "live"
# Destroyed records leave a tombstone for a few days (see storage/executor.py), removed by TTL.
RECORD_TOMBSTONE = "tomb"
EXPIRES_AT = "expiresAt"
TOMBSTONE_SECONDS = 7 * 24 * 3600


class _MainTableItem(Model):
    """Base of every item of the main table: a generic `pk`/`sk` pair built by storage/keys.py."""

    class Meta:
        table_name = SETTINGS.main_table
        region = SETTINGS.region
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        stream_view_type = MAIN_TABLE.stream_view_type
        # Retries are storage/retry.py's alone (see storage/connection.py), timeouts as there.
        max_retry_attempts = 0
        connect_timeout_seconds = SETTINGS.dynamodb_connect_timeout
        read_timeout_seconds = SETTINGS.dynamodb_read_timeout

    pk = UnicodeAttribute(hash_key=True, attr_name=MAIN_TABLE.hash_key)
    sk = UnicodeAttribute(range_key=True, attr_name=MAIN_TABLE.range_key or "sk")

    @classmethod
    def _get_connection(cls) -> TableConnection:
        return on_shared_connection(super()._get_connection())


class WorkspaceItem(_MainTableItem):
    name = UnicodeAttribute()
    # Bumped in the same transaction as every metadata change; caches are keyed on it.
    metadata_version = NumberAttribute(attr_name="metadataVersion", default=1)
    created_at = UnicodeAttribute(attr_name="createdAt")


class MetadataItem(_MainTableItem):
    kind = UnicodeAttribute()  # "object" or "field"
    body = JSONAttribute()


class RecordItem(_MainTableItem):
    # The record's field values as one JSON document: the schema is only known at runtime,
    # and one attribute keeps (de)serialisation to a single json call per item.
    data = JSONAttribute(attr_name=RECORD_DATA)
    # Mirrored outside the document so reads can filter soft-deleted records server-side.
    deleted_at = UnicodeAttribute(attr_name=RECORD_DELETED_AT, null=True)
    # Optimistic-locking version; every write is conditioned on the version it read.
    version = NumberAttribute(attr_name=RECORD_VERSION)


class CounterItem(_MainTableItem):
    live = NumberAttribute(attr_name=COUNTER_LIVE, default=0)


class UniqueGuardItem(_MainTableItem):
    record_id = UnicodeAttribute(attr_name=GUARD_RECORD_ID)


class _ById(GlobalSecondaryIndex["ApiKeyItem"]):
    class Meta:
        index_name = KEYS_TABLE.gsis[0].name
        projection = AllProjection()

    key_id = UnicodeAttribute(hash_key=True, attr_name="keyId")


class _ByWorkspace(GlobalSecondaryIndex["ApiKeyItem"]):
    class Meta:
        index_name = KEYS_TABLE.gsis[1].name
        projection = AllProjection()

    workspace_id = UnicodeAttribute(hash_key=True, attr_name="workspaceId")
    key_id = UnicodeAttribute(range_key=True, attr_name="keyId")


class ApiKeyItem(Model):
    class Meta:
        table_name = SETTINGS.keys_table
        region = SETTINGS.region
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        max_retry_attempts = 0
        connect_timeout_seconds = SETTINGS.dynamodb_connect_timeout
        read_timeout_seconds = SETTINGS.dynamodb_read_timeout

    key_hash = UnicodeAttribute(hash_key=True, attr_name=KEYS_TABLE.hash_key)
    key_id = UnicodeAttribute(attr_name="keyId")
    workspace_id = UnicodeAttribute(attr_name="workspaceId")
    name = UnicodeAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
    expires_at = UnicodeAttribute(attr_name="expiresAt", null=True)
    revoked_at = UnicodeAttribute(attr_name="revokedAt", null=True)
    # Both absent on items written before scopes existed: such a key is "full", never updated.
    scope = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(attr_name="updatedAt", null=True)

    by_id = _ById()
    by_workspace = _ByWorkspace()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        return on_shared_connection(super()._get_connection())


MAIN_TABLE_ITEMS: tuple[type[_MainTableItem], ...] = (
    WorkspaceItem,
    MetadataItem,
    RecordItem,
    CounterItem,
    UniqueGuardItem,
)
