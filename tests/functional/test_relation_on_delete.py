"""Destroying a record applies each relation's onDelete to the records pointing at it."""

from __future__ import annotations

from typing import Any

from tests.support import RestClient


def _object_id(rest: RestClient, name: str) -> str:
    _, body = rest.get("/rest/metadata/objects")
    return next(o["id"] for o in body["data"]["objects"] if o["nameSingular"] == name)


def _rockets_made_by_companies(rest: RestClient, on_delete: str) -> None:
    status, body = rest.post("/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    })  # fmt: skip
    assert status == 201, body
    status, body = rest.post("/rest/metadata/fields", {
        "objectMetadataId": body["data"]["createOneObject"]["id"], "type": "RELATION",
        "name": "maker", "label": "Maker", "settings": {"onDelete": on_delete},
        "relationCreationPayload": {"type": "MANY_TO_ONE",
                                    "targetObjectMetadataId": _object_id(rest, "company"),
                                    "targetFieldLabel": "Rockets"},
    })  # fmt: skip
    assert status == 201, body
    assert body["data"]["createOneField"]["settings"]["onDelete"] == on_delete


def _company_with(rest: RestClient, plural: str, records: list[dict[str, Any]]) -> str:
    _, body = rest.post("/rest/companies", {"name": "Acme"})
    company_id = body["data"]["createCompany"]["id"]
    column = "makerId" if plural == "rockets" else "companyId"
    status, body = rest.post(f"/rest/batch/{plural}", [{**r, column: company_id} for r in records])
    assert status == 201, body
    return company_id


def test_destroying_a_company_sets_its_people_company_to_null(rest):
    company_id = _company_with(rest, "people", [{"city": "Paris"}, {"city": "Rome"}])
    assert rest.delete(f"/rest/companies/{company_id}")[0] == 200
    _, body = rest.get("/rest/people")
    assert [p["companyId"] for p in body["data"]["people"]] == [None, None]
    _, body = rest.get(f"/rest/people?filter=companyId[eq]:{company_id}")
    assert body["data"]["people"] == []


def test_a_cascade_relation_destroys_the_referring_records_too(rest):
    _rockets_made_by_companies(rest, "CASCADE")
    company_id = _company_with(rest, "rockets", [{"name": "a"}, {"name": "b"}])
    _, other = rest.post("/rest/rockets", {"name": "independent"})
    assert rest.delete(f"/rest/companies/{company_id}")[0] == 200
    _, body = rest.get("/rest/rockets")
    assert [r["name"] for r in body["data"]["rockets"]] == ["independent"]
    assert body["totalCount"] == 1


def test_a_restrict_relation_refuses_the_destroy_and_changes_nothing(rest):
    _rockets_made_by_companies(rest, "RESTRICT")
    company_id = _company_with(rest, "rockets", [{"name": "a"}])
    status, body = rest.delete(f"/rest/companies/{company_id}")
    assert status == 409 and body["code"] == "RELATION_RESTRICTED", body
    assert "onDelete RESTRICT" in body["messages"][0]
    assert rest.get(f"/rest/companies/{company_id}")[0] == 200
    _, body = rest.get(f"/rest/rockets?filter=makerId[eq]:{company_id}")
    assert len(body["data"]["rockets"]) == 1


def test_soft_deleting_a_target_leaves_the_referring_records_alone(rest):
    company_id = _company_with(rest, "people", [{"city": "Paris"}])
    assert rest.delete(f"/rest/companies/{company_id}?soft_delete=true")[0] == 200
    _, body = rest.get("/rest/people")
    assert body["data"]["people"][0]["companyId"] == company_id


def test_the_on_delete_of_a_relation_can_be_changed_through_the_metadata_api(rest):
    _rockets_made_by_companies(rest, "RESTRICT")
    _, body = rest.get("/rest/metadata/objects")
    rocket = next(o for o in body["data"]["objects"] if o["nameSingular"] == "rocket")
    maker = next(f for f in rocket["fields"] if f["name"] == "maker")
    status, body = rest.patch(f"/rest/metadata/fields/{maker['id']}",
                              {"settings": {"onDelete": "SET_NULL"}})  # fmt: skip
    assert status == 200 and body["data"]["updateOneField"]["settings"]["onDelete"] == "SET_NULL"
    company_id = _company_with(rest, "rockets", [{"name": "a"}])
    assert rest.delete(f"/rest/companies/{company_id}")[0] == 200
    _, body = rest.get("/rest/rockets")
    assert body["data"]["rockets"][0]["makerId"] is None


def test_graphql_destroy_many_applies_on_delete_and_restrict_refuses_the_whole_batch(client, rest):
    from tests.functional.graphql_support import GraphQLClient

    gql = GraphQLClient(client.http, rest.tenant)
    _rockets_made_by_companies(rest, "RESTRICT")
    kept = _company_with(rest, "rockets", [{"name": "a"}])
    freed = _company_with(rest, "people", [{"city": "Oslo"}])
    error = gql.error(
        f'mutation {{ destroyCompanies(filter: {{id: {{in: ["{kept}", "{freed}"]}}}}) {{ id }} }}'
    )
    assert error["extensions"]["code"] == "CONFLICT"
    assert rest.get(f"/rest/companies/{freed}")[0] == 200  # nothing of the batch happened
    data = gql.data(f'mutation {{ destroyCompanies(filter: {{id: {{eq: "{freed}"}}}}) {{ id }} }}')
    assert data["destroyCompanies"] == [{"id": freed}]
    _, body = rest.get("/rest/people")
    assert [p["companyId"] for p in body["data"]["people"]] == [None]
