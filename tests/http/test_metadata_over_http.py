"""A custom object's whole life over real HTTP: metadata API, then REST records, then deletion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.http.local_stack import Stack, start_stack, stop_with_sigterm

_SELECT_OPTIONS = [
    {"value": "DRAFT", "label": "Draft", "position": 0, "color": "gray"},
    {"value": "READY", "label": "Ready", "position": 1, "color": "green"},
    {"value": "FLOWN", "label": "Flown", "position": 2, "color": "blue"},
]
# One custom field of every type SPEC.md lists (ACTOR and POSITION exist as the system fields
# createdBy/updatedBy/position; RELATION is added separately below).
FIELDS: list[dict[str, Any]] = [
    {
        "type": "TEXT",
        "name": "callSign",
        "label": "Call sign",
        "isNullable": False,
        "defaultValue": "'unnamed'",
    },
    {
        "type": "NUMBER",
        "name": "stages",
        "label": "Stages",
        "defaultValue": 2,
        "settings": {"dataType": "int"},
    },
    {"type": "NUMERIC", "name": "thrust", "label": "Thrust"},
    {"type": "BOOLEAN", "name": "reusable", "label": "Reusable", "defaultValue": False},
    {"type": "DATE", "name": "firstFlight", "label": "First flight"},
    {"type": "DATE_TIME", "name": "launchAt", "label": "Launch at"},
    {"type": "UUID", "name": "externalId", "label": "External id"},
    {
        "type": "SELECT",
        "name": "status",
        "label": "Status",
        "options": _SELECT_OPTIONS,
        "defaultValue": "'DRAFT'",
    },
    {
        "type": "MULTI_SELECT",
        "name": "payloads",
        "label": "Payloads",
        "options": [
            {"value": "CREW", "label": "Crew", "position": 0},
            {"value": "CARGO", "label": "Cargo", "position": 1},
        ],
    },
    {"type": "RATING", "name": "reliability", "label": "Reliability"},
    {"type": "CURRENCY", "name": "price", "label": "Price"},
    {"type": "FULL_NAME", "name": "designer", "label": "Designer"},
    {"type": "EMAILS", "name": "contact", "label": "Contact", "isUnique": True},
    {"type": "PHONES", "name": "hotline", "label": "Hotline"},
    {"type": "LINKS", "name": "website", "label": "Website"},
    {"type": "ADDRESS", "name": "pad", "label": "Launch pad"},
    {"type": "RICH_TEXT", "name": "notes", "label": "Notes"},
    {"type": "RICH_TEXT_V2", "name": "story", "label": "Story"},
    {"type": "RAW_JSON", "name": "telemetry", "label": "Telemetry"},
    {"type": "ARRAY", "name": "tags", "label": "Tags"},
]


def _falcon(company_id: str) -> dict[str, Any]:
    return {
        "name": "Falcon",
        "callSign": "F9",
        "stages": 2,
        "thrust": 7607.5,
        "reusable": True,
        "firstFlight": "2010-06-04",
        "launchAt": "2030-01-02T03:04:05.000Z",
        "externalId": "7e57d004-2b97-0e7a-b45f-5387367791cd",
        "status": "READY",
        "payloads": ["CREW", "CARGO"],
        "reliability": "RATING_5",
        "price": {"amountMicros": 67000000000000, "currencyCode": "USD"},
        "designer": {"firstName": "Tom", "lastName": "Mueller"},
        "contact": {"primaryEmail": "ops@falcon.test", "additionalEmails": ["pr@falcon.test"]},
        "hotline": {
            "primaryPhoneNumber": "5550100",
            "primaryPhoneCountryCode": "US",
            "primaryPhoneCallingCode": "+1",
            "additionalPhones": [],
        },
        "website": {
            "primaryLinkUrl": "https://falcon.test",
            "primaryLinkLabel": "Home",
            "secondaryLinks": [],
        },
        "pad": {
            "addressStreet1": "SLC-40",
            "addressCity": "Cape Canaveral",
            "addressCountry": "US",
            "addressLat": 28.56,
            "addressLng": -80.57,
        },
        "notes": "Lands itself",
        "story": {"blocknote": "[]", "markdown": "# Falcon"},
        "telemetry": {"apogeeKm": 200, "ok": True},
        "tags": ["orbital", "heavy"],
        "companyId": company_id,
    }


def _create_model(stack: Stack) -> tuple[str, str]:
    status, body = stack.call(
        "POST",
        "/rest/metadata/objects",
        {
            "nameSingular": "rocket",
            "namePlural": "rockets",
            "labelSingular": "Rocket",
            "labelPlural": "Rockets",
            "icon": "IconRocket",
        },
    )
    assert status == 201, body
    rocket_id = body["data"]["createOneObject"]["id"]
    for spec in FIELDS:
        status, body = stack.call(
            "POST", "/rest/metadata/fields", {"objectMetadataId": rocket_id, **spec}
        )
        assert status == 201, (spec["name"], body)
        created = body["data"]["createOneField"]
        assert (created["type"], created["name"]) == (spec["type"], spec["name"])
    status, body = stack.call("GET", "/rest/metadata/objects")
    company = next(o for o in body["data"]["objects"] if o["nameSingular"] == "company")
    status, body = stack.call(
        "POST",
        "/rest/metadata/fields",
        {
            "objectMetadataId": rocket_id,
            "type": "RELATION",
            "name": "maker",
            "label": "Maker",
            "relationCreationPayload": {
                "type": "MANY_TO_ONE",
                "targetObjectMetadataId": company["id"],
                "targetFieldLabel": "Rockets",
                "targetFieldIcon": "IconRocket",
            },
        },
    )
    assert status == 201, body
    return rocket_id, company["id"]


def test_a_custom_object_with_every_field_type_works_through_rest_until_it_is_deleted(stack: Stack):
    rocket_id, _ = _create_model(stack)
    status, body = stack.call("POST", "/rest/companies", {"name": "SpaceCo"})
    company_id = body["data"]["createCompany"]["id"]

    falcon = {k if k != "companyId" else "makerId": v for k, v in _falcon(company_id).items()}
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
