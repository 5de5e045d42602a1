"""Whether a model gives a sound core schema: the last check of a metadata change before it
commits, so that no accepted change can leave a workspace whose /graphql answers 500.

Two checks: no GraphQL name used twice (names derived as the builder derives them, against the
names every schema has), then the schema itself built by the same builder /graphql uses and
validated by graphql-core. The name check catches what graphql-core cannot: two types of one
kind under one name would silently become one.
"""

from __future__ import annotations

import logging

from graphql import validate_schema

from chalicelib.graphql.core_schema.builder import build_core_schema
from chalicelib.graphql.core_schema.fixed_names import NoResolvers, fixed_names
from chalicelib.graphql.lru import Lru
from chalicelib.metadata.model import WorkspaceModel
from chalicelib.metadata.validation import graphql_name_clashes

logger = logging.getLogger(__name__)

# Problems of committed versions, so a workspace broken before these checks existed is built
# once, not on every change (its known problems do not refuse a change that repairs it).
_known: Lru[tuple[str, int], tuple[str, ...]] = Lru(64)
_MESSAGES_MAX = 10  # one broken type can make every object's schema invalid


def schema_problems(model: WorkspaceModel) -> list[str]:
    """Why `model`'s core schema is unsound (empty when it builds and validates)."""
    clashes = graphql_name_clashes(model, fixed_names())
    if clashes:
        return clashes  # the schema's own errors would only be their consequences
    try:
        errors = validate_schema(build_core_schema(model, NoResolvers()))
    except Exception as exc:  # a last line: any failure of the builder is a refusal, not a 500
        logger.warning("core schema of %s does not build: %r", model.workspace_id, exc)
        return [f"The GraphQL schema would not build: {exc}"]
    problems = [f"The GraphQL schema would be invalid: {error.message}" for error in errors]
    if len(problems) > _MESSAGES_MAX:
        more = len(problems) - _MESSAGES_MAX
        problems[_MESSAGES_MAX:] = [f"... and {more} more problems of the GraphQL schema"]
    return problems


def new_schema_problems(before: WorkspaceModel, after: WorkspaceModel) -> list[str]:
    """Problems of `after`'s schema that `before`'s does not have: a change may not break the
    schema, but it may leave (or repair) a problem committed earlier."""
    found = schema_problems(after)
    if not found:
        return []
    known = _known.get_or_build(
        (before.workspace_id, before.version), lambda: tuple(schema_problems(before))
    )
    return [problem for problem in found if problem not in known]
