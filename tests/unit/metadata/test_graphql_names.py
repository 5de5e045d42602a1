"""The GraphQL names objects and fields generate, the schema's fixed names, and their clashes.

The derivation in metadata/names.py is what validation checks; these tests hold it to what the
builder really makes, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from graphql import GraphQLSchema, validate_schema

from chalicelib.graphql.core_schema.builder import build_core_schema
from chalicelib.graphql.core_schema.fixed_names import NoResolvers, catalogue_model, fixed_names
from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.model import FieldType, WorkspaceModel
from chalicelib.metadata.names import (
    MUTATION_VERBS,
    QUERY_VERBS,
    TYPE_KINDS,
    field_graphql_names,
    object_graphql_names,
    operation_name,
)
from chalicelib.metadata.validation import graphql_name_clashes
from tests.builders import make_field, make_object

NOW = "2024-01-01T00:00:00.000Z"


def standard_model(*extra) -> WorkspaceModel:
    return WorkspaceModel("ws", 1, (*build_standard_objects(now=NOW), *extra))


def schema_names(schema: GraphQLSchema) -> set[str]:
    """Every type and root-field name of a built schema (introspection types aside)."""
    found = {name for name in schema.type_map if not name.startswith("__")}
    for root in (schema.query_type, schema.mutation_type):
        assert root is not None
        found |= set(root.fields)
    return found


def claimed_names(model: WorkspaceModel) -> set[str]:
    found = set()
    for obj in model.objects:
        found |= {name for name, _ in object_graphql_names(obj.name_singular, obj.name_plural)}
        for field in obj.fields:
            found |= {name for name, _ in field_graphql_names(obj.name_singular, field)}
    return found


def served_names(model: WorkspaceModel) -> set[str]:
    """The names the builder must make for every active object (types and served operations)."""
    found = set()
    for obj in model.by_plural.values():
        singular, plural = obj.name_singular, obj.name_plural
        found |= {singular[:1].upper() + singular[1:] + kind for kind in TYPE_KINDS}
        found |= {operation_name(verb, singular, plural, many=True) for verb in QUERY_VERBS}
        found |= {
            operation_name(verb, singular, plural, many=many)
            for verb in MUTATION_VERBS
            for many in (False, True)
        }
    return found


@pytest.mark.parametrize("model", [standard_model(), catalogue_model()], ids=["standard", "all"])
def test_every_name_the_builder_makes_is_either_fixed_or_derived_from_an_object_or_field(model):
    built = schema_names(build_core_schema(model, NoResolvers()))
    assert built - set(fixed_names()) - claimed_names(model) == set()
    assert served_names(model) <= built


def test_field_enums_and_their_filters_are_derived_like_the_builder_names_them():
    built = schema_names(build_core_schema(standard_model(), NoResolvers()))
    assert {"OpportunityStageEnum", "OpportunityStageEnumFilter", "TaskStatusEnum"} <= built
    stage = make_field("stage", FieldType.SELECT, options=["NEW"])
    assert [name for name, _ in field_graphql_names("opportunity", stage)] == [
        "OpportunityStageEnum",
        "OpportunityStageEnumFilter",
    ]
    assert field_graphql_names("opportunity", make_field("amount", FieldType.CURRENCY)) == []


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Actor", "object type"),
        ("ActorFilter", "input type"),
        ("ActorCreateInput", "input type"),
        ("CurrencyOrderBy", "input type"),
        ("ActorSourceEnum", "enum"),
        ("OrderByDirection", "enum"),
        ("FilterIs", "enum"),
        ("UUID", "scalar"),
        ("DateTime", "scalar"),
        ("ID", "scalar"),
        ("StringFilter", "input type"),
        ("UUIDFilter", "input type"),
        ("ArrayFilter", "input type"),
        ("PageInfo", "object type"),
        ("Query", "object type"),
        ("Mutation", "object type"),
    ],
)
def test_the_fixed_names_are_read_from_the_builder_with_what_they_name(name, what):
    assert fixed_names()[name] == what


def test_the_fixed_names_hold_no_name_of_the_objects_they_were_read_from():
    generated = claimed_names(catalogue_model())
    assert generated & set(fixed_names()) == set()
    assert not any(name.startswith("Catalogue") for name in fixed_names())


def test_the_standard_model_has_no_clash():
    assert graphql_name_clashes(standard_model(), fixed_names()) == []


@pytest.mark.parametrize(
    ("singular", "plural", "clash"),
    [
        ("actorFilter", "actorFilterItems", "ActorFilter"),  # a composite's filter input
        ("actor", "actorItems", "Actor"),  # a composite type
        ("emailsCreateInput", "emailsCreateInputs", "EmailsCreateInput"),
        ("dateTime", "dateTimes", "DateTime"),  # a scalar
        ("stringFilter", "stringFilters", "StringFilter"),  # a scalar's filter input
        ("orderByDirection", "orderByDirections", "OrderByDirection"),  # an enum
        ("actorSourceEnum", "actorSourceEnums", "ActorSourceEnum"),
        ("pageInfo", "pageInfos", "PageInfo"),  # refused earlier as reserved, caught here too
        ("query", "queries", "Query"),
        ("companyEdge", "companyEdges", "CompanyEdge"),  # another object's edge
        ("companyConnection", "companyConnections", "CompanyConnection"),
        ("companyFilterInput", "companyFilterInputs", "CompanyFilterInput"),
        ("companyOrderByInput", "companyOrderByInputs", "CompanyOrderByInput"),
        ("launch", "createCompanies", "createCompanies"),  # another object's mutation
        ("companyDuplicate", "companyDuplicates", "companyDuplicates"),
        ("opportunityStageEnum", "stageEnums", "OpportunityStageEnum"),  # a field's enum
        ("opportunityStageEnumFilter", "stageFilters", "OpportunityStageEnumFilter"),
        ("rocket", "rocketDuplicates", "rocketDuplicates"),  # its own two queries
    ],
)
def test_an_object_whose_names_clash_with_any_schema_name_is_reported_naming_the_clash(
    singular, plural, clash
):
    model = standard_model(make_object(singular, plural, []))
    messages = graphql_name_clashes(model, fixed_names())
    assert any(f"'{clash}'" in message for message in messages), messages
    assert all(singular in message for message in messages), messages


def test_the_clash_message_says_what_each_user_of_the_name_is():
    model = standard_model(make_object("actorFilter", "actorFilterItems", []))
    assert graphql_name_clashes(model, fixed_names()) == [
        "The GraphQL name 'ActorFilter' would be used twice: by the schema's input type and by "
        "the record type of object 'actorFilter'"
    ]


def test_two_field_enums_of_one_name_clash_although_graphql_core_would_accept_the_schema():
    # `Rocket` + `launchPad` and `RocketLaunch` + `pad` both make `RocketLaunchPadEnum`: the
    # builder would silently give both fields the first enum, which validates fine.
    rocket = make_object("rocket", "rockets", [make_field("launchPad", "SELECT", options=["A"])])
    pad = make_field("pad", "SELECT", options=["B"])
    model = standard_model(rocket, make_object("rocketLaunch", "rocketLaunches", [pad]))
    assert validate_schema(build_core_schema(model, NoResolvers())) == []
    messages = graphql_name_clashes(model, fixed_names())
    assert any("'RocketLaunchPadEnum'" in message for message in messages), messages


def test_inactive_objects_and_fields_keep_their_names():
    hidden = replace(make_object("actorFilter", "actorFilterItems", []), is_active=False)
    assert graphql_name_clashes(standard_model(hidden), fixed_names()) != []
    stage = make_field("stage", "SELECT", options=["A"], is_active=False)
    rocket = make_object("rocket", "rockets", [stage])
    named_like_its_enum = make_object("rocketStageEnum", "rocketStageEnums", [])
    messages = graphql_name_clashes(standard_model(rocket, named_like_its_enum), fixed_names())
    assert any("'RocketStageEnum'" in message for message in messages), messages
