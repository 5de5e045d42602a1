"""Resolvers of the metadata schema: GraphQL arguments to MetadataService, model values to nodes.

No rule lives here: validation, deletion rules and relations are the metadata service's, the
attributes come from `metadata/presentation.py` as REST shows them. Every domain error leaves
as a GraphQLError whose extensions carry the code of `errors.py` and *all* its messages, so a
METADATA_VALIDATION_FAILED lists every problem in `extensions.messages`.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, GraphQLResolveInfo

from chalicelib.context import RequestContext
from chalicelib.errors import CrmError, InvalidQueryParamError
from chalicelib.graphql.errors import code_for
from chalicelib.graphql.metadata_connections import (
    FIELDS,
    OBJECTS,
    connection,
    list_tag,
    read_paging,
)
from chalicelib.metadata.lookup import find_field, find_object
from chalicelib.metadata.model import FieldDef, ObjectDef, WorkspaceModel
from chalicelib.metadata.presentation import field_view, object_view

if TYPE_CHECKING:
    from chalicelib.metadata.service import MetadataService

Resolver = Callable[..., Any]


@dataclass(slots=True)
class MetadataCall:
    """`info.context` of a metadata request. Not frozen on purpose: `model` follows each mutation
    of the request, so a later field (or the item a deletion returns) sees the current model."""

    ctx: RequestContext
    service: MetadataService
    model: WorkspaceModel


@dataclass(frozen=True, slots=True)
class ObjectNode:
    """An `Object` value: the object, the model it belongs to, and its Twenty view."""

    model: WorkspaceModel
    obj: ObjectDef
    view: dict[str, Any]


@dataclass(frozen=True, slots=True)
class FieldNode:
    """A `Field` value: the field, the model it belongs to, and its Twenty view."""

    model: WorkspaceModel
    field: FieldDef
    view: dict[str, Any]


def object_node(model: WorkspaceModel, obj: ObjectDef) -> ObjectNode:
    """An object as the `Object` type shows it (its fields are resolved on demand)."""
    return ObjectNode(model, obj, object_view(model, obj, with_fields=False))


def field_node(model: WorkspaceModel, field: FieldDef) -> FieldNode:
    """A field as the `Field` type shows it."""
    return FieldNode(model, field, field_view(model, field))


def reported(resolver: Resolver) -> Resolver:
    """Let a domain error out as a GraphQL error with its code and every message."""

    @functools.wraps(resolver)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return resolver(*args, **kwargs)
        except CrmError as exc:
            raise GraphQLError(
                "; ".join(exc.messages),
                extensions={"code": code_for(exc), "subCode": exc.code, "messages": exc.messages},
            ) from exc

    return wrapper


def _uuid(value: str) -> str:
    """Ids are stored in canonical lower-case form."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidQueryParamError(f"'{value}' is not a valid UUID") from None


def _call(info: GraphQLResolveInfo) -> MetadataCall:
    return info.context


# -- node fields ---------------------------------------------------------------------------------


def from_view(node: ObjectNode | FieldNode, info: GraphQLResolveInfo) -> Any:
    """An attribute of the node's Twenty view, named like the GraphQL field."""
    return node.view.get(info.field_name)


@reported
def object_fields(node: ObjectNode, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """`Object.fields(paging, filter)`: the object's fields, inactive ones included."""
    window = read_paging(args.get("paging"), list_tag(node.model.workspace_id, FIELDS))
    nodes = [field_node(node.model, field) for field in node.obj.fields]
    return connection(nodes, args.get("filter"), window)


def object_fields_list(node: ObjectNode, _info: GraphQLResolveInfo) -> list[FieldNode]:
    """`Object.fieldsList`: every field of the object, unpaged."""
    return [field_node(node.model, field) for field in node.obj.fields]


def field_object(node: FieldNode, _info: GraphQLResolveInfo) -> ObjectNode | None:
    """`Field.object`: the object the field belongs to."""
    obj = node.model.by_id.get(node.field.object_id)
    return object_node(node.model, obj) if obj is not None else None


def field_relation(node: FieldNode, _info: GraphQLResolveInfo) -> dict[str, Any] | None:
    """Twenty's `Relation`: this field is the source side, its inverse the target side."""
    relation, model = node.field.relation, node.model
    if relation is None:
        return None
    source = model.by_id.get(node.field.object_id)
    target = model.by_id.get(relation.target_object_id)
    inverse = next(
        (f for f in target.fields if f.id == relation.target_field_id) if target else (), None
    )
    if source is None or target is None or inverse is None:
        return None  # only while a deletion is half-way: both sides go in one commit
    return {
        "type": relation.type.value,
        "sourceObjectMetadata": object_node(model, source),
        "targetObjectMetadata": object_node(model, target),
        "sourceFieldMetadata": node,
        "targetFieldMetadata": field_node(model, inverse),
    }


# -- queries -------------------------------------------------------------------------------------


@reported
def objects(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """`objects(paging, filter)`: every object of the workspace, inactive ones included."""
    model = _call(info).model
    window = read_paging(args.get("paging"), list_tag(model.workspace_id, OBJECTS))
    nodes = [object_node(model, obj) for obj in model.objects]
    return connection(nodes, args.get("filter"), window)


@reported
def one_object(_root: Any, info: GraphQLResolveInfo, **args: Any) -> ObjectNode:
    """`object(id)`, active or not."""
    model = _call(info).model
    return object_node(model, find_object(model, _uuid(args["id"])))


@reported
def fields(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    """`fields(paging, filter)`: the fields of every object, object by object."""
    model = _call(info).model
    window = read_paging(args.get("paging"), list_tag(model.workspace_id, FIELDS))
    nodes = [field_node(model, field) for obj in model.objects for field in obj.fields]
    return connection(nodes, args.get("filter"), window)


@reported
def one_field(_root: Any, info: GraphQLResolveInfo, **args: Any) -> FieldNode:
    """`field(id)`, active or not."""
    model = _call(info).model
    _, field = find_field(model, _uuid(args["id"]))
    return field_node(model, field)


# -- mutations -----------------------------------------------------------------------------------


def _input(args: Mapping[str, Any], key: str) -> Any:
    return args["input"][key]


@reported
def create_one_object(_root: Any, info: GraphQLResolveInfo, **args: Any) -> ObjectNode:
    """`createOneObject(input: {object})`: a custom object with its default fields."""
    call = _call(info)
    outcome = call.service.create_object(call.ctx, _input(args, "object"))
    call.model = outcome.model
    return object_node(outcome.model, outcome.object)


@reported
def update_one_object(_root: Any, info: GraphQLResolveInfo, **args: Any) -> ObjectNode:
    """`updateOneObject(input: {id, update})`."""
    call = _call(info)
    object_id = _uuid(_input(args, "id"))
    outcome = call.service.update_object(call.ctx, object_id, _input(args, "update"))
    call.model = outcome.model
    return object_node(outcome.model, outcome.object)


@reported
def delete_one_object(_root: Any, info: GraphQLResolveInfo, **args: Any) -> ObjectNode:
    """The deleted object, shown with the model it was part of."""
    call = _call(info)
    before = call.model
    deleted, outcome = call.service.delete_object(call.ctx, _uuid(_input(args, "id")))
    call.model = outcome.model
    return object_node(before, deleted)


@reported
def create_one_field(_root: Any, info: GraphQLResolveInfo, **args: Any) -> FieldNode:
    """`createOneField(input: {field})`: for a relation, the side asked for."""
    call = _call(info)
    outcome = call.service.create_field(call.ctx, _input(args, "field"))
    call.model = outcome.model
    return field_node(outcome.model, outcome.field())


@reported
def update_one_field(_root: Any, info: GraphQLResolveInfo, **args: Any) -> FieldNode:
    """`updateOneField(input: {id, update})`."""
    call = _call(info)
    field_id = _uuid(_input(args, "id"))
    outcome = call.service.update_field(call.ctx, field_id, _input(args, "update"))
    call.model = outcome.model
    return field_node(outcome.model, outcome.field())


@reported
def delete_one_field(_root: Any, info: GraphQLResolveInfo, **args: Any) -> FieldNode:
    """The deleted field, shown with the model it was part of."""
    call = _call(info)
    before = call.model
    deleted, outcome = call.service.delete_field(call.ctx, _uuid(_input(args, "id")))
    call.model = outcome.model
    return field_node(before, deleted)
