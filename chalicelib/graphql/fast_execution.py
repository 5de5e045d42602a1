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
from dataclasses import dataclass
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

# How to complete one plain field from its value (and, for a plan that `needs_path`, the
# field's path): returns the output, or _REDO when graphql-core must execute the field itself.
_Completer = Callable[..., Any]
_REDO = object()
_R = TypeVar("_R")


@dataclass(frozen=True, slots=True)
class _Plan:
    complete: _Completer
    # Called as complete(value, path): a resolver somewhere below is given its field's path.
    needs_path: bool = False


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


def _list_completer(item: _Plan, non_null: bool) -> _Plan:
    def complete(value: Any) -> Any:
        if value is None:
            return _REDO if non_null else None
        if value.__class__ is not list:
            return _REDO  # other iterables and non-iterables: graphql-core's rules
        completed = [item_complete(element) for element in value]
        return _REDO if any(c is _REDO for c in completed) else completed

    def complete_at(value: Any, path: Path) -> Any:
        if value is None:
            return _REDO if non_null else None
        if value.__class__ is not list:
            return _REDO
        completed = [item_complete(element, Path(path, i, None)) for i, element in enumerate(value)]
        return _REDO if any(c is _REDO for c in completed) else completed

    item_complete = item.complete
    return _Plan(complete_at, True) if item.needs_path else _Plan(complete)


# One selected field of an object plan: (response name, field name, how it completes). The plan
# is None for `__typename`, or a _Plan of the field's value, or a _ResolverCall (given the
# object itself, as a resolver is).
_Entry = tuple[str, str, "_Plan | _ResolverCall | None"]


def _object_completer(fields: list[_Entry], type_name: str, non_null: bool) -> _Plan:
    """Completes an object from a dict: each selected field by its own plan, in the selection's
    order, as graphql-core's execute_fields does."""
    if not any(
        isinstance(plan, _ResolverCall) or (plan and plan.needs_path) for *_, plan in fields
    ):
        plain = [
            (response_name, name, plan and plan.complete) for response_name, name, plan in fields
        ]
        return _Plan(_plain_object(plain, type_name, non_null))

    located = [
        (response_name, None if plan is None else _field_at(name, plan))
        for response_name, name, plan in fields
    ]

    def complete_at(value: Any, path: Path) -> Any:
        if value is None:
            return _REDO if non_null else None
        if not isinstance(value, dict):
            return _REDO
        completed = {}
        for response_name, field_at in located:
            if field_at is None:
                completed[response_name] = type_name
                continue
            field_value = field_at(value, Path(path, response_name, type_name))
            if field_value is _REDO:
                return _REDO
            completed[response_name] = field_value
        return completed

    return _Plan(complete_at, True)


def _field_at(name: str, plan: _Plan | _ResolverCall) -> Callable[[Any, Path], Any]:
    """One field of an object completed from the object and the field's path."""
    if isinstance(plan, _ResolverCall):
        return plan
    complete, needs_path = plan.complete, plan.needs_path

    def field_at(source: dict[str, Any], path: Path) -> Any:
        value = source.get(name)
        if callable(value):
            return _REDO  # the default resolver would call it
        return complete(value, path) if needs_path else complete(value)

    return field_at


def _plain_object(
    fields: list[tuple[str, str, _Completer | None]], type_name: str, non_null: bool
) -> _Completer:
    """An object completer when no field below needs its path (None stands for `__typename`)."""

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


class _ResolverCall:
    """A field with a `repeatable` resolver whose value completes plainly: the resolver is
    called with the field's arguments coerced once for the request, and its value completed by
    plan. Each of 60 parents' `people(first: 5)` would otherwise go through graphql-core's
    execute_field: its arguments coerced again, its connection completed field by field."""

    __slots__ = ("args", "executor", "field", "nodes", "parent_type", "plan")

    def __init__(
        self, executor: Any, field: Any, nodes: list[Any], parent_type: Any, args: Any, plan: _Plan
    ) -> None:
        self.executor, self.field, self.nodes = executor, field, nodes
        self.parent_type, self.args, self.plan = parent_type, args, plan

    def __call__(self, source: dict[str, Any], path: Path) -> Any:
        info = self.executor.build_resolve_info(self.field, self.nodes, self.parent_type, path)
        try:
            value = self.field.resolve(source, info, **self.args)
        except Exception:  # noqa: BLE001 - graphql-core asks again and reports it
            return _REDO
        plan = self.plan
        return plan.complete(value, path) if plan.needs_path else plan.complete(value)


# Set on a resolver whose answer is the same however often a request asks it (it loads once
# for the record's whole sibling group, graphql/loading.py): the shortcut may call it, and
# graphql-core call it again when the value does not complete plainly.
_REPEATABLE = "_crm_repeatable"


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

    def _plan(self, parent_type: GraphQLObjectType, details: Any) -> _Plan | None:
        """The plan of one selected field without a resolver, or None if it is not plain."""
        return self._memo("plain", parent_type, details, self._field_plan)

    def _field_plan(self, parent_type: GraphQLObjectType, details: Any) -> _Plan | None:
        node = details[0].node
        if node.arguments or not _plain_details(details):
            return None
        field = parent_type.fields.get(node.name.value)
        if field is None or field.resolve is not None or field.args:
            return None
        return self._type_plan(field.type, details)

    def _type_plan(self, field_type: Any, details: Any) -> _Plan | None:
        """How to complete a value of `field_type` under the selection `details`, if plain."""
        inner, non_null = _unwrapped(field_type)
        if is_leaf_type(inner):
            return _Plan(_leaf_completer(inner, non_null))
        if isinstance(inner, GraphQLList):
            item, item_non_null = _unwrapped(inner.of_type)
            if is_leaf_type(item):
                return _list_completer(_Plan(_leaf_completer(item, item_non_null)), non_null)
            item_plan = self._object_plan(item, item_non_null, details)
            return None if item_plan is None else _list_completer(item_plan, non_null)
        return self._object_plan(inner, non_null, details)

    def _object_plan(self, object_type: Any, non_null: bool, details: Any) -> _Plan | None:
        """An object field whose whole selection is plain: completed from nested dicts (the
        connections' edges, node and pageInfo, composite fields, and relations through their
        repeatable resolvers) without graphql-core's per-field path, info and completion; None
        if anything below is not plain."""
        if not isinstance(object_type, GraphQLObjectType) or object_type.is_type_of is not None:
            return None  # interfaces and unions resolve their type; is_type_of checks it
        collected = self.collect_subfields(object_type, details)  # type: ignore[attr-defined]
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return None
        fields: list[_Entry] = []
        for response_name, sub_details in collected.grouped_field_set.items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                fields.append((response_name, name, None))
                continue
            plan = self._plan(object_type, sub_details) or self._resolved_plan(
                object_type, sub_details
            )
            if plan is None:
                return None
            fields.append((response_name, name, plan))
        return _object_completer(fields, object_type.name, non_null)

    def _resolved_plan(self, parent_type: GraphQLObjectType, details: Any) -> _ResolverCall | None:
        """The call of a field with a `repeatable` resolver whose value completes plainly, its
        arguments coerced once for the request; else None."""
        return self._memo("resolved", parent_type, details, self._resolver_field_plan)

    def _resolver_field_plan(
        self, parent_type: GraphQLObjectType, details: Any
    ) -> _ResolverCall | None:
        node = details[0].node
        field = parent_type.fields.get(node.name.value)
        if (
            field is None
            or not getattr(field.resolve, _REPEATABLE, False)
            or not _plain_details(details)
        ):
            return None
        plan = self._type_plan(field.type, details)
        args = _arguments(field, node, self.variable_values, self.hide_suggestions)  # type: ignore[attr-defined]
        if plan is None or args is None:
            return None
        return _ResolverCall(self, field, [d.node for d in details], parent_type, args, plan)

    def _shortcut(
        self,
        parent_type: GraphQLObjectType,
        source: dict[str, Any],
        details: Any,
        path: Path | None,
        response_name: str,
    ) -> Any:
        """The completed value of a plain field or of a field with a repeatable resolver (a
        record's relation), or _REDO."""
        plan = self._plan(parent_type, details)
        if plan is None:
            call = self._resolved_plan(parent_type, details)
            if call is None:
                return _REDO
            return call(source, Path(path, response_name, parent_type.name))
        value = source.get(details[0].node.name.value)
        if callable(value):
            return _REDO
        if plan.needs_path:
            return plan.complete(value, Path(path, response_name, parent_type.name))
        return plan.complete(value)

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
            completed = self._shortcut(
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
