"""Record reads (GetItem, BatchGetItem, Query) and the RecordStore the core is given."""

from __future__ import annotations

from chalicelib.core.plan import Plan
from chalicelib.core.ports import RecordPage, StoredRecord
from chalicelib.storage import keys
from chalicelib.storage.executor import execute_plan
from chalicelib.storage.models import CounterItem, RecordItem, UniqueGuardItem

_BATCH_GET_MAX = 100  # DynamoDB's BatchGetItem limit; pynamodb splits larger requests itself


def _to_stored(item: RecordItem) -> StoredRecord:
    return StoredRecord(
        id=keys.record_id_from_sk(item.sk),
        body=item.data or {},
        version=int(item.version),
        deleted_at=item.deleted_at,
    )


class DynamoRecordStore:
    """RecordStore over the main table."""

    def get(self, workspace_id: str, object_id: str, record_id: str) -> StoredRecord | None:
        key = keys.record_key(workspace_id, object_id, record_id)
        try:
            # Strongly consistent: a client reading right after its own write must see it.
            return _to_stored(RecordItem.get(key.pk, key.sk, consistent_read=True))
        except RecordItem.DoesNotExist:
            return None

    def get_many(
        self, workspace_id: str, object_id: str, record_ids: list[str]
    ) -> dict[str, StoredRecord]:
        wanted = list(dict.fromkeys(record_ids))
        if not wanted:
            return {}
        item_keys = [tuple(keys.record_key(workspace_id, object_id, rid)) for rid in wanted]
        found = RecordItem.batch_get(item_keys, consistent_read=True)
        return {record.id: record for record in map(_to_stored, found)}

    def page(
        self,
        workspace_id: str,
        object_id: str,
        *,
        after: str | None,
        before: str | None,
        limit: int,
    ) -> RecordPage:
        """Live records ordered by id, `limit` of them after/before a cursor id."""
        pk = keys.record_pk(workspace_id, object_id)
        range_condition = None
        if after is not None:
            range_condition = RecordItem.sk > after
        elif before is not None:
            range_condition = RecordItem.sk < before
        # Limit + 1 tells whether another page exists. Soft-deleted records are filtered by
        # DynamoDB, which may return short pages; the iterator keeps querying until full.
        results = RecordItem.query(
            pk,
            range_condition,
            filter_condition=RecordItem.deleted_at.does_not_exist(),
            scan_index_forward=before is None,
            consistent_read=True,
            limit=limit + 1,
            page_size=limit + 1,
        )
        records = [_to_stored(item) for item in results]
        has_more = len(records) > limit
        records = records[:limit]
        if before is not None:
            records.reverse()
        return RecordPage(records=records, has_more=has_more)

    def count_live(self, workspace_id: str, object_id: str) -> int:
        key = keys.counter_key(workspace_id, object_id)
        try:
            return int(CounterItem.get(key.pk, key.sk, consistent_read=True).live)
        except CounterItem.DoesNotExist:
            return 0

    def unique_owners(
        self, workspace_id: str, object_id: str, claims: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """Which record currently holds each (field path, value); one BatchGetItem per 100."""
        by_key = {
            tuple(keys.unique_guard_key(workspace_id, object_id, path, value)): (path, value)
            for path, value in dict.fromkeys(claims)
        }
        if not by_key:
            return {}
        found = UniqueGuardItem.batch_get(list(by_key), consistent_read=True)
        return {by_key[(guard.pk, guard.sk)]: guard.record_id for guard in found}

    def execute(self, workspace_id: str, plan: Plan) -> None:
        execute_plan(workspace_id, plan)
