"""REST Metadata API: /rest/metadata/objects and /rest/metadata/fields, their rules and effects."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import RestClient, make_tenant

ROCKET = {
    "nameSingular": "rocket",
    "namePlural": "rockets",
    "labelSingular": "Rocket",
    "labelPlural": "Rockets",
}


def create_object(rest: RestClient, **overrides: Any) -> dict[str, Any]:
    status, body = rest.post("/rest/metadata/objects", {**ROCKET, **overrides})
    assert status == 201, body
    return body["data"]["createOneObject"]


def create_field(rest: RestClient, object_id: str, **spec: Any) -> dict[str, Any]:
    status, body = rest.post("/rest/metadata/fields", {"objectMetadataId": object_id, **spec})
    assert status == 201, body
    return body["data"]["createOneField"]


def object_named(rest: RestClient, name: str) -> dict[str, Any]:
    _, body = rest.get("/rest/metadata/objects")
    return next(o for o in body["data"]["objects"] if o["nameSingular"] == name)


def field_named(obj: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in obj["fields"] if f["name"] == name)


def refused(rest: RestClient, method: str, path: str, body: Any = None) -> list[str]:
    status, answer = rest.call(method, path, body)
    assert status == 400, answer
    assert answer["code"] == "METADATA_VALIDATION_FAILED", answer
    return answer["messages"]


# -- reading ------------------------------------------------------------------------------------


def test_objects_list_every_standard_object_with_its_fields(rest):
    status, body = rest.get("/rest/metadata/objects")
    assert status == 200
    names = {o["nameSingular"] for o in body["data"]["objects"]}
    assert {"company", "person", "opportunity", "note", "task"} <= names
    company = object_named(rest, "company")
    assert company["isCustom"] is False and company["isActive"] is True
    domain = field_named(company, "domainName")
    assert (domain["type"], domain["isUnique"]) == ("LINKS", True)
    people = field_named(company, "people")
    assert people["relation"]["type"] == "ONE_TO_MANY"
    assert people["relation"]["targetObjectMetadata"]["nameSingular"] == "person"
    assert body["pageInfo"]["hasNextPage"] is False and body["totalCount"] == len(names)
    assert "indexes" not in company


def test_objects_page_with_limit_and_id_cursors_in_both_directions(rest):
    _, everything = rest.get("/rest/metadata/objects")
    ids = [o["id"] for o in everything["data"]["objects"]]
    status, first = rest.get("/rest/metadata/objects?limit=3")
    assert [o["id"] for o in first["data"]["objects"]] == ids[:3]
    assert first["pageInfo"]["hasNextPage"] is True
    cursor = first["pageInfo"]["endCursor"]
    _, second = rest.get(f"/rest/metadata/objects?limit=3&starting_after={cursor}")
    assert [o["id"] for o in second["data"]["objects"]] == ids[3:6]
    assert second["pageInfo"]["hasPreviousPage"] is True
    _, back = rest.get(f"/rest/metadata/objects?limit=2&ending_before={ids[5]}")
    assert [o["id"] for o in back["data"]["objects"]] == ids[3:5]


def test_one_object_and_one_field_are_read_by_id_and_unknown_ids_answer_404(rest):
    company = object_named(rest, "company")
    status, body = rest.get(f"/rest/metadata/objects/{company['id']}")
    assert status == 200 and body["data"]["object"]["namePlural"] == "companies"
    name = field_named(company, "name")
    status, body = rest.get(f"/rest/metadata/fields/{name['id']}")
    assert status == 200 and body["data"]["field"]["label"] == "Name"
    missing = "00000000-0000-4000-8000-000000000000"
    assert rest.get(f"/rest/metadata/objects/{missing}")[0] == 404
    assert rest.get(f"/rest/metadata/fields/{missing}")[0] == 404
    status, body = rest.get("/rest/metadata/objects/not-a-uuid")
    assert status == 400 and body["code"] == "INVALID_PATH"


def test_fields_list_covers_every_object(rest):
    status, body = rest.get("/rest/metadata/fields?limit=5")
    assert status == 200 and len(body["data"]["fields"]) == 5
    assert body["pageInfo"]["hasNextPage"] is True and body["totalCount"] > 100


# -- creating objects ---------------------------------------------------------------------------


def test_a_new_custom_object_gets_the_system_fields_and_name_as_label_identifier(rest):
    rocket = create_object(rest, description="Things that fly", icon="IconRocket")
    assert rocket["isCustom"] is True and rocket["description"] == "Things that fly"
    names = {f["name"]: f for f in rocket["fields"]}
    assert set(names) == {
        "id", "name", "createdAt", "updatedAt", "deletedAt", "position", "createdBy", "updatedBy"
    }  # fmt: skip
    assert rocket["labelIdentifierFieldMetadataId"] == names["name"]["id"]
    status, body = rest.post("/rest/rockets", {"name": "Saturn V"})
    assert status == 201 and body["data"]["createRocket"]["name"] == "Saturn V"
    _, body = rest.get("/rest/rockets?order_by=name[AscNullsFirst]")
    assert body["totalCount"] == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"nameSingular": "Rocket"}, "should be in camelCase"),
        ({"nameSingular": "my_rocket"}, "should be in camelCase"),
        ({"nameSingular": "rocketURL"}, "should be in camelCase"),
        ({"nameSingular": "r" * 64}, "must be 1 to 63 characters long"),
        ({"nameSingular": "event", "namePlural": "eventItems"}, "'event' is reserved"),
        ({"nameSingular": "batch", "namePlural": "batches"}, "'batch' is reserved"),
        ({"nameSingular": "pageInfo", "namePlural": "pageInfos"}, "is reserved"),
        ({"namePlural": "rocket"}, "nameSingular and namePlural must differ"),
        ({"labelPlural": "rocket"}, "labelSingular and labelPlural must differ"),
        ({"nameSingular": "company", "namePlural": "firms"}, "'company' already exists"),
        ({"nameSingular": "companyEdge", "namePlural": "companyEdges"}, "clash with the GraphQL"),
        ({"labelSingular": ""}, "labelSingular must be a non-empty string"),
        ({"color": "red"}, "property 'color' should not exist"),
    ],
)
def test_object_names_and_labels_that_break_a_rule_are_refused(rest, overrides, expected):
    messages = refused(rest, "POST", "/rest/metadata/objects", {**ROCKET, **overrides})
    assert any(expected in message for message in messages), messages


def test_every_problem_of_an_input_is_reported_at_once(rest):
    bad = {"nameSingular": "Bad Name", "namePlural": "x" * 70, "labelSingular": 3}
    messages = refused(rest, "POST", "/rest/metadata/objects", bad)
    assert len(messages) >= 4, messages


def test_a_body_that_is_not_an_object_is_refused(rest):
    status, body = rest.post("/rest/metadata/objects", [ROCKET])
    assert status == 400 and body["code"] == "METADATA_VALIDATION_FAILED"


def test_a_plural_name_in_use_is_refused_and_nothing_is_written(rest):
    create_object(rest)
    messages = refused(rest, "POST", "/rest/metadata/objects", {**ROCKET, "nameSingular": "rkt"})
    assert any("'rockets' already exists" in m for m in messages)
    _, body = rest.get("/rest/metadata/objects")
    assert [o["nameSingular"] for o in body["data"]["objects"]].count("rocket") == 1


# -- fields -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"type": "TEXT", "name": "name", "label": "Again"}, "'name' already exists"),
        ({"type": "TEXT", "name": "Bad", "label": "Bad"}, "camelCase"),
        ({"type": "TEXT", "name": "type", "label": "Type"}, "'type' is reserved"),
        ({"type": "NOPE", "name": "what", "label": "What"}, "is not a field type"),
        ({"type": "TEXT", "name": "what"}, "label is required"),
        (
            {"type": "SELECT", "name": "state", "label": "State", "options": [
                {"value": "open", "label": "Open"}]},
            "must be in UPPER_SNAKE_CASE",
        ),
        (
            {"type": "SELECT", "name": "state", "label": "State", "options": [
                {"value": "OPEN", "label": "Open"}, {"value": "OPEN", "label": "Again"}]},
            "'OPEN' is used twice",
        ),
        ({"type": "SELECT", "name": "state", "label": "State"}, "need a non-empty list"),
        (
            {"type": "SELECT", "name": "state", "label": "State", "defaultValue": "'SHUT'",
             "options": [{"value": "OPEN", "label": "Open"}]},
            "defaultValue",
        ),
        ({"type": "NUMBER", "name": "size", "label": "Size", "defaultValue": "big"}, "defaultValue"),
        ({"type": "TEXT", "name": "size", "label": "Size", "options": [{"value": "A"}]}, "options"),
        ({"type": "RAW_JSON", "name": "blob", "label": "Blob", "isUnique": True}, "cannot be unique"),
        ({"type": "NUMBER", "name": "size", "label": "S", "settings": {"dataType": "x"}}, "dataType"),
        ({"type": "TEXT", "name": "what", "label": "W", "isSystem": True}, "isSystem"),
    ],
)  # fmt: skip
def test_field_inputs_that_break_a_rule_are_refused(rest, spec, expected):
    rocket = create_object(rest)
    messages = refused(
        rest, "POST", "/rest/metadata/fields", {"objectMetadataId": rocket["id"], **spec}
    )
    assert any(expected in message for message in messages), messages


def test_a_field_for_an_unknown_object_is_refused(rest):
    messages = refused(rest, "POST", "/rest/metadata/fields", {
        "objectMetadataId": "00000000-0000-4000-8000-000000000000",
        "type": "TEXT", "name": "x", "label": "X",
    })  # fmt: skip
    assert "is not an object of this workspace" in messages[0]


def test_a_new_field_with_a_default_fills_existing_records(rest):
    rocket = create_object(rest)
    _, body = rest.post("/rest/rockets", {"name": "Old"})
    old_id = body["data"]["createRocket"]["id"]
    create_field(rest, rocket["id"], type="NUMBER", name="stages", label="Stages", defaultValue=3)
    create_field(rest, rocket["id"], type="TEXT", name="notes", label="Notes")
    _, body = rest.get(f"/rest/rockets/{old_id}")
    assert body["data"]["rocket"]["stages"] == 3
    assert body["data"]["rocket"]["notes"] is None


def test_a_relation_field_creates_both_sides_and_works_in_filters_and_depth(rest):
    rocket = create_object(rest)
    company = object_named(rest, "company")
    field = create_field(rest, rocket["id"], type="RELATION", name="maker", label="Maker",
                         relationCreationPayload={"type": "MANY_TO_ONE",
                                                  "targetObjectMetadataId": company["id"],
                                                  "targetFieldLabel": "Rockets"})  # fmt: skip
    assert field["settings"]["joinColumnName"] == "makerId"
    assert field["relation"]["targetFieldMetadata"]["name"] == "rockets"
    inverse = field_named(object_named(rest, "company"), "rockets")
    assert inverse["relation"]["type"] == "ONE_TO_MANY"
    _, body = rest.post("/rest/companies", {"name": "Acme"})
    acme = body["data"]["createCompany"]["id"]
    rest.post("/rest/batch/rockets", [{"name": "A", "makerId": acme}, {"name": "B"}])
    _, body = rest.get(f"/rest/rockets?filter=makerId[eq]:{acme}&depth=1")
    [only] = body["data"]["rockets"]
    assert only["name"] == "A" and only["maker"]["id"] == acme
    _, body = rest.get(f"/rest/companies/{acme}?depth=1")
    assert [r["name"] for r in body["data"]["company"]["rockets"]] == ["A"]
    messages = refused(rest, "POST", "/rest/metadata/fields", {
        "objectMetadataId": rocket["id"], "type": "TEXT", "name": "makerId", "label": "Clash"
    })  # fmt: skip
    assert "already exists" in messages[0]


def test_a_one_to_many_relation_from_a_standard_object_to_a_custom_one(rest):
    rocket = create_object(rest)
    person = object_named(rest, "person")
    create_field(rest, person["id"], type="RELATION", name="flownRockets", label="Flown rockets",
                 relationCreationPayload={"type": "ONE_TO_MANY",
                                          "targetObjectMetadataId": rocket["id"],
                                          "targetFieldLabel": "Pilot", "targetFieldName": "pilot"})  # fmt: skip
    _, body = rest.post("/rest/people", {"name": {"firstName": "Yuri"}})
    yuri = body["data"]["createPerson"]["id"]
    status, body = rest.post("/rest/rockets", {"name": "Vostok", "pilotId": yuri})
    assert status == 201, body
    _, body = rest.get(f"/rest/people/{yuri}?depth=1")
    assert [r["name"] for r in body["data"]["person"]["flownRockets"]] == ["Vostok"]


def test_relation_payload_problems_are_refused(rest):
    rocket = create_object(rest)
    messages = refused(rest, "POST", "/rest/metadata/fields", {
        "objectMetadataId": rocket["id"], "type": "RELATION", "name": "maker", "label": "Maker",
        "relationCreationPayload": {"type": "MANY_TO_MANY",
                                    "targetObjectMetadataId": rocket["id"] + "x"},
    })  # fmt: skip
    assert any("MANY_TO_ONE or ONE_TO_MANY" in m for m in messages)
    assert any("is not an object of this workspace" in m for m in messages)
    messages = refused(rest, "POST", "/rest/metadata/fields", {
        "objectMetadataId": rocket["id"], "type": "RELATION", "name": "maker", "label": "Maker",
    })  # fmt: skip
    assert any("relationCreationPayload" in m for m in messages)


# -- changing ----------------------------------------------------------------------------------


def test_renaming_a_custom_object_moves_its_rest_path_on_the_next_request(rest):
    rocket = create_object(rest)
    rest.post("/rest/rockets", {"name": "Kept"})
    status, body = rest.patch(
        f"/rest/metadata/objects/{rocket['id']}",
        {"nameSingular": "launcher", "namePlural": "launchers", "labelSingular": "Launcher",
         "labelPlural": "Launchers"},
    )  # fmt: skip
    assert status == 200 and body["data"]["updateOneObject"]["namePlural"] == "launchers"
    assert rest.get("/rest/rockets")[0] == 400
    _, body = rest.get("/rest/launchers")
    assert [r["name"] for r in body["data"]["launchers"]] == ["Kept"]


def test_standard_object_names_cannot_change_but_labels_can(rest):
    company = object_named(rest, "company")
    messages = refused(rest, "PATCH", f"/rest/metadata/objects/{company['id']}",
                       {"nameSingular": "firm", "namePlural": "firms"})  # fmt: skip
    assert "cannot be changed" in messages[0]
    status, body = rest.patch(f"/rest/metadata/objects/{company['id']}", {"labelPlural": "Firms"})
    assert status == 200 and body["data"]["updateOneObject"]["labelPlural"] == "Firms"


def test_an_inactive_object_leaves_the_core_api_and_keeps_its_records(rest):
    rocket = create_object(rest)
    rest.post("/rest/rockets", {"name": "Dormant"})
    rest.patch(f"/rest/metadata/objects/{rocket['id']}", {"isActive": False})
    status, body = rest.get("/rest/rockets")
    assert status == 400 and body["code"] == "OBJECT_METADATA_NOT_FOUND"
    rest.patch(f"/rest/metadata/objects/{rocket['id']}", {"isActive": True})
    _, body = rest.get("/rest/rockets")
    assert [r["name"] for r in body["data"]["rockets"]] == ["Dormant"]


def test_a_deactivated_field_disappears_and_comes_back_with_its_values(rest):
    rocket = create_object(rest)
    field = create_field(rest, rocket["id"], type="TEXT", name="color", label="Color")
    _, body = rest.post("/rest/rockets", {"name": "Red one", "color": "red"})
    rid = body["data"]["createRocket"]["id"]
    status, body = rest.patch(f"/rest/metadata/fields/{field['id']}", {"isActive": False})
    assert status == 200 and body["data"]["updateOneField"]["isActive"] is False
    _, body = rest.get(f"/rest/rockets/{rid}")
    assert "color" not in body["data"]["rocket"]
    status, body = rest.post("/rest/rockets", {"name": "x", "color": "blue"})
    assert status == 400
    rest.patch(f"/rest/metadata/fields/{field['id']}", {"isActive": True})
    _, body = rest.get(f"/rest/rockets/{rid}")
    assert body["data"]["rocket"]["color"] == "red"


def test_removing_select_options_clears_them_from_records(rest):
    """Chosen behaviour: a SELECT value whose option is removed becomes null; a MULTI_SELECT
    loses just that value; the other records are untouched."""
    rocket = create_object(rest)
    options = [{"value": v, "label": v.title(), "position": i} for i, v in enumerate(["A", "B"])]
    status_field = create_field(rest, rocket["id"], type="SELECT", name="grade", label="Grade",
                                options=options)  # fmt: skip
    tags = create_field(rest, rocket["id"], type="MULTI_SELECT", name="kinds", label="Kinds",
                        options=options)  # fmt: skip
    _, body = rest.post("/rest/batch/rockets", [
        {"name": "a", "grade": "A", "kinds": ["A", "B"]},
        {"name": "b", "grade": "B", "kinds": ["B"]},
    ])  # fmt: skip
    a_id, b_id = (r["id"] for r in body["data"]["createRockets"])
    for field in (status_field, tags):
        status, body = rest.patch(f"/rest/metadata/fields/{field['id']}", {"options": options[:1]})
        assert status == 200, body
    _, body = rest.get(f"/rest/rockets/{a_id}")
    assert (body["data"]["rocket"]["grade"], body["data"]["rocket"]["kinds"]) == ("A", ["A"])
    _, body = rest.get(f"/rest/rockets/{b_id}")
    assert (body["data"]["rocket"]["grade"], body["data"]["rocket"]["kinds"]) == (None, [])
    _, body = rest.get("/rest/rockets?filter=grade[is]:NULL")
    assert [r["name"] for r in body["data"]["rockets"]] == ["b"]


def test_making_a_field_unique_is_refused_while_records_share_a_value(rest):
    rocket = create_object(rest)
    field = create_field(rest, rocket["id"], type="TEXT", name="serial", label="Serial")
    rest.post("/rest/batch/rockets", [{"serial": "S1"}, {"serial": "S1"}, {"serial": "S2"}])
    messages = refused(rest, "PATCH", f"/rest/metadata/fields/{field['id']}", {"isUnique": True})
    assert "share values" in messages[0] and "'S1' (2 records)" in messages[0]
    _, body = rest.get("/rest/rockets?filter=serial[eq]:S1")
    rest.delete(f"/rest/rockets/{body['data']['rockets'][0]['id']}")
    status, body = rest.patch(f"/rest/metadata/fields/{field['id']}", {"isUnique": True})
    assert status == 200 and body["data"]["updateOneField"]["isUnique"] is True
    status, body = rest.post("/rest/rockets", {"serial": "S2"})
    assert status == 409, body
    status, body = rest.post("/rest/rockets?upsert=true", {"serial": "S2", "name": "Upserted"})
    assert status == 201
    _, body = rest.get("/rest/rockets?filter=serial[eq]:S2")
    assert [r["name"] for r in body["data"]["rockets"]] == ["Upserted"]


def test_an_indexed_field_is_backfilled_and_marked_ready(rest):
    from chalicelib.metadata.registry import load_model

    rocket = create_object(rest)
    field = create_field(rest, rocket["id"], type="NUMBER", name="mass", label="Mass")
    rest.post("/rest/batch/rockets", [{"mass": n} for n in (5, 3, 9)])
    status, _ = rest.patch(
        f"/rest/metadata/fields/{field['id']}", {"settings": {"isIndexed": True}}
    )
    assert status == 200
    spec = next(s for s in load_model(rest.tenant.workspace_id).by_plural["rockets"].indexes
                if s.path == "mass")  # fmt: skip
    assert spec.ready
    _, body = rest.get("/rest/rockets?order_by=mass[DescNullsLast]")
    assert [r["mass"] for r in body["data"]["rockets"]] == [9, 5, 3]


# -- deleting ----------------------------------------------------------------------------------


def test_standard_and_active_fields_and_objects_cannot_be_deleted(rest):
    company = object_named(rest, "company")
    messages = refused(rest, "DELETE", f"/rest/metadata/objects/{company['id']}")
    assert messages == ["Standard objects cannot be deleted"]
    messages = refused(
        rest, "DELETE", f"/rest/metadata/fields/{field_named(company, 'name')['id']}"
    )
    assert messages == ["Standard fields cannot be deleted"]
    rocket = create_object(rest)
    field = create_field(rest, rocket["id"], type="TEXT", name="color", label="Color")
    messages = refused(rest, "DELETE", f"/rest/metadata/fields/{field['id']}")
    assert messages[0].startswith("Active fields cannot be deleted")


def test_a_deleted_field_is_gone_for_good_even_if_its_name_is_reused(rest):
    rocket = create_object(rest)
    field = create_field(rest, rocket["id"], type="TEXT", name="color", label="Color")
    _, body = rest.post("/rest/rockets", {"name": "r", "color": "red"})
    rid = body["data"]["createRocket"]["id"]
    rest.patch(f"/rest/metadata/fields/{field['id']}", {"isActive": False})
    status, body = rest.delete(f"/rest/metadata/fields/{field['id']}")
    assert status == 200 and body == {"data": {"deleteOneField": {"id": field["id"]}}}
    assert rest.get(f"/rest/metadata/fields/{field['id']}")[0] == 404
    create_field(rest, rocket["id"], type="TEXT", name="color", label="Color again")
    _, body = rest.get(f"/rest/rockets/{rid}")
    assert body["data"]["rocket"]["color"] is None


def test_deleting_a_relation_field_removes_both_sides(rest):
    rocket = create_object(rest)
    company = object_named(rest, "company")
    field = create_field(rest, rocket["id"], type="RELATION", name="maker", label="Maker",
                         relationCreationPayload={"type": "MANY_TO_ONE",
                                                  "targetObjectMetadataId": company["id"],
                                                  "targetFieldLabel": "Rockets"})  # fmt: skip
    rest.patch(f"/rest/metadata/fields/{field['id']}", {"isActive": False})
    assert rest.delete(f"/rest/metadata/fields/{field['id']}")[0] == 200
    assert "rockets" not in {f["name"] for f in object_named(rest, "company")["fields"]}
    status, body = rest.post("/rest/rockets", {"makerId": "00000000-0000-4000-8000-000000000000"})
    assert status == 400


def test_deleting_a_custom_object_frees_its_name_and_removes_its_records_and_relations(rest):
    rocket = create_object(rest)
    company = object_named(rest, "company")
    create_field(rest, rocket["id"], type="RELATION", name="maker", label="Maker",
                 relationCreationPayload={"type": "MANY_TO_ONE",
                                          "targetObjectMetadataId": company["id"],
                                          "targetFieldLabel": "Rockets"})  # fmt: skip
    rest.post("/rest/batch/rockets", [{"name": f"r{n}"} for n in range(5)])
    rest.patch(f"/rest/metadata/objects/{rocket['id']}", {"isActive": False})
    assert rest.delete(f"/rest/metadata/objects/{rocket['id']}")[0] == 200
    assert rest.get(f"/rest/metadata/objects/{rocket['id']}")[0] == 404
    assert "rockets" not in {f["name"] for f in object_named(rest, "company")["fields"]}
    again = create_object(rest)
    assert again["id"] != rocket["id"]
    _, body = rest.get("/rest/rockets")
    assert body["data"]["rockets"] == [] and body["totalCount"] == 0


# -- isolation ---------------------------------------------------------------------------------


def test_one_workspace_never_sees_another_ones_objects_and_names_are_per_workspace(client, rest):
    rocket = create_object(rest)
    other = RestClient(client.http, make_tenant("Other"))
    _, body = other.get("/rest/metadata/objects")
    assert "rocket" not in {o["nameSingular"] for o in body["data"]["objects"]}
    assert other.get(f"/rest/metadata/objects/{rocket['id']}")[0] == 404
    assert other.patch(f"/rest/metadata/objects/{rocket['id']}", {"labelSingular": "X"})[0] == 404
    assert other.get(f"/rest/metadata/fields/{rocket['fields'][0]['id']}")[0] == 404
    theirs = create_object(other)
    assert theirs["id"] != rocket["id"]
    company = object_named(rest, "company")
    messages = refused(other, "POST", "/rest/metadata/fields", {
        "objectMetadataId": company["id"], "type": "TEXT", "name": "x", "label": "X",
    })  # fmt: skip
    assert "is not an object of this workspace" in messages[0]


def test_metadata_routes_require_an_api_key(rest):
    status, body = rest.get("/rest/metadata/objects", headers={})
    assert status == 401 and body["code"] == "UNAUTHENTICATED"


def test_renaming_a_custom_field_moves_its_values_and_frees_the_old_name(rest):
    rocket = create_object(rest)
    field = create_field(rest, rocket["id"], type="TEXT", name="color", label="Color",
                         settings={"isIndexed": True})  # fmt: skip
    _, body = rest.post("/rest/batch/rockets", [{"color": "red"}, {"color": "blue"}])
    red_id = body["data"]["createRockets"][0]["id"]
    status, body = rest.patch(f"/rest/metadata/fields/{field['id']}", {"name": "paint"})
    assert status == 200 and body["data"]["updateOneField"]["name"] == "paint"
    _, body = rest.get(f"/rest/rockets/{red_id}")
    assert body["data"]["rocket"]["paint"] == "red" and "color" not in body["data"]["rocket"]
    _, body = rest.get("/rest/rockets?filter=paint[eq]:blue&order_by=paint")
    assert [r["paint"] for r in body["data"]["rockets"]] == ["blue"]
    create_field(rest, rocket["id"], type="TEXT", name="color", label="Color again")
    _, body = rest.get(f"/rest/rockets/{red_id}")
    assert body["data"]["rocket"]["color"] is None
    unique = create_field(rest, rocket["id"], type="TEXT", name="serial", label="S", isUnique=True)
    messages = refused(rest, "PATCH", f"/rest/metadata/fields/{unique['id']}", {"name": "sn"})
    assert "cannot be renamed" in messages[0]
