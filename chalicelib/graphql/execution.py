"""One GraphQL request, schema-agnostic: parse (token cap), limits, schema, validate, execute.

The order matters: the text's length, then the parse (token cap) and the document's limits are
checked before `prepare` runs, each in time linear in the text, so a hostile query is refused
before authentication reads anything from DynamoDB; validation against the schema, which needs
the workspace, comes after authentication. The metadata API (POST /metadata) runs through
here unchanged with its own `prepare`.

HTTP status, as graphql-yoga (Twenty's server) answers: 400 for a malformed request, a parse
or validation failure, or a limit; 200 for everything that reached execution, including
resolver errors (with partial data) and authentication failures (`UNAUTHENTICATED`); 403
(`FORBIDDEN`) for a key whose scope does not allow the request, as REST answers it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)

from chalicelib.errors import CrmError, ForbiddenError, RateLimitedError
from chalicelib.graphql.errors import (
    BAD_USER_INPUT,
    PARSE_FAILED,
    VALIDATION_FAILED,
    crm_error_entry,
    error_entry,
    format_error,
)
from chalicelib.graphql.limits import QueryLimits, check_limits, check_size
from chalicelib.graphql.lru import Lru
from chalicelib.graphql.partial_items import PartialItemsExecutor

# Clients send the same few documents again and again (generated code, GraphiQL); parsing and
# validating one costs more than executing a small query, so both results are kept per text.
_DOCUMENT_CACHE_SIZE = 256
# A parsed document keeps every token (~360 bytes each: 5.4 MB at the 15,000-token cap), and the
# parse cache fills before authentication: long texts get few slots, so no stream of distinct
# documents can hold more than ~200 MB of a Lambda's memory.
_SHORT_DOCUMENT_CHARS = 2_000
_LONG_DOCUMENT_CACHE_SIZE = 16


def _introspection_cache() -> Lru[str, dict[str, Any]]:
    return Lru(8)


def _validation_cache() -> Lru[str, list[dict[str, Any]]]:
    return Lru(_DOCUMENT_CACHE_SIZE)


@dataclass(slots=True)
class PreparedSchema:
    """A built schema, the documents validated against it, and the introspection answers
    already computed for it (~150 ms each for a Twenty-sized schema)."""

    schema: GraphQLSchema
    introspection: Lru[str, dict[str, Any]] = field(default_factory=_introspection_cache)
    # Formatted errors, not GraphQLErrors: those would keep the document's nodes alive.
    validated: Lru[str, list[dict[str, Any]]] = field(default_factory=_validation_cache)


# (query text, limits) -> the parsed document, or the errors that refuse it.
_Documents = Lru[tuple[str, QueryLimits], DocumentNode | list[dict[str, Any]]]
_short_documents: _Documents = Lru(_DOCUMENT_CACHE_SIZE)
_long_documents: _Documents = Lru(_LONG_DOCUMENT_CACHE_SIZE)


@dataclass(frozen=True, slots=True)
class GraphQLResponse:
    status: int
    body: dict[str, Any]


def _failure(status: int, errors: list[dict[str, Any]]) -> GraphQLResponse:
    return GraphQLResponse(status, {"errors": errors})


def _read(payload: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        raise ValueError("The body must be a JSON object with a 'query' string")
    variables, name = payload.get("variables"), payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise ValueError("'variables' must be a JSON object")
    if name is not None and not isinstance(name, str):
        raise ValueError("'operationName' must be a string")
    return payload["query"], variables, name


# Authenticates and returns (schema, context); its argument says whether the operation the
# request selects is a mutation, so a key's scope is checked before anything is read.
Prepare = Callable[[bool], tuple[PreparedSchema, Any]]


def run_request(
    payload: Any, limits: QueryLimits, prepare: Prepare, *, queries_only: bool = False
) -> GraphQLResponse:
    """Answer one GraphQL request; `prepare` authenticates and returns (schema, context).
    `queries_only` (GraphQL over GET) refuses a mutation with 405 before authentication."""
    try:
        query, variables, operation_name = _read(payload)
    except ValueError as exc:
        return _failure(400, [error_entry(str(exc), BAD_USER_INPUT)])
    too_long = check_size(query, limits)
    if too_long is not None:
        # Before the cache, which would otherwise keep every oversized text it refused.
        return _failure(400, [format_error(too_long, VALIDATION_FAILED)])
    documents = _short_documents if len(query) <= _SHORT_DOCUMENT_CHARS else _long_documents
    document = documents.get_or_build((query, limits), lambda: _parse(query, limits))
    if isinstance(document, list):
        return _failure(400, document)
    if queries_only and writes(document, operation_name):
        refusal = "Mutations cannot be sent with GET: send them with POST"
        return _failure(405, [error_entry(refusal, BAD_USER_INPUT)])
    try:
        prepared, context = prepare(writes(document, operation_name))
    except RateLimitedError:
        raise  # a 429 with Retry-After: an HTTP answer, graphql/http.py gives it
    except CrmError as exc:
        # A key outside its scope gets REST's 403; authentication failures stay 200, as
        # graphql-yoga answers Twenty's UNAUTHENTICATED.
        status = 403 if isinstance(exc, ForbiddenError) else 200
        return _failure(status, [crm_error_entry(exc)])
    invalid = prepared.validated.get_or_build(query, lambda: _validate(prepared, document))
    if invalid:
        return _failure(400, invalid)
    return _execute(prepared, document, query, variables, operation_name, context)


def writes(document: DocumentNode, operation_name: str | None) -> bool:
    """Whether the operation a request selects is a mutation. When none can be selected
    (execution will refuse the request), any mutation in the document counts."""
    selected = get_operation_ast(document, operation_name)
    if selected is not None:
        return selected.operation == OperationType.MUTATION
    return any(
        isinstance(node, OperationDefinitionNode) and node.operation == OperationType.MUTATION
        for node in document.definitions
    )


def _validate(prepared: PreparedSchema, document: DocumentNode) -> list[dict[str, Any]]:
    errors = validate(prepared.schema, document, max_errors=20)
    return [format_error(error, VALIDATION_FAILED) for error in errors]


def _parse(query: str, limits: QueryLimits) -> DocumentNode | list[dict[str, Any]]:
    """The document, or the formatted errors of a syntax error or an exceeded limit."""
    try:
        document = parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as exc:
        return [format_error(exc, PARSE_FAILED)]
    problems = check_limits(document, limits)
    if problems:
        return [format_error(problem, VALIDATION_FAILED) for problem in problems]
    return document


def _execute(
    prepared: PreparedSchema,
    document: DocumentNode,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    context: Any,
) -> GraphQLResponse:
    cache_key = _introspection_key(document, query, variables, operation_name)
    if cache_key is not None:
        cached = prepared.introspection.get(cache_key)
        if cached is not None:
            return GraphQLResponse(200, cached)
    result = execute_sync(
        prepared.schema,
        document,
        variable_values=variables,
        operation_name=operation_name,
        context_value=context,
        # Refused items of a partial batch create are null alone (graphql/partial_items.py).
        executor_class=PartialItemsExecutor,
    )
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(error) for error in result.errors]
    if result.data is None and result.errors and all(e.path is None for e in result.errors):
        # Request errors (bad variables, unknown operationName): execution never started.
        return GraphQLResponse(400, body)
    body["data"] = result.data
    if cache_key is not None and not result.errors:
        prepared.introspection.put(cache_key, body)
    return GraphQLResponse(200, body)


def _introspection_key(
    document: DocumentNode, query: str, variables: Any, operation_name: str | None
) -> str | None:
    """A cache key when every root field of every operation is an introspection field."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        for selection in operation.selection_set.selections:
            if not isinstance(selection, FieldNode) or not selection.name.value.startswith("__"):
                return None
    return json.dumps([query, variables, operation_name], sort_keys=True)
