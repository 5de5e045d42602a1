"""Metadata queries executed on an in-memory model (no DynamoDB): every attribute resolves."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType, get_named_type, graphql_sync

from chalicelib.context import Principal, RequestContext
from chalicelib.graphql.metadata_resolvers import MetadataCall
from chalicelib.graphql.metadata_schema import metadata_schema
from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.model import WorkspaceModel

NOW = "2024-01-01T00:00:00.000Z"


@pytest.fixture(scope="module")
def model() -> WorkspaceModel:
    objects = sorted(build_standard_objects(now=NOW), key=lambda obj: obj.name_singular)
    return WorkspaceModel(workspace_id="ws", version=1, objects=tuple(objects))


def run(model, query, variables=None):
    ctx = RequestContext(principal=Principal("ws", "key-id", "key"), now=NOW)
    # Queries read the model only; the service is for mutations.
    result = graphql_sync(
        metadata_schema(),
        query,
        variable_values=variables,
        context_value=MetadataCall(ctx, service=None, model=model),
    )
    assert not result.errors, result.errors
    return result.data


def leaf_selection(type_name: str) -> str:
    """Every field of the type that takes no argument and is not an object."""
    found = metadata_schema().get_type(type_name)
    assert isinstance(found, GraphQLObjectType)
    return " ".join(
        name
        for name, field in found.fields.items()
        if not field.args and not isinstance(get_named_type(field.type), GraphQLObjectType)
    )


def test_every_attribute_of_every_object_and_field_resolves(model):
    query = f"""{{
      objects(paging: {{first: 1000}}) {{ totalCount edges {{ node {{ {leaf_selection("Object")}
        fieldsList {{ {leaf_selection("Field")} object {{ id }}
          relation {{ type targetFieldMetadata {{ id }} targetObjectMetadata {{ id }} }} }} }} }} }}
    }}"""
    data = run(model, query)
    assert data["objects"]["totalCount"] == len(model.objects)
    company = next(
        e["node"] for e in data["objects"]["edges"] if e["node"]["nameSingular"] == "company"
    )
    people = next(f for f in company["fieldsList"] if f["name"] == "people")
    assert people["relation"]["type"] == "ONE_TO_MANY"
    assert people["object"]["id"] == company["id"]
    assert company["isRemote"] is False and company["duplicateCriteria"] is None


def test_object_and_field_by_id_accept_upper_case_ids(model):
    company = model.by_plural["companies"]
    data = run(
        model,
        "query($o: UUID!, $f: UUID!) { object(id: $o) { nameSingular }"
        " field(id: $f) { name object { namePlural } } }",
        {"o": company.id.upper(), "f": company.by_name["domainName"].id.upper()},
    )
    assert data == {
        "object": {"nameSingular": "company"},
        "field": {"name": "domainName", "object": {"namePlural": "companies"}},
    }


def test_the_field_list_runs_object_by_object(model):
    data = run(model, "{ fields(paging: {first: 1000}) { edges { node { id } } } }")
    expected = [field.id for obj in model.objects for field in obj.fields]
    assert [e["node"]["id"] for e in data["fields"]["edges"]] == expected
