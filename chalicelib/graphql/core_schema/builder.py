"""build_core_schema(model, resolvers): the workspace's core GraphQL schema, built in code."""

from __future__ import annotations

from graphql import GraphQLSchema

from chalicelib.graphql import scalars
from chalicelib.graphql.core_schema.object_types import RecordTypes
from chalicelib.graphql.core_schema.resolving import Resolvers
from chalicelib.graphql.core_schema.root_types import root_types
from chalicelib.graphql.core_schema.type_store import TypeStore
from chalicelib.metadata.model import WorkspaceModel


def build_core_schema(model: WorkspaceModel, resolvers: Resolvers) -> GraphQLSchema:
    """Types and operations for every active object and field of `model` (no I/O)."""
    store = TypeStore()
    types = RecordTypes(store, model, resolvers)
    objects = sorted(model.by_plural.values(), key=lambda obj: obj.name_singular)
    query, mutation = root_types(store, types, resolvers, objects)
    # Every scalar is declared even when no field uses it yet, so clients can rely on them.
    return GraphQLSchema(query, mutation, types=[*scalars.ALL, *store.all()])
