"""graphql-core's executor, with the record's plain fields completed without per-field machinery.

A page of 60 companies with 8 fields is ~800 field executions; for each, graphql-core builds a
path, a resolve-info object and an argument map, calls the default resolver, then walks the
return type (non-null? list? leaf?) to coerce the value: about 70 % of the CPU of such a request
here, where the records themselves are already plain dicts. Most selected fields are exactly
that: no resolver of their own, no arguments, a scalar or enum (or a list of them) read from the
dict by name. `RecordExecutor` completes those directly: the same `source.get(name)` and the
same `coerce_output_value` of the same type, in the same order. So it does an object field
without resolver or arguments whose whole selection is plain in turn (a connection's edges,
node, pageInfo and composites once the relation's resolver has returned its dicts; a nested
`people(first: 5)` under 60 companies is ~1,300 such fields): the selection graphql-core
collected (fragments, @skip/@include, aliases, `__typename`) is completed from the nested
dicts. Anything else (resolvers, arguments, interfaces, unions, `is_type_of`, @defer) goes
through graphql-core unchanged, and so does any value the shortcut cannot complete cleanly
anywhere below the field (a null in a non-null field, a value the scalar refuses, a callable,
a non-dict object, a non-list list): graphql-core executes that field again from the start, so
every error, its message, path and location, is graphql-core's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from graphql import (
    Executor,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from graphql.execution.executor import default_field_resolver
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

# How to complete one plain field from its value: returns the output, or _REDO when
# graphql-core must execute the field itself.
_Completer = Callable[[Any], Any]
_REDO = object()
_R = TypeVar("_R")


def _leaf_completer(leaf: Any, non_null: bool) -> _Completer:
    coerce = leaf.coerce_output_value
    # Scalars whose output of a string is that string (String, ID and the custom string
    # scalars, which serialize with `str`): most record fields, completed without a call.
    keeps_strings = leaf in (GraphQLString, GraphQLID) or (
        isinstance(leaf, GraphQLScalarType) and leaf.serialize is str
    )

    def complete(value: Any) -> Any:
        if value is None:
            return _REDO if non_null else None
        if keeps_strings and value.__class__ is str:
            return value
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


def _object_completer(
    fields: list[tuple[str, str, _Completer | None]], type_name: str, non_null: bool
) -> _Completer:
    """Completes an object from a dict: each selected field by its own completer (None stands
    for `__typename`), in the selection's order, as graphql-core's execute_fields does."""

    def complete(value: Any) -> Any:
        if value is None:
            return _REDO if non_null else None
        if not isinstance(value, dict):
            return _REDO  # objects and exceptions: graphql-core's resolver and errors
        completed = {}
        for response_name, name, plan in fields:
            if plan is None:
                completed[response_name] = type_name
                continue
            field_value = value.get(name)
            if callable(field_value):
                return _REDO  # the default resolver would call it
            field_value = plan(field_value)
            if field_value is _REDO:
                return _REDO
            completed[response_name] = field_value
        return completed

    return complete


# Set on a resolver whose answer is the same however often a request asks it (it loads once
# for the record's whole sibling group, graphql/loading.py): the shortcut may call it, and
# graphql-core call it again when the value does not complete plainly.
_REPEATABLE = "_crm_repeatable"

# (field, its field nodes, its coerced arguments, the completer of its value)
_Resolved = tuple[Any, list[Any], dict[str, Any], _Completer]


def repeatable(resolver: _R) -> _R:
    """Mark `resolver` as repeatable (see _REPEATABLE)."""
    setattr(resolver, _REPEATABLE, True)
    return resolver


def _plain_details(details: Any) -> bool:
    """No @defer and no fragment arguments on any of the field's occurrences."""
    return not any(
        d.defer_usage is not None or d.fragment_variable_values is not None for d in details
    )


def _arguments(
    field: Any, node: Any, variables: Any, hide_suggestions: bool
) -> dict[str, Any] | None:
    """The field's arguments as graphql-core coerces them, or None when they do not coerce
    (graphql-core reports that)."""
    try:
        return get_argument_values(field, node, variables, hide_suggestions=hide_suggestions)
    except Exception:  # noqa: BLE001
        return None


def _unwrapped(field_type: Any) -> tuple[Any, bool]:
    non_null = isinstance(field_type, GraphQLNonNull)
    return (field_type.of_type if non_null else field_type), non_null


class PlainFields:
    """The shortcut, mixed into a graphql-core Executor class before it (see RecordExecutor)."""

    def _memo(self, kind: str, parent_type: GraphQLObjectType, details: Any, build: Any) -> Any:
        """`build(parent_type, details)` once per selection and request (`details`: graphql-core's
        field details list, the same object for every sibling; an executor serves one request)."""
        memo: dict[tuple[str, GraphQLObjectType, int], tuple[Any, Any]]
        memo = self.__dict__.setdefault("_plans", {})
        key = (kind, parent_type, id(details))
        found = memo.get(key)
        if found is not None and found[0] is details:
            return found[1]
        value = build(parent_type, details)
        memo[key] = (details, value)  # kept alive: its id is not reused meanwhile
        return value

    def _plan(self, parent_type: GraphQLObjectType, details: Any) -> _Completer | None:
        """The completer of one selected field, or None for a field that is not plain."""
        return self._memo("plain", parent_type, details, self._field_plan)

    def _field_plan(self, parent_type: GraphQLObjectType, details: Any) -> _Completer | None:
        node = details[0].node
        if node.arguments or not _plain_details(details):
            return None
        field = parent_type.fields.get(node.name.value)
        if field is None or field.resolve is not None or field.args:
            return None
        return self._type_plan(field.type, details)

    def _type_plan(self, field_type: Any, details: Any) -> _Completer | None:
        """How to complete a value of `field_type` under the selection `details`, if plain."""
        inner, non_null = _unwrapped(field_type)
        if is_leaf_type(inner):
            return _leaf_completer(inner, non_null)
        if isinstance(inner, GraphQLList):
            item, item_non_null = _unwrapped(inner.of_type)
            if is_leaf_type(item):
                return _list_completer(_leaf_completer(item, item_non_null), non_null)
            item_plan = self._object_plan(item, item_non_null, details)
            return None if item_plan is None else _list_completer(item_plan, non_null)
        return self._object_plan(inner, non_null, details)

    def _object_plan(self, object_type: Any, non_null: bool, details: Any) -> _Completer | None:
        """An object field whose whole selection is plain: completed from nested dicts (the
        connections' edges, node and pageInfo, composite fields) without graphql-core's
        per-field path, info and completion; None if anything below is not plain."""
        if not isinstance(object_type, GraphQLObjectType) or object_type.is_type_of is not None:
            return None  # interfaces and unions resolve their type; is_type_of checks it
        collected = self.collect_subfields(object_type, details)  # type: ignore[attr-defined]
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return None
        fields: list[tuple[str, str, _Completer | None]] = []
        for response_name, sub_details in collected.grouped_field_set.items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                fields.append((response_name, name, None))
                continue
            plan = self._plan(object_type, sub_details)
            if plan is None:
                return None
            fields.append((response_name, name, plan))
        return _object_completer(fields, object_type.name, non_null)

    def _resolved_plan(self, parent_type: GraphQLObjectType, details: Any) -> _Resolved | None:
        """The plan of a field with a `repeatable` resolver whose value completes plainly:
        (field, its nodes, its arguments coerced once for the request, completer); else None."""
        return self._memo("resolved", parent_type, details, self._resolver_field_plan)

    def _resolver_field_plan(
        self, parent_type: GraphQLObjectType, details: Any
    ) -> _Resolved | None:
        node = details[0].node
        field = parent_type.fields.get(node.name.value)
        if (
            field is None
            or not getattr(field.resolve, _REPEATABLE, False)
            or not _plain_details(details)
        ):
            return None
        complete = self._type_plan(field.type, details)
        args = _arguments(field, node, self.variable_values, self.hide_suggestions)  # type: ignore[attr-defined]
        if complete is None or args is None:
            return None
        return field, [d.node for d in details], args, complete

    def _resolved(
        self,
        parent_type: GraphQLObjectType,
        source: dict[str, Any],
        details: Any,
        path: Path | None,
        response_name: str,
    ) -> Any:
        """The completed value of a field with a repeatable resolver (a record's relation), or
        _REDO. Each of 60 parents' `people(first: 5)` would otherwise go through graphql-core's
        execute_field: its arguments coerced again, its connection completed field by field."""
        plan = self._resolved_plan(parent_type, details)
        if plan is None:
            return _REDO
        field, nodes, args, complete = plan
        info = self.build_resolve_info(  # type: ignore[attr-defined]
            field, nodes, parent_type, Path(path, response_name, parent_type.name)
        )
        try:
            value = field.resolve(source, info, **args)
        except Exception:  # noqa: BLE001 - graphql-core asks again and reports it
            return _REDO
        return complete(value)

    def _shortcut(
        self, parent_type: GraphQLObjectType, source: dict[str, Any], details: Any
    ) -> Any:
        """The completed value of a plain field, or _REDO."""
        plan = self._plan(parent_type, details)
        if plan is None:
            return _REDO
        value = source.get(details[0].node.name.value)
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
            completed = self._shortcut(parent_type, source_value, field_details_list)
            if completed is _REDO:
                completed = self._resolved(
                    parent_type, source_value, field_details_list, path, response_name
                )
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
