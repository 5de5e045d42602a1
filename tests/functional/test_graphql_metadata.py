"""GraphQL Metadata API (POST /metadata) through the Chalice app: queries, mutations, errors."""

from __future__ import annotations

import json

import pytest

from tests.functional.graphql_support import MetadataClient
from tests.support import make_tenant

STANDARD = [
    "company",
    "note",
    "noteTarget",
    "opportunity",
    "person",
    "task",
    "taskTarget",
    "workspaceMember",
]

ZAPIER_QUERY = """
query {
  objects(paging:{first:1000}, filter:{isActive:{is:true}}) { edges { node { nameSingular
    namePlural fields(paging:{first:1000}, filter:{isActive:{is:true}}) { edges { node { type name
    label description isNullable defaultValue } } } } } }
}
"""

CREATE_OBJECT = """
mutation($object: CreateObjectInput!) {
  createOneObject(input: {object: $object}) {
    id nameSingular namePlural labelSingular isCustom isActive labelIdentifierFieldMetadataId
    fieldsList { id name type isSystem }
  }
}
"""

CREATE_FIELD = """
mutation($field: CreateFieldInput!) {
  createOneField(input: {field: $field}) {
    id name type isCustom isNullable defaultValue options settings
    object { nameSingular }
    relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { name type } }
  }
}
"""

UPDATE_OBJECT = """
mutation($id: UUID!, $update: UpdateObjectPayload!) {
  updateOneObject(input: {id: $id, update: $update}) { id labelPlural description isActive }
}
"""

UPDATE_FIELD = """
mutation($id: UUID!, $update: UpdateFieldInput!) {
  updateOneField(input: {id: $id, update: $update}) { id label isActive }
}
"""


@pytest.fixture
def gql(client, tenant):
    return MetadataClient(client.http, tenant)


@pytest.fixture
def other(client, aws):
    return MetadataClient(client.http, make_tenant("Other"))


def names(connection):
    return [edge["node"]["nameSingular"] for edge in connection["edges"]]


def object_id(gql, singular):
    found = gql.data("{ objects(paging: {first: 1000}) { edges { node { id nameSingular } } } }")
    return next(
        e["node"]["id"] for e in found["objects"]["edges"] if e["node"]["nameSingular"] == singular
    )


def create_rocket(gql, **extra):
    rocket = {
        "nameSingular": "rocket",
        "namePlural": "rockets",
        "labelSingular": "Rocket",
        "labelPlural": "Rockets",
    }
    return gql.data(CREATE_OBJECT, {"object": {**rocket, **extra}})["createOneObject"]


def create_field(gql, owner_id, **field):
    return gql.data(CREATE_FIELD, {"field": {"objectMetadataId": owner_id, **field}})[
        "createOneField"
    ]


def validation_messages(gql, query, variables):
    error = gql.error(query, variables)
    assert error["extensions"]["code"] == "METADATA_VALIDATION_FAILED", error
    messages = error["extensions"]["messages"]
    assert error["message"] == "; ".join(messages)
    return messages


# -- queries -------------------------------------------------------------------------------------


def test_the_zapier_query_works_as_is(gql):
    edges = gql.data(ZAPIER_QUERY)["objects"]["edges"]
    assert names({"edges": edges}) == STANDARD
    company = next(e["node"] for e in edges if e["node"]["nameSingular"] == "company")
    assert company["namePlural"] == "companies"
    fields = {e["node"]["name"]: e["node"] for e in company["fields"]["edges"]}
    assert fields["name"] == {
        "type": "TEXT",
        "name": "name",
        "label": "Name",
        "description": fields["name"]["description"],
        "isNullable": True,
        "defaultValue": "''",
    }
    assert fields["domainName"]["type"] == "LINKS"
    assert fields["people"]["type"] == "RELATION"
    assert {"id", "createdAt", "createdBy"} <= set(fields)


def test_objects_lists_ten_by_default_with_total_count_and_page_info(gql):
    found = gql.data(
        "{ objects { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
        " edges { cursor node { nameSingular isCustom isActive isSystem } } } }"
    )["objects"]
    assert found["totalCount"] == len(STANDARD)
    assert names(found) == STANDARD
    page = found["pageInfo"]
    assert (page["hasNextPage"], page["hasPreviousPage"]) == (False, False)
    assert page["startCursor"] == found["edges"][0]["cursor"]
    assert page["endCursor"] == found["edges"][-1]["cursor"]
    assert all(not e["node"]["isCustom"] and e["node"]["isActive"] for e in found["edges"])


PAGE = """
query($paging: CursorPaging!) {
  objects(paging: $paging) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { nameSingular } }
  }
}
"""


def test_objects_page_forward_with_first_and_after(gql):
    seen, after, pages = [], None, []
    while True:
        page = gql.data(PAGE, {"paging": {"first": 3, "after": after}})["objects"]
        seen += names(page)
        pages.append(page["pageInfo"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == STANDARD
    assert [p["hasPreviousPage"] for p in pages] == [False, True, True]
    assert page["totalCount"] == len(STANDARD)


def test_objects_page_backward_with_last_and_before(gql):
    last_two = gql.data(PAGE, {"paging": {"last": 2}})["objects"]
    assert names(last_two) == STANDARD[-2:]
    assert last_two["pageInfo"]["hasPreviousPage"] is True
    before = last_two["pageInfo"]["startCursor"]
    previous = gql.data(PAGE, {"paging": {"last": 3, "before": before}})["objects"]
    assert names(previous) == STANDARD[-5:-2]
    assert previous["pageInfo"]["hasNextPage"] is True
    assert previous["pageInfo"]["hasPreviousPage"] is True


def test_bad_paging_is_bad_user_input(gql):
    for paging in ({"first": 1001}, {"last": 1001}, {"first": -1}, {"after": "not-a-cursor"}):
        error = gql.error(PAGE, {"paging": paging})
        assert error["extensions"]["code"] == "BAD_USER_INPUT", paging
        assert error["path"] == ["objects"]
    assert "between 0 and 1000" in gql.error(PAGE, {"paging": {"first": 1001}})["message"]


def test_a_cursor_of_the_object_list_is_refused_by_the_field_list(gql):
    cursor = gql.data("{ objects(paging: {first: 1}) { edges { cursor } } }")["objects"]["edges"]
    error = gql.error(
        "query($c: ConnectionCursor) { fields(paging: {after: $c}) { totalCount } }",
        {"c": cursor[0]["cursor"]},
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_filters_combine_keys_and_or_and_id_comparisons(gql):
    create_rocket(gql)
    company, person = object_id(gql, "company"), object_id(gql, "person")

    def filtered(condition):
        query = "query($f: ObjectFilter!) { objects(filter: $f, paging: {first: 100}) { totalCount edges { node { nameSingular } } } }"
        return names(gql.data(query, {"f": condition})["objects"])

    assert filtered({"isCustom": {"is": True}}) == ["rocket"]
    assert filtered({"isCustom": {"isNot": True}, "isSystem": {"is": False}}) == [
        n for n in STANDARD if n != "workspaceMember"
    ]
    assert filtered({"id": {"eq": company.upper()}}) == ["company"]
    assert filtered({"id": {"in": [company, person]}}) == ["company", "person"]
    assert len(filtered({"id": {"notIn": [company]}})) == len(STANDARD)
    assert filtered({"or": [{"id": {"eq": person}}, {"isCustom": {"is": True}}]}) == [
        "person",
        "rocket",
    ]
    assert filtered({"and": [{"id": {"neq": person}}, {"isCustom": {"is": True}}]}) == ["rocket"]
    assert filtered({"id": {"is": None}}) == []


def test_object_by_id_answers_exactly_the_selected_fields(gql):
    company = object_id(gql, "company")
    found = gql.data(
        "query($id: UUID!) { object(id: $id) { nameSingular labelPlural fieldsList { name } } }",
        {"id": company},
    )["object"]
    assert set(found) == {"nameSingular", "labelPlural", "fieldsList"}
    assert found["nameSingular"] == "company" and found["labelPlural"] == "Companies"
    assert all(set(field) == {"name"} for field in found["fieldsList"])
    assert "annualRecurringRevenue" in [field["name"] for field in found["fieldsList"]]


def test_nested_fields_connection_pages_and_filters(gql):
    company = object_id(gql, "company")
    query = """
    query($id: UUID!, $after: ConnectionCursor) {
      object(id: $id) {
        fields(paging: {first: 2, after: $after}, filter: {isSystem: {is: false}}) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { name isSystem } }
        }
      }
    }
    """
    first = gql.data(query, {"id": company})["object"]["fields"]
    assert len(first["edges"]) == 2 and first["pageInfo"]["hasNextPage"] is True
    second = gql.data(query, {"id": company, "after": first["pageInfo"]["endCursor"]})
    second = second["object"]["fields"]
    assert second["totalCount"] == first["totalCount"]
    shown = [e["node"]["name"] for e in first["edges"] + second["edges"]]
    assert len(set(shown)) == 4
    assert not any(e["node"]["isSystem"] for e in first["edges"] + second["edges"])


def test_fields_and_field_by_id_show_both_sides_of_a_relation(gql):
    listed = gql.data(
        "{ fields(paging: {first: 1000}) { totalCount edges { node { id name object { nameSingular } } } } }"
    )["fields"]
    assert listed["totalCount"] == len(listed["edges"]) > 100
    person_company = next(
        e["node"]["id"]
        for e in listed["edges"]
        if e["node"]["name"] == "company" and e["node"]["object"]["nameSingular"] == "person"
    )
    found = gql.data(
        """query($id: UUID!) { field(id: $id) { name type settings relation { type
             sourceObjectMetadata { nameSingular } targetObjectMetadata { nameSingular namePlural }
             sourceFieldMetadata { name } targetFieldMetadata { name relation { type } } } } }""",
        {"id": person_company},
    )["field"]
    assert found["type"] == "RELATION"
    assert found["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {"nameSingular": "person"},
        "targetObjectMetadata": {"nameSingular": "company", "namePlural": "companies"},
        "sourceFieldMetadata": {"name": "company"},
        "targetFieldMetadata": {"name": "people", "relation": {"type": "ONE_TO_MANY"}},
    }


def test_several_metadata_queries_in_one_request(gql):
    company = object_id(gql, "company")
    data = gql.data(
        """query($id: UUID!) {
             objects(filter: {isCustom: {is: false}}) { totalCount }
             fields(paging: {first: 1}) { totalCount edges { node { name } } }
             one: object(id: $id) { nameSingular }
           }""",
        {"id": company},
    )
    assert data["objects"]["totalCount"] == len(STANDARD)
    assert data["fields"]["totalCount"] > 100 and len(data["fields"]["edges"]) == 1
    assert data["one"] == {"nameSingular": "company"}


def test_unknown_ids_are_not_found_and_malformed_ids_bad_input(gql):
    missing = "00000000-0000-4000-8000-000000000000"
    for query in (
        "query($id: UUID!) { object(id: $id) { id } }",
        "query($id: UUID!) { field(id: $id) { id } }",
    ):
        error = gql.error(query, {"id": missing})
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert missing in error["message"]
    error = gql.error('{ object(id: "nope") { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# -- mutations -----------------------------------------------------------------------------------


def test_a_custom_object_with_fields_and_a_relation_to_company_is_usable_through_rest_at_once(
    gql, rest
):
    rocket = create_rocket(gql, description="Things that fly")
    assert rocket["isCustom"] is True and rocket["isActive"] is True
    names_and_types = {f["name"]: f["type"] for f in rocket["fieldsList"]}
    assert names_and_types["name"] == "TEXT"
    assert {"id", "createdAt", "updatedAt", "deletedAt", "createdBy", "position"} <= set(
        names_and_types
    )
    name_field = next(f["id"] for f in rocket["fieldsList"] if f["name"] == "name")
    assert rocket["labelIdentifierFieldMetadataId"] == name_field

    thrust = create_field(
        gql,
        rocket["id"],
        type="NUMBER",
        name="thrust",
        label="Thrust",
        settings={"dataType": "int"},
        isNullable=False,
        defaultValue=0,
    )
    assert thrust["isCustom"] is True and thrust["defaultValue"] == 0
    assert thrust["object"] == {"nameSingular": "rocket"}
    reusable = create_field(
        gql, rocket["id"], type="BOOLEAN", name="reusable", label="Reusable", defaultValue=False
    )
    assert reusable["type"] == "BOOLEAN"
    status = create_field(
        gql,
        rocket["id"],
        type="SELECT",
        name="status",
        label="Status",
        defaultValue="'PLANNED'",
        options=[
            {"value": "PLANNED", "label": "Planned", "position": 0, "color": "gray"},
            {"value": "FLOWN", "label": "Flown", "position": 1, "color": "green"},
        ],
    )
    assert [o["value"] for o in status["options"]] == ["PLANNED", "FLOWN"]
    assert all(o["id"] for o in status["options"])
    create_field(gql, rocket["id"], type="DATE_TIME", name="launchedAt", label="Launched at")
    builder = create_field(
        gql,
        rocket["id"],
        type="RELATION",
        name="builder",
        label="Builder",
        relationCreationPayload={
            "type": "MANY_TO_ONE",
            "targetObjectMetadataId": object_id(gql, "company"),
            "targetFieldLabel": "Rockets",
            "targetFieldIcon": "IconRocket",
        },
    )
    assert builder["relation"] == {
        "type": "MANY_TO_ONE",
        "targetObjectMetadata": {"nameSingular": "company"},
        "targetFieldMetadata": {"name": "rockets", "type": "RELATION"},
    }

    _, body = rest.post("/rest/companies", {"name": "SpaceCo"})
    company = body["data"]["createCompany"]["id"]
    status_code, body = rest.post(
        "/rest/rockets",
        {
            "name": "Falcon",
            "thrust": 7600,
            "launchedAt": "2024-01-31T09:30:00.000Z",
            "builderId": company,
        },
    )
    assert status_code == 201, body
    created = body["data"]["createRocket"]
    assert (created["thrust"], created["reusable"], created["status"]) == (7600, False, "PLANNED")
    assert created["launchedAt"] == "2024-01-31T09:30:00.000Z"
    _, body = rest.get(f"/rest/rockets?filter=builderId[eq]:{company}&depth=1")
    [listed] = body["data"]["rockets"]
    assert listed["builder"]["name"] == "SpaceCo"
    _, body = rest.get(f"/rest/companies/{company}?depth=1")
    assert [r["name"] for r in body["data"]["company"]["rockets"]] == ["Falcon"]


def test_update_one_object_and_update_one_field(gql):
    rocket = create_rocket(gql)
    updated = gql.data(
        UPDATE_OBJECT,
        {"id": rocket["id"], "update": {"labelPlural": "Spaceships", "description": "Up"}},
    )["updateOneObject"]
    assert updated == {
        "id": rocket["id"],
        "labelPlural": "Spaceships",
        "description": "Up",
        "isActive": True,
    }
    name_field = next(f["id"] for f in rocket["fieldsList"] if f["name"] == "name")
    field = gql.data(UPDATE_FIELD, {"id": name_field, "update": {"label": "Title"}})[
        "updateOneField"
    ]
    assert field == {"id": name_field, "label": "Title", "isActive": True}
    again = gql.data("query($id: UUID!) { field(id: $id) { label } }", {"id": name_field})
    assert again["field"]["label"] == "Title"


def test_invalid_object_names_fail_metadata_validation(gql):
    cases = [
        (("Bad Name", "badNames"), "nameSingular"),
        (("event", "eventItems"), "'event'"),
        (("rocket", "rocket"), "must differ"),
        (("company", "companyItems"), "already exists"),
    ]
    for (singular, plural), expected in cases:
        messages = validation_messages(
            gql,
            CREATE_OBJECT,
            {
                "object": {
                    "nameSingular": singular,
                    "namePlural": plural,
                    "labelSingular": "A",
                    "labelPlural": "Bs",
                }
            },
        )
        assert any(expected in message for message in messages), messages


def test_every_problem_of_an_input_is_listed(gql):
    messages = validation_messages(
        gql,
        CREATE_OBJECT,
        {
            "object": {
                "nameSingular": "Bad Name",
                "namePlural": "2bad",
                "labelSingular": "Same",
                "labelPlural": "same",
            }
        },
    )
    assert len(messages) >= 3
    assert any("labelSingular and labelPlural must differ" in m for m in messages)


def test_invalid_fields_fail_metadata_validation(gql):
    rocket = create_rocket(gql)
    text = {"objectMetadataId": rocket["id"], "type": "TEXT", "label": "Name"}
    assert any(
        "already exists" in m
        for m in validation_messages(gql, CREATE_FIELD, {"field": {**text, "name": "name"}})
    )
    select = {
        "objectMetadataId": rocket["id"],
        "type": "SELECT",
        "name": "stage",
        "label": "Stage",
        "options": [{"value": "in orbit", "label": "In orbit", "position": 0}],
    }
    messages = validation_messages(gql, CREATE_FIELD, {"field": select})
    assert any("UPPER_SNAKE_CASE" in m for m in messages), messages
    number = {**text, "type": "NUMBER", "name": "thrust", "defaultValue": "lots"}
    messages = validation_messages(gql, CREATE_FIELD, {"field": number})
    assert any("defaultValue" in m for m in messages), messages


def test_deletion_rules_for_objects(gql, rest):
    error = gql.error(
        "mutation($id: UUID!) { deleteOneObject(input: {id: $id}) { id } }",
        {"id": object_id(gql, "company")},
    )
    assert error["extensions"]["code"] == "METADATA_VALIDATION_FAILED"
    assert "Standard objects cannot be deleted" in error["message"]

    rocket = create_rocket(gql)
    assert rest.post("/rest/rockets", {"name": "Falcon"})[0] == 201
    delete = (
        "mutation($id: UUID!) { deleteOneObject(input: {id: $id}) { id nameSingular isActive } }"
    )
    error = gql.error(delete, {"id": rocket["id"]})
    assert "Active objects cannot be deleted" in error["message"]
    gql.data(UPDATE_OBJECT, {"id": rocket["id"], "update": {"isActive": False}})
    assert rest.get("/rest/rockets")[0] == 400
    deleted = gql.data(delete, {"id": rocket["id"]})["deleteOneObject"]
    assert deleted == {"id": rocket["id"], "nameSingular": "rocket", "isActive": False}
    assert rest.get("/rest/rockets")[0] == 400
    assert names(gql.data(PAGE, {"paging": {"first": 100}})["objects"]) == STANDARD
    # The names are free again.
    assert create_rocket(gql)["nameSingular"] == "rocket"


def test_deletion_rules_for_fields(gql, rest):
    rocket = create_rocket(gql)
    thrust = create_field(gql, rocket["id"], type="NUMBER", name="thrust", label="Thrust")
    delete = "mutation($id: UUID!) { deleteOneField(input: {id: $id}) { id name isActive object { nameSingular } } }"
    error = gql.error(delete, {"id": thrust["id"]})
    assert "Active fields cannot be deleted" in error["message"]
    # Mutations run in order, each on the model the previous one left.
    both = gql.data(
        """mutation($id: UUID!) {
             off: updateOneField(input: {id: $id, update: {isActive: false}}) { isActive }
             gone: deleteOneField(input: {id: $id}) { id name isActive object { nameSingular } }
           }""",
        {"id": thrust["id"]},
    )
    assert both["off"] == {"isActive": False}
    assert both["gone"] == {
        "id": thrust["id"],
        "name": "thrust",
        "isActive": False,
        "object": {"nameSingular": "rocket"},
    }
    error = gql.error("query($id: UUID!) { field(id: $id) { id } }", {"id": thrust["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"
    status, body = rest.post("/rest/rockets", {"name": "Falcon", "thrust": 1})
    assert status == 400, body
    standard = gql.data(
        "{ fields(filter: {isCustom: {is: false}}, paging: {first: 1}) { edges { node { id } } } }"
    )
    error = gql.error(delete, {"id": standard["fields"]["edges"][0]["node"]["id"]})
    assert error["extensions"]["code"] == "METADATA_VALIDATION_FAILED"


def test_a_workspace_never_sees_another_workspaces_objects(gql, other):
    mine = create_rocket(gql)
    theirs = create_rocket(other)
    assert theirs["id"] != mine["id"]
    custom = "{ objects(filter: {isCustom: {is: true}}) { edges { node { id } } } }"
    assert [e["node"]["id"] for e in other.data(custom)["objects"]["edges"]] == [theirs["id"]]
    error = other.error("query($id: UUID!) { object(id: $id) { id } }", {"id": mine["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = other.error(UPDATE_OBJECT, {"id": mine["id"], "update": {"labelPlural": "Mine"}})
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = other.error(
        CREATE_FIELD,
        {"field": {"objectMetadataId": mine["id"], "type": "TEXT", "name": "x", "label": "X"}},
    )
    assert error["extensions"]["code"] == "METADATA_VALIDATION_FAILED"
    assert gql.data(custom)["objects"]["edges"] == [{"node": {"id": mine["id"]}}]


# -- transport errors ----------------------------------------------------------------------------


def test_request_errors_have_twentys_codes_and_no_traceback(gql):
    status, body = gql("{ objects { edges { node { nameSingular } } }")
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    status, body = gql("{ objects { edges { node { nope } } } }")
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    status, body = gql("{ objects { totalCount } }", headers={"Content-Type": "application/json"})
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    status, body = gql(
        "{ objects { totalCount } }",
        headers={"Authorization": "Bearer nope", "Content-Type": "application/json"},
    )
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Traceback" not in json.dumps(body)


def test_introspection_describes_the_metadata_schema(gql):
    found = gql.data('{ __type(name: "Object") { fields { name } } }')["__type"]["fields"]
    assert {"fields", "fieldsList", "nameSingular"} <= {f["name"] for f in found}
