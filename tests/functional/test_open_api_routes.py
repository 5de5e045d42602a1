"""`GET /rest/open-api/core` and `/rest/open-api/metadata`: which document a caller gets, the
server URL it names (locally and behind API Gateway's stage), a model change seen on the next
request, and real answers of the routes it describes validating against it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.functional.webhook_management_support import TARGET, substitute_dns
from tests.rocket_model import FIELDS, create_rocket_model, falcon_record
from tests.support import RestClient

HOST = {"Host": "crm.example.test"}


def document(rest: RestClient, which: str = "core", headers: dict | None = None) -> dict:
    sent = {**rest.tenant.headers, **HOST} if headers is None else headers
    status, body = rest.get(f"/rest/open-api/{which}", headers=sent)
    assert status == 200, body
    return body


def conformance_errors(
    doc: dict[str, Any], path: str, method: str, status: int, body: Any
) -> list[str]:
    """What is wrong with `body` as the documented answer `status` of `method path`."""
    responses = doc["paths"][path][method]["responses"]
    response = responses[str(status)]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = {**response["content"]["application/json"]["schema"], "components": doc["components"]}
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]


# ---------------------------------------------------------------------------------------------
# Which document


def test_a_valid_key_gets_its_workspaces_routes_and_schemas(rest):
    doc = document(rest)
    assert doc["openapi"] == "3.1.0"
    assert doc["paths"]["/companies"]["get"]["operationId"] == "findManyCompanies"
    assert doc["paths"]["/people/{id}"]["patch"]["operationId"] == "UpdateOnePerson"
    assert {"Company", "CompanyForUpdate", "CompanyForResponse"} <= set(
        doc["components"]["schemas"]
    )
    assert "Person Created" in doc["webhooks"]


@pytest.mark.parametrize("which", ["core", "metadata"])
@pytest.mark.parametrize(
    "auth", [None, "Bearer not-a-key", "Basic abc"], ids=["no key", "bad key", "not bearer"]
)
def test_without_a_valid_key_the_base_document_lists_only_itself(rest, which, auth):
    headers = {**HOST, **({"Authorization": auth} if auth else {})}
    doc = document(rest, which, headers)
    assert list(doc["paths"]) == [f"/open-api/{which}"]
    assert "webhooks" not in doc
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_metadata_document_lists_objects_fields_api_keys_and_webhooks(rest):
    paths = document(rest, "metadata")["paths"]
    for path in ("/objects", "/fields/{id}", "/apiKeys", "/webhooks/{id}/deliveries"):
        assert path in paths
    assert paths["/objects"]["post"]["operationId"] == "createOneObject"


# ---------------------------------------------------------------------------------------------
# servers[0].url


def test_locally_the_server_url_is_the_host_asked_for(rest):
    assert document(rest)["servers"][0]["url"] == "http://crm.example.test/rest"
    metadata = document(rest, "metadata")
    assert metadata["servers"][0]["url"] == "http://crm.example.test/rest/metadata"
    self_path = metadata["paths"]["/open-api/metadata"]["get"]
    assert self_path["servers"][0]["url"] == "http://crm.example.test/rest"


def api_gateway_event(path: str, stage: str, headers: dict[str, str]) -> dict[str, Any]:
    """A REST API (v1) proxy event as API Gateway sends it on its execute-api host."""
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "GET",
            "path": f"/{stage}{path}",
            "stage": stage,
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize("which", ["core", "metadata"])
def test_behind_api_gateway_the_server_url_keeps_the_stage_and_https(aws, tenant, which):
    from app import app

    host = "abc123.execute-api.eu-west-1.amazonaws.com"
    headers = {
        "Host": host,
        "X-Forwarded-Proto": "https",
        "Authorization": f"Bearer {tenant.token}",
    }
    event = api_gateway_event(f"/rest/open-api/{which}", "api", headers)
    answer = app(event, None)
    assert answer["statusCode"] == 200, answer
    doc = json.loads(answer["body"])
    suffix = "/rest" if which == "core" else "/rest/metadata"
    assert doc["servers"][0]["url"] == f"https://{host}/api{suffix}"
    assert len(doc["paths"]) > 1


# ---------------------------------------------------------------------------------------------
# A model change is in the next document


def metadata_call(rest: RestClient, method: str, path: str, body: Any = None) -> Any:
    status, answer = rest.call(method, path, body)
    assert status in (200, 201), answer
    return answer["data"]


def test_a_new_field_appears_and_a_deactivated_one_disappears(rest):
    before = document(rest)  # cached now
    assert "nickname" not in before["components"]["schemas"]["CompanyForResponse"]["properties"]
    objects = metadata_call(rest, "GET", "/rest/metadata/objects")["objects"]
    company = next(o for o in objects if o["nameSingular"] == "company")
    field = metadata_call(
        rest,
        "POST",
        "/rest/metadata/fields",
        {"objectMetadataId": company["id"], "type": "TEXT", "name": "nickname", "label": "Nick"},
    )["createOneField"]
    assert "nickname" in document(rest)["components"]["schemas"]["Company"]["properties"]
    metadata_call(rest, "PATCH", f"/rest/metadata/fields/{field['id']}", {"isActive": False})
    after = document(rest)["components"]["schemas"]["CompanyForResponse"]["properties"]
    assert "nickname" not in after


def test_a_new_object_appears_and_a_deactivated_one_disappears(rest):
    rocket_id, _ = create_rocket_model(rest.call)
    doc = document(rest)
    assert doc["paths"]["/rockets"]["post"]["operationId"] == "createOneRocket"
    assert doc["paths"]["/batch/rockets"]["post"]["operationId"] == "createManyRockets"
    assert doc["paths"]["/rockets/duplicates"]["post"]["operationId"] == "findRocketDuplicates"
    rocket = doc["components"]["schemas"]["RocketForResponse"]["properties"]
    assert {spec["name"] for spec in FIELDS} | {"maker", "makerId"} <= set(rocket)
    assert "rockets" in doc["components"]["schemas"]["CompanyForResponse"]["properties"]
    metadata_call(rest, "PATCH", f"/rest/metadata/objects/{rocket_id}", {"isActive": False})
    doc = document(rest)
    assert "/rockets" not in doc["paths"] and "Rocket" not in doc["components"]["schemas"]
    assert "Rocket Created" not in doc["webhooks"]
    assert "rockets" not in doc["components"]["schemas"]["CompanyForResponse"]["properties"]


# ---------------------------------------------------------------------------------------------
# The routes' real answers validate against the document


def test_answers_of_every_field_type_and_a_relation_conform_to_the_document(rest):
    create_rocket_model(rest.call)
    doc = document(rest)
    answers = []

    def check(path: str, method: str, request: str, body: Any = None, expect: int = 200):
        status, answer = rest.call(method.upper(), request, body)
        assert status == expect, answer
        answers.append((path, method, status, answer))
        return answer

    company = check("/companies", "post", "/rest/companies", {"name": "SpaceX"}, 201)
    maker_id = company["data"]["createCompany"]["id"]
    created = check("/rockets", "post", "/rest/rockets", falcon_record(maker_id), 201)
    rocket_id = created["data"]["createRocket"]["id"]
    check("/batch/rockets", "post", "/rest/batch/rockets", [{"name": "Electron"}], 201)
    check("/rockets", "get", "/rest/rockets?depth=1&limit=1")
    check("/rockets/{id}", "get", f"/rest/rockets/{rocket_id}?depth=1")
    check("/companies/{id}", "get", f"/rest/companies/{maker_id}?depth=1")
    check("/rockets/{id}", "patch", f"/rest/rockets/{rocket_id}", {"pad": None, "stages": 3})
    check("/rockets/duplicates", "post", "/rest/rockets/duplicates", {"ids": [rocket_id]})
    check("/rockets/groupBy", "get", '/rest/rockets/groupBy?group_by=[{"status":true}]')
    check("/rockets/{id}", "delete", f"/rest/rockets/{rocket_id}?soft_delete=true")
    check("/restore/rockets/{id}", "patch", f"/rest/restore/rockets/{rocket_id}")
    check("/rockets/{id}", "get", f"/rest/rockets/{maker_id}", expect=404)
    check("/rockets", "get", "/rest/rockets?filter=stages[eqq]:1", expect=400)
    problems = [
        (path, method, status, problem)
        for path, method, status, answer in answers
        for problem in conformance_errors(doc, path, method, status, answer)
    ]
    assert problems == []


def test_answers_of_the_metadata_routes_conform_to_the_document(rest, monkeypatch):
    substitute_dns(monkeypatch)
    doc = document(rest, "metadata")
    answers = []

    def check(path: str, method: str, request: str, body: Any = None, expect: int = 200):
        status, answer = rest.call(method.upper(), request, body)
        assert status == expect, answer
        answers.append((path, method, status, answer))
        return answer.get("data")

    rocket_id, _ = create_rocket_model(rest.call)
    objects = check("/objects", "get", "/rest/metadata/objects?limit=3")["objects"]
    check("/objects/{id}", "get", f"/rest/metadata/objects/{rocket_id}")
    fields = check("/fields", "get", "/rest/metadata/fields")["fields"]
    relation = next(f for f in fields if f["name"] == "maker")
    check("/fields/{id}", "patch", f"/rest/metadata/fields/{relation['id']}", {"label": "By"})
    body = {"objectMetadataId": objects[0]["id"], "type": "TEXT", "name": "motto", "label": "M"}
    check("/fields", "post", "/rest/metadata/fields", body, 201)
    key = check(
        "/apiKeys",
        "post",
        "/rest/metadata/apiKeys",
        {"name": "Zapier", "expiresAt": "2030-01-01T00:00:00Z", "scope": "read"},
        201,
    )["createApiKey"]
    check("/apiKeys", "get", "/rest/metadata/apiKeys")
    check("/apiKeys/{id}", "delete", f"/rest/metadata/apiKeys/{key['id']}")
    hook = check(
        "/webhooks",
        "post",
        "/rest/metadata/webhooks",
        {"targetUrl": TARGET, "operations": ["rocket.created"]},
        201,
    )["createWebhook"]
    check("/webhooks/{id}", "get", f"/rest/metadata/webhooks/{hook['id']}")
    check("/webhooks/{id}/deliveries", "get", f"/rest/metadata/webhooks/{hook['id']}/deliveries")
    check("/objects/{id}", "get", f"/rest/metadata/objects/{hook['id']}", expect=404)
    problems = [
        (path, method, status, problem)
        for path, method, status, answer in answers
        for problem in conformance_errors(doc, path, method, status, answer)
    ]
    assert problems == []
