"""A custom object of every field type and a MANY_TO_ONE relation to company, built through the
REST metadata API, and a record filling each field: shared by the tests that need the whole
range of types (over HTTP, in process, and in the OpenAPI documents' checks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (method, path, JSON body) -> (status, parsed body): RestClient.call and Stack.call alike.
Call = Callable[..., tuple[int, Any]]

SELECT_OPTIONS = [
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
        "options": SELECT_OPTIONS,
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


def falcon_record(maker_id: str) -> dict[str, Any]:
    """A rocket filling every field, made by the company `maker_id`."""
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
        "makerId": maker_id,
    }


def create_rocket_model(call: Call) -> tuple[str, str]:
    """The rocket object with FIELDS and `maker` (MANY_TO_ONE company); (rocket id, company
    object id)."""
    status, body = call(
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
        status, body = call(
            "POST", "/rest/metadata/fields", {"objectMetadataId": rocket_id, **spec}
        )
        assert status == 201, (spec["name"], body)
        created = body["data"]["createOneField"]
        assert (created["type"], created["name"]) == (spec["type"], spec["name"])
    status, body = call("GET", "/rest/metadata/objects")
    company = next(o for o in body["data"]["objects"] if o["nameSingular"] == "company")
    status, body = call(
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
