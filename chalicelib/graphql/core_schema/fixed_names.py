"""The names every core schema has whatever the model (scalars, composites, filters, PageInfo…),
read from the builder itself so that a type it gains can never be missed by the name checks."""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    specified_scalar_types,
)

from chalicelib.graphql.core_schema.builder import build_core_schema
from chalicelib.metadata.builder import build_objects
from chalicelib.metadata.model import FieldType, SelectOption, WorkspaceModel
from chalicelib.metadata.names import field_graphql_names, object_graphql_names
from chalicelib.metadata.standard_objects import FieldSpec, ObjectSpec, RelationSpec

_KINDS: tuple[tuple[type, str], ...] = (
    (GraphQLInputObjectType, "input type"),
    (GraphQLEnumType, "enum"),
    (GraphQLScalarType, "scalar"),
    (GraphQLObjectType, "object type"),
)
_OPTIONS = (SelectOption("FIRST", "First", 0), SelectOption("SECOND", "Second", 1))
_FREE_OPTIONS = (SelectOption("1ST", "First", 0),)


class NoResolvers:
    """Resolvers for schemas that are only inspected, never executed."""

    def root(self, verb: str, obj: Any, *, many: bool) -> None:
        return None

    def relation(self, obj: Any, field: Any) -> None:
        return None


def catalogue_model() -> WorkspaceModel:
    """Two objects between them using every field type, option form and relation side, so the
    builder makes every type it ever makes."""
    fields = [
        FieldSpec(f"a{field_type.value.title().replace('_', '')}", "A", field_type)
        for field_type in FieldType
        if field_type not in (FieldType.RELATION, FieldType.SELECT, FieldType.MULTI_SELECT)
    ]
    fields += [
        FieldSpec("anInteger", "An integer", FieldType.NUMBER, settings={"dataType": "int"}),
        FieldSpec("aChoice", "A choice", FieldType.SELECT, options=_OPTIONS),
        FieldSpec("someChoices", "Some choices", FieldType.MULTI_SELECT, options=_OPTIONS),
        # Options that are not GraphQL names fall back to String and its filter.
        FieldSpec("aFreeChoice", "A free choice", FieldType.SELECT, options=_FREE_OPTIONS),
    ]
    specs = [
        ObjectSpec("catalogueItem", "catalogueItems", "Item", "Items", tuple(fields)),
        ObjectSpec("catalogueOwner", "catalogueOwners", "Owner", "Owners", ()),
    ]
    relation = RelationSpec("catalogueItem", "owner", "Owner", "catalogueOwner", "items", "Items")
    objects = build_objects(specs, [relation], now="")
    return WorkspaceModel("catalogue", 0, objects)


def _kind(named: GraphQLNamedType) -> str:
    return next((what for kind, what in _KINDS if isinstance(named, kind)), "type")


@cache
def fixed_names() -> dict[str, str]:
    """Type and root-field names of the core schema that no object or field generates, each
    with what it names ("input type", "scalar"…)."""
    model = catalogue_model()
    schema = build_core_schema(model, NoResolvers())
    found = dict.fromkeys(specified_scalar_types, "scalar")
    found |= {
        name: _kind(named) for name, named in schema.type_map.items() if not name.startswith("__")
    }
    for root in (schema.query_type, schema.mutation_type):
        found |= {name: "root field" for name in root.fields} if root else {}
    for obj in model.objects:
        for name, _ in object_graphql_names(obj.name_singular, obj.name_plural):
            found.pop(name, None)
        for field in obj.fields:
            for name, _ in field_graphql_names(obj.name_singular, field):
                found.pop(name, None)
    return found
