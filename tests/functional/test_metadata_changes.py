"""Metadata commands under load and contention: resumable jobs, competing changes."""

from __future__ import annotations

import pytest

from chalicelib.context import Principal, RequestContext, utc_now_iso
from chalicelib.core.commands import CreateRecords
from chalicelib.errors import MetadataValidationError
from chalicelib.metadata.registry import load_model
from chalicelib.metadata.service import MetadataService
from chalicelib.storage import keys, metadata_store
from chalicelib.storage.workspaces import load_workspace
from chalicelib.wiring import record_service, record_store
from tests.support import Tenant

RECORDS = 12
STEP = 5  # records per job step: several steps without many records (moto is slow)


def _ctx(tenant: Tenant) -> RequestContext:
    return RequestContext(Principal(tenant.workspace_id, tenant.key_id, "test"), utc_now_iso())


def _service(budget: float) -> MetadataService:
    return MetadataService(
        record_store(), job_budget_seconds=budget, scan_cap=10_000, job_step=STEP
    )


def _rocket_with_records(tenant: Tenant, service: MetadataService) -> str:
    ctx = _ctx(tenant)
    rocket = service.create_object(
        ctx,
        {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket",
         "labelPlural": "Rockets"},
    ).object  # fmt: skip
    service.create_field(
        ctx, {"objectMetadataId": rocket.id, "type": "TEXT", "name": "color", "label": "Color"}
    )
    obj = load_model(tenant.workspace_id).by_id[rocket.id]
    for start in range(0, RECORDS, 60):
        batch = tuple({"color": f"c{n}"} for n in range(start, min(start + 60, RECORDS)))
        record_service().create(ctx, CreateRecords(obj, batch))
    return rocket.id


def _stored_items(workspace_id: str, object_id: str) -> int:
    records, _ = metadata_store.records_after(workspace_id, object_id, None, 1000)
    return len(records)


def test_deleting_a_large_object_answers_at_once_and_a_later_run_finishes_the_purge(tenant):
    patient = _service(budget=30)
    rocket_id = _rocket_with_records(tenant, patient)
    ctx = _ctx(tenant)
    hurried = _service(budget=0)  # every job step overruns: one step, then answer
    hurried.update_object(ctx, rocket_id, {"isActive": False})
    hurried.delete_object(ctx, rocket_id)
    assert rocket_id not in load_model(tenant.workspace_id).by_id
    assert 0 < _stored_items(tenant.workspace_id, rocket_id) < RECORDS
    assert [job["kind"] for job in metadata_store.pending_jobs(tenant.workspace_id)] == ["purge"]
    assert patient.continue_jobs(ctx) is True
    assert _stored_items(tenant.workspace_id, rocket_id) == 0
    assert metadata_store.pending_jobs(tenant.workspace_id) == []
    leftovers = metadata_store.delete_partition_page(
        keys.metadata_pk(tenant.workspace_id), sk_prefix=keys.object_fields_prefix(rocket_id)
    )
    assert leftovers == 0


def test_a_field_deletion_interrupted_by_its_budget_resumes_where_it_stopped(tenant):
    patient = _service(budget=30)
    rocket_id = _rocket_with_records(tenant, patient)
    ctx = _ctx(tenant)
    color = load_model(tenant.workspace_id).by_id[rocket_id].by_name["color"]
    hurried = _service(budget=0)
    hurried.update_field(ctx, color.id, {"isActive": False})
    hurried.delete_field(ctx, color.id)
    [job] = metadata_store.pending_jobs(tenant.workspace_id)
    assert job["kind"] == "migrate" and job["after"] is not None  # one step done, saved
    patient.continue_jobs(ctx)
    records, _ = metadata_store.records_after(tenant.workspace_id, rocket_id, None, 1000)
    assert len(records) == RECORDS
    assert all("color" not in record.body for record in records)


def test_a_change_computed_on_a_stale_model_is_recomputed_and_both_changes_land(tenant):
    """A competing change commits between the moment a command reads the model and the moment
    it commits: the commit's version condition fails, the command is computed again on the new
    model, and neither change is lost."""
    ctx = _ctx(tenant)
    company = load_model(tenant.workspace_id).by_singular["company"]
    before = load_workspace(tenant.workspace_id).metadata_version
    competitor = _service(budget=30)
    loads: list[int] = []

    def load_then_compete(workspace_id: str) -> object:
        model = load_model(workspace_id)
        loads.append(model.version)
        if len(loads) == 1:
            competitor.create_field(ctx, _text_field(company.id, "theirs"))
        return model

    racing = MetadataService(record_store(), job_budget_seconds=30, scan_cap=10_000,
                             load=load_then_compete)  # fmt: skip
    racing.create_field(ctx, _text_field(company.id, "ours"))
    assert loads == [before, before + 1]
    names = load_model(tenant.workspace_id).by_singular["company"].by_name
    assert {"theirs", "ours"} <= set(names)
    assert load_workspace(tenant.workspace_id).metadata_version == before + 2


def test_a_name_taken_by_the_competing_change_is_refused_on_recomputation(tenant):
    ctx = _ctx(tenant)
    company = load_model(tenant.workspace_id).by_singular["company"]
    competitor = _service(budget=30)
    calls: list[str] = []

    def load_then_compete(workspace_id: str) -> object:
        model = load_model(workspace_id)
        if not calls:
            calls.append(workspace_id)
            competitor.create_field(ctx, _text_field(company.id, "same"))
        return model

    racing = MetadataService(record_store(), job_budget_seconds=30, scan_cap=10_000,
                             load=load_then_compete)  # fmt: skip
    with pytest.raises(MetadataValidationError, match="'same' already exists"):
        racing.create_field(ctx, _text_field(company.id, "same"))


def _text_field(object_id: str, name: str) -> dict[str, str]:
    return {"objectMetadataId": object_id, "type": "TEXT", "name": name, "label": name}


def test_the_stream_handler_finishes_jobs_when_their_items_change(tenant, client):
    """On AWS each step's progress write reaches the stream handler, which carries on."""
    rocket_id = _rocket_with_records(tenant, _service(budget=30))
    ctx = _ctx(tenant)
    hurried = _service(budget=0)
    hurried.update_object(ctx, rocket_id, {"isActive": False})
    hurried.delete_object(ctx, rocket_id)
    [job] = metadata_store.pending_jobs(tenant.workspace_id)
    job_item_keys = {
        "pk": {"S": keys.jobs_pk(tenant.workspace_id)},
        "sk": {"S": job["id"]},
    }
    event = {"Records": [_stream_record("MODIFY", job_item_keys)]}
    response = client.lambda_.invoke("on_main_table_change", event)
    assert response.payload == {"batchItemFailures": []}
    assert metadata_store.pending_jobs(tenant.workspace_id) == []
    assert _stored_items(tenant.workspace_id, rocket_id) == 0


def _stream_record(event_name: str, item_keys: dict) -> dict:
    return {
        "eventID": "event-1",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026",
        "dynamodb": {
            "ApproximateCreationDateTime": 1764374400,
            "Keys": item_keys,
            "NewImage": item_keys,
            "SequenceNumber": "1",
            "SizeBytes": 64,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
