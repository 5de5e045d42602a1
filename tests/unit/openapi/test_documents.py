"""The documents built from a model, without storage: names, required fields, relations,
envelopes, the webhooks section, and validity as OpenAPI 3.1."""

from __future__ import annotations

import pytest
from jsonschema_path import SchemaPath
from openapi_spec_validator import OpenAPIV31SpecValidator

from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.openapi.documents import base_document, core_document, metadata_document

BASE = "https://crm.example.test/api"


@pytest.fixture(scope="module")
def model() -> WorkspaceModel:
    return WorkspaceModel("ws", 1, build_standard_objects(now="2025-01-01T00:00:00.000Z"))


@pytest.fixture(scope="module")
def core(model) -> dict:
    return core_document(model, BASE)


def spec_errors(document: dict) -> list[str]:
    validator = OpenAPIV31SpecValidator(SchemaPath.from_dict(document))
    return [error.message for error in validator.iter_errors()]


def test_every_document_is_valid_openapi_3_1(core):
    for document in (core, metadata_document(BASE), base_document("core", BASE)):
        assert document["openapi"] == "3.1.0"
        assert spec_errors(document) == []


def test_the_server_urls_end_in_rest_and_rest_metadata(core):
    assert core["servers"] == [{"url": f"{BASE}/rest"}]
    assert metadata_document(BASE)["servers"] == [{"url": f"{BASE}/rest/metadata"}]


def test_operation_ids_follow_twentys_spelling_for_every_route(core):
    ids = {
        (path, method): operation["operationId"]
        for path, item in core["paths"].items()
        for method, operation in item.items()
    }
    assert ids[("/companies", "get")] == "findManyCompanies"
    assert ids[("/companies", "post")] == "createOneCompany"
    assert ids[("/companies", "patch")] == "updateManyCompanies"
    assert ids[("/companies", "delete")] == "deleteManyCompanies"
    assert ids[("/batch/companies", "post")] == "createManyCompanies"
    assert ids[("/companies/{id}", "get")] == "findOneCompany"
    assert ids[("/companies/{id}", "patch")] == "UpdateOneCompany"
    assert ids[("/companies/{id}", "delete")] == "deleteOneCompany"
    assert ids[("/companies/duplicates", "post")] == "findCompanyDuplicates"
    assert ids[("/companies/merge", "patch")] == "mergeManyCompanies"
    assert ids[("/companies/groupBy", "get")] == "groupByCompanies"
    assert ids[("/restore/companies", "patch")] == "restoreManyCompanies"
    assert ids[("/restore/companies/{id}", "patch")] == "restoreOneCompany"
    assert ids[("/noteTargets/{id}", "get")] == "findOneNoteTarget"
    assert len(set(ids.values())) == len(ids)


def test_tags_are_the_plural_names(core):
    assert {"companies", "people", "noteTargets"} <= {tag["name"] for tag in core["tags"]}
    assert core["paths"]["/people/{id}"]["get"]["tags"] == ["people"]


def test_create_requires_nothing_defaulted_and_update_requires_nothing(core):
    schemas = core["components"]["schemas"]
    assert "required" not in schemas["Company"]  # every company field is nullable or defaulted
    assert "required" not in schemas["CompanyForUpdate"]
    assert schemas["CompanyForResponse"]["required"] == ["id"]
    create, update = schemas["Company"]["properties"], schemas["CompanyForUpdate"]["properties"]
    assert "id" in create and "id" not in update
    assert not {"createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy"} & set(create)


def test_a_many_to_one_relation_is_written_by_its_join_column_and_read_embedded(core):
    schemas = core["components"]["schemas"]
    assert "accountOwner" not in schemas["Company"]["properties"]
    assert schemas["Company"]["properties"]["accountOwnerId"]["format"] == "uuid"
    read = schemas["PersonForResponse"]["properties"]
    assert read["companyId"]["type"] == ["string", "null"]
    assert read["company"]["anyOf"][0] == {"$ref": "#/components/schemas/CompanyForResponse"}
    people = schemas["CompanyForResponse"]["properties"]["people"]
    assert people["items"] == {"$ref": "#/components/schemas/PersonForResponse"}


def test_select_fields_are_enums_and_system_fields_typed(core):
    read = core["components"]["schemas"]["OpportunityForResponse"]["properties"]
    assert read["stage"]["enum"][:-1] == ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]
    assert read["createdAt"]["format"] == "date-time"
    assert read["deletedAt"]["type"] == ["string", "null"]
    assert read["createdBy"]["properties"]["source"]["enum"][0] == "EMAIL"


def test_envelopes_carry_twentys_keys_page_info_and_total_count(core):
    def body(path: str, method: str, status: str) -> dict:
        response = core["paths"][path][method]["responses"][status]
        return response["content"]["application/json"]["schema"]

    listed = body("/companies", "get", "200")
    assert listed["required"] == ["data", "totalCount", "pageInfo"]
    assert listed["properties"]["data"]["required"] == ["companies"]
    assert body("/batch/people", "post", "201")["properties"]["data"]["required"] == [
        "createPeople"
    ]
    assert body("/people/{id}", "delete", "200")["properties"]["data"]["required"] == [
        "deletePerson"
    ]
    page_info = core["components"]["schemas"]["PageInfo"]["properties"]
    assert page_info["endCursor"] == {
        "type": ["string", "null"],
        "format": "uuid",
        "description": "A record id; null on an empty page",
    }


def test_error_responses_use_twentys_error_body(core):
    responses = core["paths"]["/companies/{id}"]["get"]["responses"]
    assert {"400", "401", "403", "404", "413", "503"} <= set(responses)
    error = core["components"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert error["required"] == ["statusCode", "error", "messages", "code"]
    assert "409" not in responses and "415" not in responses  # a read conflicts with nothing


def test_the_webhooks_section_describes_each_event_and_its_signature(core):
    created = core["webhooks"]["Company Created"]["post"]
    headers = {parameter["name"] for parameter in created["parameters"]}
    assert {"X-Twenty-Webhook-Signature", "X-Twenty-Webhook-Timestamp", "Webhook-Id"} <= headers
    payload = created["requestBody"]["content"]["application/json"]["schema"]
    assert payload["properties"]["eventName"]["const"] == "company.created"
    assert "updatedFields" not in payload["properties"]
    updated = core["webhooks"]["Company Updated"]["post"]["requestBody"]
    assert "updatedFields" in updated["content"]["application/json"]["schema"]["required"]


def test_the_base_document_names_only_its_own_route():
    document = base_document("metadata", BASE)
    assert list(document["paths"]) == ["/open-api/metadata"]
    own = document["paths"]["/open-api/metadata"]["get"]
    assert own["servers"] == [{"url": f"{BASE}/rest"}]
    assert {} in own["security"]  # readable without a key
