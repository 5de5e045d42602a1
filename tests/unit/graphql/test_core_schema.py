"""The core schema built in code: golden SDL for the standard model, names, hidden inactive parts."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from graphql import lexicographic_sort_schema, print_schema, validate_schema

from chalicelib.graphql.core_schema.builder import build_core_schema
from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.model import FieldType, WorkspaceModel
from tests.builders import make_field, make_object

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "core_standard.graphql"
NOW = "2024-01-01T00:00:00.000Z"


class NoResolvers:
    """Golden tests need no DynamoDB: the builder takes resolvers as an argument."""

    def root(self, verb, obj, *, many):
        return None

    def relation(self, obj, field):
        return None


def standard_model(objects=None):
    return WorkspaceModel("ws", 1, objects or build_standard_objects(now=NOW))


def sdl(model):
    schema = build_core_schema(model, NoResolvers())
    assert validate_schema(schema) == []
    return print_schema(lexicographic_sort_schema(schema))


def test_standard_model_schema_matches_the_golden_sdl():
    printed = sdl(standard_model())
    if os.environ.get("UPDATE_GOLDEN") == "1":  # regenerate only on explicit request
        GOLDEN.write_text(printed)
    assert printed == GOLDEN.read_text()


@pytest.mark.parametrize(
    "line",
    [
        "  companies(after: String, before: String, filter: CompanyFilterInput, first: Int, "
        "last: Int, offset: Int, orderBy: [CompanyOrderByInput]): CompanyConnection!",
        "  company(filter: CompanyFilterInput!): Company",
        "  companyDuplicates(data: [CompanyCreateInput!], ids: [UUID!]): [CompanyConnection!]!",
        "  createCompany(data: CompanyCreateInput!, upsert: Boolean): Company",
        "  updateCompany(data: CompanyUpdateInput!, id: UUID!): Company",
        "  updateCompanies(data: CompanyUpdateInput!, filter: CompanyFilterInput!): [Company!]!",
        "  deleteCompanies(filter: CompanyFilterInput!): [Company!]!",
        "  destroyCompany(id: UUID!): Company",
        "  restoreCompanies(filter: CompanyFilterInput!): [Company!]!",
        "  mergePeople(conflictPriorityIndex: Int!, dryRun: Boolean, ids: [UUID!]!): Person",
        "  edges: [CompanyEdge!]!",
        "  stage: OpportunityStageEnum",
        "scalar BigFloat",
        "scalar Position",
        "scalar RawJSON",
        "scalar Date",
    ],
)
def test_schema_uses_twenty_names_and_arguments(line):
    assert line in sdl(standard_model()).splitlines()


def test_batch_creates_keep_twentys_arguments_and_list_type_beside_partial():
    """`partial` (beyond Twenty, documented) is added; Twenty's `[Company!]!` stays."""
    printed = sdl(standard_model())
    arguments, after = printed.split("  createCompanies(\n")[1].split("\n  ): ", 1)
    assert after.splitlines()[0] == "[Company!]!"
    lines = arguments.splitlines()
    for line in ("    data: [CompanyCreateInput!]!", "    upsert: Boolean"):
        assert line in lines
    assert "    partial: Boolean = false" in lines


def test_filter_inputs_carry_exactly_the_operators_the_engine_accepts():
    printed = sdl(standard_model())
    boolean = printed.split("input BooleanFilter {")[1].split("}")[0].split()
    assert [part.rstrip(":") for part in boolean[::2]] == ["eq", "is", "neq"]
    assert "  not: CompanyFilterInput" in printed


def test_inactive_objects_and_fields_are_not_in_the_schema():
    objects = build_standard_objects(now=NOW)
    changed = []
    for obj in objects:
        if obj.name_singular == "opportunity":
            obj = replace(obj, is_active=False)
        elif obj.name_singular == "company":
            fields = tuple(replace(f, is_active=f.name != "employees") for f in obj.fields)
            obj = replace(obj, fields=fields)
        changed.append(obj)
    printed = sdl(standard_model(tuple(changed)))
    assert "opportunities" not in printed and "type Opportunity " not in printed
    company = printed.split("type Company {")[1].split("}")[0]
    assert "employees" not in company and "name: String" in company


def test_custom_object_gets_the_same_operations_and_select_enums():
    rocket = make_object(
        "rocket",
        "rockets",
        [
            make_field("name", FieldType.TEXT),
            make_field("fuel", FieldType.SELECT, options=("SOLID", "LIQUID")),
            make_field("tags", FieldType.MULTI_SELECT, options=("A", "B")),
            make_field("thrust", FieldType.NUMERIC),
        ],
        is_custom=True,
    )
    printed = sdl(standard_model((*build_standard_objects(now=NOW), rocket)))
    for expected in (
        "  rockets(after: String",
        "  createRockets(\n    data: [RocketCreateInput!]!\n",
        "    upsert: Boolean\n  ): [Rocket!]!",
        "enum RocketFuelEnum {",
        "  tags: [RocketTagsEnum!]",
        "input RocketFuelEnumFilter {",
        "  thrust: BigFloatFilter",
    ):
        assert expected in printed
