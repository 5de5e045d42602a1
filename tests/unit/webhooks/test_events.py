"""Stream records of record items -> webhook events, and the payload and delivery id built from
them (pure: stream records written by hand in the shape Lambda delivers)."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

from chalice.app import DynamoDBRecord

from chalicelib.metadata.model import FieldType, WorkspaceModel
from chalicelib.webhooks import events
from chalicelib.webhooks.model import ACTIVE, Webhook
from tests.builders import make_field, make_object

WORKSPACE = "0b5e8d8e-2f4c-4a57-9f47-6a4a6c1f9e01"
RECORD = "4a3f2b1c-0d9e-4f8a-b7c6-d5e4f3a2b1c0"
ROCKET = make_object(
    "rocket",
    "rockets",
    [
        make_field("name", FieldType.TEXT),
        make_field("stages", FieldType.NUMBER),
        make_field("fuel", FieldType.SELECT, options=["SOLID", "LIQUID"]),
        make_field("tags", FieldType.MULTI_SELECT, options=["A", "B", "C"]),
    ],
)
MODEL = WorkspaceModel(WORKSPACE, 1, (ROCKET,))
ACTOR = {"source": "API", "name": "key", "workspaceMemberId": None, "context": {}}
BODY = {
    "name": "Saturn",
    "stages": 3,
    "fuel": "LIQUID",
    "tags": ["A", "B"],
    "createdAt": "2026-01-02T03:04:05.006Z",
    "updatedAt": "2026-01-02T03:04:05.006Z",
    "createdBy": ACTOR,
    "updatedBy": ACTOR,
    "position": 1.0,
}
WEBHOOK = Webhook(
    id="9d7e1c4b-5a6f-4e3d-8c2b-1a0f9e8d7c6b",
    workspace_id=WORKSPACE,
    target_url="https://hooks.example.com/in",
    operations=("*.*",),
    description=None,
    secret="",
    status=ACTIVE,
    disabled_reason=None,
    consecutive_failures=0,
    created_at="2026-01-01T00:00:00.000Z",
    updated_at="2026-01-01T00:00:00.000Z",
)


def record_keys(pk: str | None = None) -> dict:
    return {"pk": {"S": pk or f"WS#{WORKSPACE}#REC#{ROCKET.id}"}, "sk": {"S": RECORD}}


def image(body=BODY, *, deleted_at=None, tombstone=False, pk=None) -> dict:
    item = {**record_keys(pk), "d": {"S": json.dumps(body)}, "v": {"N": "1"}}
    if deleted_at:
        item["deletedAt"] = {"S": deleted_at}
    if tombstone:
        item["tomb"] = {"BOOL": True}
        item["expiresAt"] = {"N": "1900000000"}
    return item


def stream_record(name: str, old=None, new=None, *, keys=None, event_id="evt-1") -> DynamoDBRecord:
    dynamodb = {
        "ApproximateCreationDateTime": 1767322000.0,  # 2026-01-02T02:46:40Z
        "Keys": keys or record_keys(),
        "SequenceNumber": "100",
        "SizeBytes": 100,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        dynamodb["OldImage"] = old
    if new is not None:
        dynamodb["NewImage"] = new
    return DynamoDBRecord(
        {
            "eventID": event_id,
            "eventName": name,
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x",
            "dynamodb": dynamodb,
        },
        None,
    )


def event_of(record: DynamoDBRecord, model: WorkspaceModel = MODEL):
    change = events.record_change(record)
    return None if change is None else events.record_event(change, model)


def later(body=BODY, **changes) -> dict:
    return {**body, "updatedAt": "2026-01-02T03:04:06.000Z", **changes}


# -- which event ---------------------------------------------------------------------------------


def test_an_inserted_record_is_created_with_its_body_as_the_api_shows_it():
    event = event_of(stream_record("INSERT", new=image()))
    assert event.event_name == "rocket.created" and event.name_singular == "rocket"
    assert (event.workspace_id, event.object_id, event.record_id) == (WORKSPACE, ROCKET.id, RECORD)
    assert list(event.record)[0] == "id" and event.record["id"] == RECORD
    assert event.record["name"] == "Saturn" and event.record["deletedAt"] is None
    assert event.updated_fields is None
    assert event.event_date == BODY["updatedAt"]


def test_a_changed_field_is_an_update_naming_it_but_not_updated_at():
    event = event_of(stream_record("MODIFY", old=image(), new=image(later(stages=4))))
    assert event.event_name == "rocket.updated"
    assert event.updated_fields == ("stages",)
    assert event.record["stages"] == 4
    assert event.event_date == "2026-01-02T03:04:06.000Z"


def test_updated_fields_follow_the_record_field_order_and_count_the_actor():
    other = {**ACTOR, "name": "other key"}
    new = image(later(tags=["C"], name="Saturn V", updatedBy=other))
    event = event_of(stream_record("MODIFY", old=image(), new=new))
    assert event.updated_fields == ("name", "tags", "updatedBy")


def test_an_update_that_changes_only_updated_at_is_no_event():
    assert event_of(stream_record("MODIFY", old=image(), new=image(later()))) is None


def test_soft_delete_is_deleted_with_the_record_as_it_now_is():
    new = image(deleted_at="2026-01-02T03:05:00.000Z")
    event = event_of(stream_record("MODIFY", old=image(), new=new))
    assert event.event_name == "rocket.deleted"
    assert event.record["deletedAt"] == "2026-01-02T03:05:00.000Z"
    assert event.event_date == "2026-01-02T03:05:00.000Z"
    assert event.updated_fields is None


def test_clearing_deleted_at_is_restored_and_sorts_after_the_delete():
    old = image(deleted_at="2026-01-02T03:05:00.000Z")
    event = event_of(stream_record("MODIFY", old=old, new=image()))
    assert event.event_name == "rocket.restored" and event.record["deletedAt"] is None
    # The stream time (02:46:40, whole seconds) is older than the delete it undoes.
    assert event.event_date == "2026-01-02T03:05:00.000Z"


def test_a_tombstone_replacing_the_record_is_destroyed_with_the_last_body():
    old = image(deleted_at="2026-01-02T03:05:00.000Z")
    event = event_of(stream_record("MODIFY", old=old, new=image(tombstone=True)))
    assert event.event_name == "rocket.destroyed"
    assert event.record["name"] == "Saturn" and event.record["deletedAt"] is not None
    assert event.updated_fields is None


def test_a_destroyed_record_takes_the_stream_time_when_it_is_the_latest():
    old = image({**BODY, "updatedAt": "2026-01-01T00:00:00.000Z"})
    event = event_of(stream_record("MODIFY", old=old, new=image(tombstone=True)))
    assert event.event_date == "2026-01-02T02:46:40.000Z"


def test_a_record_written_over_a_tombstone_is_created_again():
    event = event_of(stream_record("MODIFY", old=image(tombstone=True), new=image()))
    assert event.event_name == "rocket.created"


def test_tombstones_changing_or_expiring_are_no_event():
    tomb = image(tombstone=True)
    assert event_of(stream_record("REMOVE", old=tomb)) is None  # TTL
    assert event_of(stream_record("MODIFY", old=tomb, new=tomb)) is None
    assert event_of(stream_record("INSERT", new=tomb)) is None


def test_a_removed_live_record_is_destroyed():
    event = event_of(stream_record("REMOVE", old=image()))
    assert event.event_name == "rocket.destroyed" and event.record["name"] == "Saturn"


def test_items_that_are_not_records_are_no_change():
    for pk, sk in [
        (f"WS#{WORKSPACE}", "#WORKSPACE"),
        (f"WS#{WORKSPACE}", f"COUNT#{ROCKET.id}"),
        (f"WS#{WORKSPACE}#META", f"OBJ#{ROCKET.id}"),
        (f"WS#{WORKSPACE}#UQ#{ROCKET.id}", "name#=Saturn"),
        (f"WS#{WORKSPACE}#JOB", "2026#job"),
        (f"WS#{WORKSPACE}#HOOK", WEBHOOK.id),
        (f"WS#{WORKSPACE}#HOOK#{WEBHOOK.id}", "0190-delivery"),
    ]:
        keys = {"pk": {"S": pk}, "sk": {"S": sk}}
        item = {**keys, "d": {"S": json.dumps(BODY)}}
        assert events.record_change(stream_record("INSERT", new=item, keys=keys)) is None


def test_images_without_a_readable_body_are_no_change():
    keys_only = record_keys()
    assert events.record_change(stream_record("INSERT", new=keys_only)) is None
    broken = {**record_keys(), "d": {"S": "{not json"}}
    assert events.record_change(stream_record("INSERT", new=broken)) is None


def test_an_object_deleted_or_deactivated_since_is_no_event():
    record = stream_record("INSERT", new=image())
    assert event_of(record, WorkspaceModel(WORKSPACE, 2, ())) is None
    inactive = replace(ROCKET, is_active=False)
    assert event_of(record, WorkspaceModel(WORKSPACE, 2, (inactive,))) is None


# -- model migrations keep updatedAt: no event ---------------------------------------------------


def test_a_migration_dropping_a_removed_select_option_is_no_event():
    new = image({**BODY, "fuel": None, "tags": ["A"]})
    assert event_of(stream_record("MODIFY", old=image(), new=new)) is None


def test_a_migration_renaming_a_field_or_adding_a_default_is_no_event():
    renamed = make_object("rocket", "rockets", [make_field("title", FieldType.TEXT)])
    model = WorkspaceModel(WORKSPACE, 2, (renamed,))
    old = image({k: v for k, v in BODY.items() if k not in ("stages", "fuel", "tags")})
    moved = {**json.loads(old["d"]["S"]), "title": "Saturn"}
    del moved["name"]
    assert event_of(stream_record("MODIFY", old=old, new=image(moved)), model) is None


def test_a_client_update_in_the_same_millisecond_as_the_last_write_is_still_an_update():
    new = image({**BODY, "stages": 5, "fuel": "SOLID"})  # updatedAt unchanged
    event = event_of(stream_record("MODIFY", old=image(), new=new))
    assert event.event_name == "rocket.updated" and event.updated_fields == ("stages", "fuel")


# -- ids, payload ---------------------------------------------------------------------------------


def test_the_event_id_is_the_same_for_the_same_stream_record_and_differs_between_records():
    first = events.record_change(stream_record("INSERT", new=image(), event_id="a"))
    again = events.record_change(stream_record("INSERT", new=image(), event_id="a"))
    other = events.record_change(stream_record("INSERT", new=image(), event_id="b"))
    assert first.event_id == again.event_id != other.event_id
    assert uuid.UUID(first.event_id).version == 5


def test_the_body_has_twentys_keys_in_twentys_order_compact():
    created = event_of(stream_record("INSERT", new=image()))
    body = events.event_body(created, WEBHOOK)
    payload = json.loads(body)
    assert list(payload) == [
        "targetUrl", "eventName", "objectMetadata", "workspaceId", "webhookId", "eventDate",
        "record",
    ]  # fmt: skip
    assert payload["objectMetadata"] == {"id": ROCKET.id, "nameSingular": "rocket"}
    assert payload["targetUrl"] == WEBHOOK.target_url and payload["webhookId"] == WEBHOOK.id
    assert body == json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def test_only_an_update_carries_updated_fields():
    updated = event_of(stream_record("MODIFY", old=image(), new=image(later(stages=9))))
    payload = json.loads(events.event_body(updated, WEBHOOK))
    assert list(payload)[-1] == "updatedFields" and payload["updatedFields"] == ["stages"]


def test_non_ascii_text_is_sent_as_utf8_not_escaped():
    event = event_of(stream_record("INSERT", new=image({**BODY, "name": "Café ☕"})))
    assert "Café ☕" in events.event_body(event, WEBHOOK)


def test_a_delivery_id_is_a_uuid7_of_the_event_time_and_the_same_for_the_same_inputs():
    first = events.delivery_id("event", "hook", 1_767_322_000_123)
    parsed = uuid.UUID(first)
    assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert parsed.int >> 80 == 1_767_322_000_123
    assert events.delivery_id("event", "hook", 1_767_322_000_123) == first
    assert events.delivery_id("event", "other hook", 1_767_322_000_123) != first
    assert events.delivery_id("other event", "hook", 1_767_322_000_123) != first


def test_delivery_ids_sort_as_their_events_times():
    times = [1_767_322_000_000 + step for step in (0, 1, 999, 1000, 86_400_000)]
    ids = [events.delivery_id(f"e{i}", "hook", ms) for i, ms in enumerate(times)]
    assert sorted(ids) == ids
