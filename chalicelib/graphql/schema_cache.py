"""The container's core schemas, keyed by (workspace id, metadata version), least recently used
evicted: a metadata change bumps the version, so the next request builds the new schema."""

from __future__ import annotations

from chalicelib.graphql.core_schema.builder import build_core_schema
from chalicelib.graphql.execution import PreparedSchema
from chalicelib.graphql.lru import Lru
from chalicelib.graphql.resolvers import CoreResolvers
from chalicelib.metadata.model import WorkspaceModel

_cache: Lru[tuple[str, int], PreparedSchema] = Lru(32)  # a Twenty-sized schema: a few MB
_RESOLVERS = CoreResolvers()


def core_schema(model: WorkspaceModel) -> PreparedSchema:
    """The prepared core schema of this model version (built once per container)."""
    return _cache.get_or_build(
        (model.workspace_id, model.version),
        lambda: PreparedSchema(build_core_schema(model, _RESOLVERS)),
    )


def clear_cache() -> None:
    _cache.clear()
