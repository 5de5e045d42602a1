"""A custom object's whole life over real HTTP: metadata API, then REST records, then deletion."""

from __future__ import annotations

from pathlib import Path

from tests.http.local_stack import Stack, start_stack, stop_with_sigterm
from tests.rocket_model import create_rocket_model, falcon_record


def test_a_custom_object_with_every_field_type_works_through_rest_until_it_is_deleted(stack: Stack):
    rocket_id, _ = create_rocket_model(stack.call)
    status, body = stack.call("POST", "/rest/companies", {"name": "SpaceCo"})
    company_id = body["data"]["createCompany"]["id"]

    falcon = falcon_record(company_id)
    status, body = stack.call("POST", "/rest/rockets", falcon)
    assert status == 201, body
    created = body["data"]["createRocket"]
    for key, value in falcon.items():
        shown = created[key]
        if isinstance(value, dict):
            shown = {k: shown[k] for k in value}
        assert shown == value, key

    batch = [
        {"name": f"Probe {n}", "stages": n, "contact": {"primaryEmail": f"p{n}@x.test"}}
        for n in range(1, 4)
    ]
    status, body = stack.call("POST", "/rest/batch/rockets", batch)
    assert status == 201, body
    probes = body["data"]["createRockets"]
    assert [p["status"] for p in probes] == ["DRAFT"] * 3  # the SELECT default
    assert [p["callSign"] for p in probes] == ["unnamed"] * 3

    status, body = stack.call(
        "GET", "/rest/rockets?filter=stages[gte]:2&order_by=stages[DescNullsLast]&depth=1"
    )
    assert status == 200, body
    listed = body["data"]["rockets"]
    # Ties (two rockets with 2 stages) are broken by id, in the first key's direction.
    assert [r["stages"] for r in listed] == [3, 2, 2]
    assert [r["name"] for r in listed][0] == "Probe 3"
    ties = sorted(listed[1:], key=lambda r: r["id"], reverse=True)
    assert [r["name"] for r in listed[1:]] == [r["name"] for r in ties]
    falcon_row = next(r for r in listed if r["name"] == "Falcon")
    assert falcon_row["maker"]["name"] == "SpaceCo"
    status, body = stack.call("GET", f"/rest/companies/{company_id}?depth=1")
    assert [r["name"] for r in body["data"]["company"]["rockets"]] == ["Falcon"]
    status, body = stack.call("GET", "/rest/rockets?filter=contact.primaryEmail[eq]:p2@x.test")
    assert [r["name"] for r in body["data"]["rockets"]] == ["Probe 2"]
    status, body = stack.call("POST", "/rest/rockets", {"contact": {"primaryEmail": "p2@x.test"}})
    assert status == 409, body

    status, body = stack.call("DELETE", f"/rest/metadata/objects/{rocket_id}")
    assert status == 400 and "Active objects cannot be deleted" in body["messages"][0]
    status, body = stack.call("PATCH", f"/rest/metadata/objects/{rocket_id}", {"isActive": False})
    assert status == 200 and body["data"]["updateOneObject"]["isActive"] is False
    status, body = stack.call("DELETE", f"/rest/metadata/objects/{rocket_id}")
    assert status == 200 and body == {"data": {"deleteOneObject": {"id": rocket_id}}}
    status, body = stack.call("GET", "/rest/rockets")
    assert status == 400 and body["code"] == "OBJECT_METADATA_NOT_FOUND"
    status, body = stack.call("GET", f"/rest/companies/{company_id}?depth=1")
    assert "rockets" not in body["data"]["company"]


def test_a_second_api_process_sees_each_metadata_change_on_its_next_request(
    stack: Stack, tmp_path: Path
):
    """Two API processes over one DynamoDB, each with its own model cache (two Lambda
    containers): a change made through one is served by the other on its very next request."""
    other = start_stack(tmp_path / "second.log", stack.dynamodb_port, stack.key)
    try:
        assert other.banner["workspaceId"] == stack.banner["workspaceId"]
        assert other.call("GET", "/rest/satellites")[0] == 400  # cached model without it
        status, body = stack.call("POST", "/rest/metadata/objects", {
            "nameSingular": "satellite", "namePlural": "satellites",
            "labelSingular": "Satellite", "labelPlural": "Satellites",
        })  # fmt: skip
        assert status == 201, body
        satellite_id = body["data"]["createOneObject"]["id"]
        status, body = other.call("POST", "/rest/satellites", {"name": "Sputnik"})
        assert status == 201, body
        status, body = other.call("POST", "/rest/metadata/fields", {
            "objectMetadataId": satellite_id, "type": "NUMBER", "name": "orbitKm",
            "label": "Orbit", "defaultValue": 500,
        })  # fmt: skip
        assert status == 201, body
        _, body = stack.call("GET", "/rest/satellites")
        assert [(s["name"], s["orbitKm"]) for s in body["data"]["satellites"]] == [("Sputnik", 500)]
        other.call("PATCH", f"/rest/metadata/objects/{satellite_id}", {"isActive": False})
        assert stack.call("GET", "/rest/satellites")[0] == 400
    finally:
        stop_with_sigterm(other)
