"""graphql-core's executor, with the record's plain fields completed without per-field machinery.

A page of 60 companies with 8 fields is ~800 field executions; for each, graphql-core builds a
path, a resolve-info object and an argument map, calls the default resolver, then walks the
return type (non-null? list? leaf?) to coerce the value: about 70 % of the CPU of such a request
here, where the records themselves are already plain dicts. Most selected fields are exactly
that: no resolver of their own, no arguments, a scalar or enum (or a list of them) read from the
dict by name. `RecordExecutor` completes those directly: the same `source.get(name)` and the
same `coerce_output_value` of the same type, in the same order. Anything else (relations,
connections, composites' own selections, `__typename`, arguments) goes through graphql-core
unchanged, and so does any value the shortcut cannot complete cleanly (a null in a non-null
field, a value the scalar refuses, a callable): graphql-core executes that field again from
the start, so every error, its message, path and location, is graphql-core's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    Executor,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.executor import default_field_resolver
from graphql.pyutils import Path

# How to complete one plain field from its value: returns the output, or _REDO when
# graphql-core must execute the field itself.
_Completer = Callable[[Any], Any]
_REDO = object()


def _leaf_completer(leaf: Any, non_null: bool) -> _Completer:
    coerce = leaf.coerce_output_value

    def complete(value: Any) -> Any:
        if value is None:
            return _REDO if non_null else None
        try:
            coerced = coerce(value)
        except Exception:  # noqa: BLE001 - graphql-core reports it, on the second pass
            return _REDO
        return _REDO if coerced is Undefined or coerced is None else coerced

    return complete


def _list_completer(item: _Completer, non_null: bool) -> _Completer:
    def complete(value: Any) -> Any:
        if value is None:
            return _REDO if non_null else None
        if value.__class__ is not list:
            return _REDO  # other iterables and non-iterables: graphql-core's rules
        completed = [item(element) for element in value]
        return _REDO if any(c is _REDO for c in completed) else completed

    return complete


def _completer(field_type: Any) -> _Completer | None:
    """The shortcut for a field of this type, or None when the field is not a plain one."""
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if non_null else field_type
    if is_leaf_type(inner):
        return _leaf_completer(inner, non_null)
    if isinstance(inner, GraphQLList):
        item_non_null = isinstance(inner.of_type, GraphQLNonNull)
        item = inner.of_type.of_type if item_non_null else inner.of_type
        if is_leaf_type(item):
            return _list_completer(_leaf_completer(item, item_non_null), non_null)
    return None


class PlainFields:
    """The shortcut, mixed into a graphql-core Executor class before it (see RecordExecutor)."""

    def _plan(self, parent_type: GraphQLObjectType, field_name: str) -> _Completer | None:
        """The field's completer, or None for a field that is not plain; worked out once per
        (type, field) and request (an executor serves one request)."""
        plans: dict[tuple[GraphQLObjectType, str], _Completer | None]
        plans = self.__dict__.setdefault("_plans", {})
        key = (parent_type, field_name)
        if key in plans:
            return plans[key]
        field = parent_type.fields.get(field_name)
        plan = None
        if field is not None and field.resolve is None and not field.args:
            plan = _completer(field.type)
        plans[key] = plan
        return plan

    def _shortcut(self, parent_type: GraphQLObjectType, source: dict[str, Any], node: Any) -> Any:
        """The completed value of a plain field, or _REDO."""
        plan = None if node.arguments else self._plan(parent_type, node.name.value)
        if plan is None:
            return _REDO
        value = source.get(node.name.value)
        return _REDO if callable(value) else plan(value)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if (
            not isinstance(source_value, dict)
            or self.middleware_manager is not None
            or self.field_resolver is not default_field_resolver
        ):
            return super().execute_fields(  # type: ignore[misc]
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        awaited: list[str] = []
        for response_name, field_details_list in grouped_field_set.items():
            completed = self._shortcut(parent_type, source_value, field_details_list[0].node)
            if completed is not _REDO:
                results[response_name] = completed
                continue
            result = self.execute_field(
                parent_type,
                source_value,
                field_details_list,
                Path(path, response_name, parent_type.name),
                position_context,
            )
            if result is not Undefined:
                results[response_name] = result
                if self.is_awaitable(result):
                    awaited.append(response_name)
        if not awaited:
            return results

        # Never with this API's resolvers (all synchronous); kept as graphql-core does it.
        async def gathered() -> dict[str, Any]:
            for name in awaited:
                results[name] = await results[name]
            return results

        return gathered()


class RecordExecutor(PlainFields, Executor[Any]):
    """graphql-core's executor with the shortcut (the core API's executor mixes it in too)."""
