"""A metadata input too large for its DynamoDB item is refused up front (issue 17, finding 3):
a 500 KB label used to fail the commit's transaction and answer a misleading 409."""

from __future__ import annotations

from tests.support import RestClient

HUGE = "x" * 500_000


def test_an_object_with_a_500_kb_label_is_refused_with_400_and_nothing_is_created(rest: RestClient):
    body = {
        "nameSingular": "rocket",
        "namePlural": "rockets",
        "labelSingular": HUGE,
        "labelPlural": "Rockets",
    }
    status, answer = rest.post("/rest/metadata/objects", body)
    assert (status, answer["code"]) == (400, "METADATA_VALIDATION_FAILED"), answer
    assert "at most 65536" in answer["messages"][0]
    assert len(answer["messages"][0]) < 300  # the label itself is not echoed
    _, objects = rest.get("/rest/metadata/objects")
    assert "rockets" not in {o["namePlural"] for o in objects["data"]["objects"]}


def test_a_field_with_a_huge_description_or_option_list_is_refused_with_400(rest: RestClient):
    _, objects = rest.get("/rest/metadata/objects")
    company = next(o for o in objects["data"]["objects"] if o["nameSingular"] == "company")
    options = [{"value": f"OPTION_{i}", "label": "y" * 100, "position": i} for i in range(1_000)]
    for extra in ({"description": HUGE}, {"type": "SELECT", "options": options}):
        body = {
            "objectMetadataId": company["id"],
            "type": "TEXT",
            "name": "motto",
            "label": "Motto",
            **extra,
        }
        status, answer = rest.post("/rest/metadata/fields", body)
        assert (status, answer["code"]) == (400, "METADATA_VALIDATION_FAILED"), answer


def test_an_update_with_a_huge_description_is_refused_and_the_object_is_unchanged(rest: RestClient):
    _, objects = rest.get("/rest/metadata/objects")
    company = next(o for o in objects["data"]["objects"] if o["nameSingular"] == "company")
    status, answer = rest.patch(f"/rest/metadata/objects/{company['id']}", {"description": HUGE})
    assert (status, answer["code"]) == (400, "METADATA_VALIDATION_FAILED"), answer
    _, after = rest.get(f"/rest/metadata/objects/{company['id']}")
    assert after["data"]["object"]["description"] == company["description"]
