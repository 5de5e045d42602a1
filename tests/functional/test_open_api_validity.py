"""Both generated OpenAPI documents pass openapi-spec-validator as OpenAPI 3.1: the keyless base
document, the standard model's, and a model holding a custom object with a field of every type
and a relation (built through the metadata API, as an integrator would)."""

from __future__ import annotations

from typing import Any

from jsonschema_path import SchemaPath
from openapi_spec_validator import OpenAPIV31SpecValidator

from tests.rocket_model import FIELDS, create_rocket_model
from tests.support import RestClient

DOCUMENTS = ["core", "metadata"]


def spec_errors(document: dict[str, Any]) -> list[str]:
    """Every problem the validator finds, each with where it is (not just the first)."""
    validator = OpenAPIV31SpecValidator(SchemaPath.from_dict(document))
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors()
    ]


def fetch(rest: RestClient, which: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    status, document = rest.get(f"/rest/open-api/{which}", headers=headers)
    assert status == 200, document
    assert document["openapi"].startswith("3.1"), document.get("openapi")
    return document


def test_the_keyless_base_documents_are_valid_openapi_3_1(rest):
    for which in DOCUMENTS:
        assert spec_errors(fetch(rest, which, headers={})) == [], which


def test_the_standard_models_documents_are_valid_openapi_3_1(rest):
    for which in DOCUMENTS:
        document = fetch(rest, which)
        assert document["paths"], "the document of a workspace lists its routes"
        assert spec_errors(document) == [], which


def test_a_custom_object_of_every_field_type_and_a_relation_keeps_both_documents_valid(rest):
    create_rocket_model(rest.call)
    core = fetch(rest, "core")
    # The custom object is really in what is validated, with every field and the relation.
    rocket = core["components"]["schemas"]["RocketForResponse"]["properties"]
    assert {spec["name"] for spec in FIELDS} | {"maker", "makerId"} <= set(rocket)
    assert spec_errors(core) == []
    assert spec_errors(fetch(rest, "metadata")) == []
