"""Raw filters and sorts checked against the workspace metadata and turned into typed ones.

A path resolves to exactly one typed value on a stored record: `id`, a system field
(`createdAt`, `updatedAt`, `deletedAt`, `position`, and the sub-fields of `createdBy` /
`updatedBy`), a MANY_TO_ONE join column (`companyId`, compared as a UUID), an active
non-composite field, or a composite sub-field (`emails.primaryEmail`) with the type Twenty
declares for it. Each type allows the operators of Twenty's GraphQL filter input for it
(reference 5.4); REST accepts the same names.

Typed values use the stored normalisations of `core/coercion.py` (date-times as
"YYYY-MM-DDTHH:MM:SS.mmmZ" UTC, lowercase UUIDs, JSON numbers) so that `eq` compares like with
like. `in` / `containsAny` values are lists; `is` values are "NULL" or "NOT_NULL".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from chalicelib.core import composites
from chalicelib.core.coercion import RATING_VALUES, coerce_value, show_value
from chalicelib.core.filters import And, Condition, Direction, Filter, Not, Operator, Or, SortKey
from chalicelib.errors import InvalidFieldValueError, InvalidQueryParamError
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef

# Deeper group nesting than this comes from generated or hostile input, never from a person;
# refusing it keeps a 400 from becoming a RecursionError. Same limit as the REST parser.
MAX_FILTER_DEPTH = 32

ID_TIEBREAKER = SortKey(("id",), Direction.ASC_NULLS_FIRST)
ID_DESCENDING = SortKey(("id",), Direction.DESC_NULLS_FIRST)
IS_VALUES = ("NULL", "NOT_NULL")


def _system_field(name: str, field_type: FieldType) -> FieldDef:
    return FieldDef(id="", object_id="", name=name, label=name, type=field_type)


# Every record has these, whether or not the model declares them (tests build bare objects).
_SYSTEM_FIELDS: Mapping[str, FieldDef] = MappingProxyType(
    {
        "id": _system_field("id", FieldType.UUID),
        "createdAt": _system_field("createdAt", FieldType.DATE_TIME),
        "updatedAt": _system_field("updatedAt", FieldType.DATE_TIME),
        "deletedAt": _system_field("deletedAt", FieldType.DATE_TIME),
        "position": _system_field("position", FieldType.POSITION),
        "createdBy": _system_field("createdBy", FieldType.ACTOR),
        "updatedBy": _system_field("updatedBy", FieldType.ACTOR),
    }
)


@dataclass(frozen=True, slots=True)
class ResolvedPath:
    """What a filter or sort path denotes on a stored record.

    `type` is the value's type (a sub-field's declared type; UUID for a join column);
    `field_def` is the field the value lives in (the composite for a sub-field, the relation for
    a join column, a stand-in for an undeclared system field); `ranks` orders the values of
    SELECT, MULTI_SELECT and RATING (option position, then declaration order; 0 first).
    """

    path: tuple[str, ...]
    type: FieldType
    field_def: FieldDef
    ranks: Mapping[str, int] = field(default_factory=dict)
    is_join_column: bool = False

    @property
    def label(self) -> str:
        return ".".join(self.path)

    @property
    def description(self) -> str:
        return f"field '{self.label}' ({self.type})"


class _Refused(Exception):
    """A path or value problem; the caller adds which condition or sort key it belongs to."""


class _Rejected(Exception):
    """A value that does not fit; carries the expected form when it differs from the rule's."""

    def __init__(self, expected: str | None = None) -> None:
        super().__init__(expected)
        self.expected = expected


# ---------------------------------------------------------------------------------------------
# Public API


def resolve_path(obj: ObjectDef, path: tuple[str, ...]) -> ResolvedPath:
    """The value `path` denotes on records of `obj`; refuses unknown fields and sub-fields.

    Bare composites and relation fields resolve (as their own type) so that callers can say
    what to use instead; `validate_filter` and `validate_sort` refuse them.
    """
    try:
        return _resolve(obj, path)
    except _Refused as refused:
        raise InvalidQueryParamError(f"Invalid path '{_show_path(path)}': {refused}") from None


def validate_filter(obj: ObjectDef, raw: Filter) -> Filter:
    """`raw` with every condition checked against `obj` and its value typed; same tree shape."""
    return _validate_node(obj, raw, 1)


def validate_sort(obj: ObjectDef, keys: tuple[SortKey, ...]) -> tuple[SortKey, ...]:
    """`keys` checked against `obj`, with `id` appended as the final tiebreaker.

    Directions come back as `Direction` values. Twenty appends the `id` key too, so equal sort
    values still page deterministically; when the client already sorts by `id` its direction is
    kept and nothing is appended. The tiebreaker runs the same way as the first key (ascending
    or descending): an index holds equal values in id order, so a descending index scan yields
    ties in descending id order, and the in-memory sort must agree with it.
    """
    checked: list[SortKey] = []
    seen: set[tuple[str, ...]] = set()
    for key in keys:
        checked.append(_check_sort_key(obj, key, seen))
        seen.add(key.path)
    if ID_TIEBREAKER.path not in seen:
        descending = bool(checked) and checked[0].direction.descending
        checked.append(ID_DESCENDING if descending else ID_TIEBREAKER)
    return tuple(checked)


def filter_mentions(filter: Filter | None, name: str) -> bool:
    """Whether a condition of `filter` is on field `name` (or one of its sub-fields)."""
    if filter is None:
        return False
    if isinstance(filter, Condition):
        return bool(filter.path) and filter.path[0] == name
    if isinstance(filter, Not):
        return filter_mentions(filter.child, name)
    return any(filter_mentions(child, name) for child in filter.children)


def allowed_operators(field_type: FieldType) -> tuple[Operator, ...]:
    """The filter operators of `field_type`, in the order error messages list them."""
    allowed = _OPERATORS.get(field_type, frozenset())
    return tuple(operator for operator in Operator if operator in allowed)


def is_orderable(target: ResolvedPath) -> bool:
    """Whether values at `target` have an order (bare composites and relations have none)."""
    return target.type in _ORDERABLE


# ---------------------------------------------------------------------------------------------
# Path resolution


def _resolve(obj: ObjectDef, path: tuple[str, ...]) -> ResolvedPath:
    if not path or not all(isinstance(part, str) and part for part in path):
        raise _Refused("a path is one or more non-empty names separated by '.'")
    head = path[0]
    relation = obj.by_join_column.get(head)
    if relation is not None:
        _require_no_sub_path(path, FieldType.UUID)
        return ResolvedPath(path, FieldType.UUID, relation, is_join_column=True)
    field_def = obj.by_name.get(head) or _SYSTEM_FIELDS.get(head)
    if field_def is None:
        raise _Refused(f"field '{head}' does not exist on object '{obj.name_singular}'")
    if composites.is_composite(field_def.type) and len(path) > 1:
        return _resolve_sub_field(field_def, path)
    if field_def.type is not FieldType.RELATION:  # a relation's own refusal says more
        _require_no_sub_path(path, field_def.type)
    return ResolvedPath(path, field_def.type, field_def, _ranks(field_def))


def _resolve_sub_field(composite: FieldDef, path: tuple[str, ...]) -> ResolvedPath:
    sub = composites.find_sub_field(composite.type, path[1])
    if sub is None or len(path) > 2:
        raise _Refused(
            f"'{'.'.join(path)}' is not a sub-field of {composite.type} field "
            f"'{composite.name}'; expected one of {_sub_paths(composite, _all_sub_fields)}"
        )
    ranks = _ACTOR_SOURCE_RANKS if sub.kind is composites.SubFieldKind.ACTOR_SOURCE else {}
    return ResolvedPath(path, sub.type, composite, ranks)


def _require_no_sub_path(path: tuple[str, ...], field_type: FieldType) -> None:
    if len(path) > 1:
        raise _Refused(f"field '{path[0]}' ({field_type}) has no sub-field '{path[1]}'")


def _ranks(field_def: FieldDef) -> Mapping[str, int]:
    if field_def.type is FieldType.RATING:
        return _RATING_RANKS
    ordered = sorted(field_def.options, key=lambda option: option.position)
    return {option.value: rank for rank, option in enumerate(ordered)}


_RATING_RANKS: Mapping[str, int] = MappingProxyType(
    {value: rank for rank, value in enumerate(RATING_VALUES)}
)
# Twenty's actor source is a Postgres enum, which orders by declaration.
_ACTOR_SOURCE_RANKS: Mapping[str, int] = MappingProxyType(
    {value: rank for rank, value in enumerate(composites.ACTOR_SOURCES)}
)


def _unusable_reason(target: ResolvedPath, usable: Callable[[FieldType], bool]) -> str | None:
    """Why a bare composite or a relation cannot be filtered or sorted on; None when it can."""
    field_def = target.field_def
    if target.type is FieldType.RELATION:
        if field_def.join_column:
            return (
                f"field '{field_def.name}' is a relation; use its join column "
                f"'{field_def.join_column}' (the id of the related record) instead"
            )
        return (
            f"field '{field_def.name}' is a one-to-many relation and holds no value here; "
            "use the join column on the related object instead"
        )
    if composites.is_composite(target.type):
        subs = _sub_paths(field_def, lambda sub: usable(sub.type))
        return f"{target.description} is a composite field; use one of its sub-fields: {subs}"
    return None


def _all_sub_fields(_sub: composites.SubField) -> bool:
    return True


def _sub_paths(composite: FieldDef, keep: Callable[[composites.SubField], bool]) -> str:
    names = [sub.name for sub in composites.sub_fields(composite.type) if keep(sub)]
    return ", ".join(f"{composite.name}.{name}" for name in names)


# ---------------------------------------------------------------------------------------------
# Filters


def _validate_node(obj: ObjectDef, node: Filter, depth: int) -> Filter:
    if isinstance(node, Condition):
        return _validate_condition(obj, node)
    # Groups are counted as the REST parser counts them, so whatever it accepts passes here.
    if depth > MAX_FILTER_DEPTH:
        raise InvalidQueryParamError(
            f"Invalid filter: groups are nested more than {MAX_FILTER_DEPTH} levels deep"
        )
    if isinstance(node, Not):
        return Not(_validate_node(obj, node.child, depth + 1))
    if isinstance(node, And | Or):
        children = tuple(_validate_node(obj, child, depth + 1) for child in node.children)
        return type(node)(children)
    raise TypeError(f"not a filter node: {node!r}")


def _validate_condition(obj: ObjectDef, condition: Condition) -> Condition:
    try:
        operator = _parse_operator(condition.operator)
        target = _resolve(obj, condition.path)
        _check_filterable(target, operator)
        value = _typed_value(target, operator, condition.value)
    except _Refused as refused:
        where = f"{_show_path(condition.path)}[{condition.operator}]"
        raise InvalidQueryParamError(f"Invalid filter '{where}': {refused}") from None
    return Condition(condition.path, operator, value)


def _parse_operator(operator: Any) -> Operator:
    try:
        return Operator(operator)
    except ValueError:
        raise _Refused(f"unknown operator; expected one of {', '.join(Operator)}") from None


def _check_filterable(target: ResolvedPath, operator: Operator) -> None:
    reason = _unusable_reason(target, lambda field_type: field_type in _OPERATORS)
    if reason:
        raise _Refused(reason)
    allowed = allowed_operators(target.type)
    if operator not in allowed:
        raise _Refused(
            f"operator '{operator}' is not allowed on {target.description}; "
            f"allowed: {', '.join(allowed)}"
        )


def _typed_value(target: ResolvedPath, operator: Operator, value: Any) -> Any:
    shape = _VALUE_SHAPES.get(operator, _scalar_value)
    return shape(target, value)


# --- value shapes per operator


def _is_value(target: ResolvedPath, value: Any) -> str:
    # Twenty's FilterIs enum is upper case; REST clients write it by hand, so any case is taken.
    normalised = value.upper() if isinstance(value, str) else None
    if normalised not in IS_VALUES:
        raise _Refused(f"expected NULL or NOT_NULL, got {show_value(value)}")
    return normalised


def _list_value(target: ResolvedPath, value: Any) -> list[Any]:
    rule = _rule(target)
    if not isinstance(value, list | tuple):
        raise _Refused(
            f"expected a list of values, each {rule.expected(target)} "
            f"(REST: written [a,b]), got {show_value(value)}"
        )
    # An empty list is accepted and matches nothing, as SQL `IN` over no values would.
    return [_apply(rule, target, item, "each value to be ") for item in value]


def _pattern_value(target: ResolvedPath, value: Any) -> str:
    if not isinstance(value, str):
        raise _Refused(f"expected a string pattern, got {show_value(value)}")
    return value


def _scalar_value(target: ResolvedPath, value: Any) -> Any:
    return _apply(_rule(target), target, value, "")


def _apply(rule: _ValueRule, target: ResolvedPath, value: Any, prefix: str) -> Any:
    if value is None:
        raise _Refused(
            f"expected {prefix}{rule.expected(target)}, got null "
            "(to match empty values use the 'is' operator with NULL)"
        )
    try:
        return rule.coerce(target, value)
    except _Rejected as rejected:
        expected = rejected.expected or rule.expected(target)
        raise _Refused(f"expected {prefix}{expected}, got {show_value(value)}") from None


_VALUE_SHAPES: Mapping[Operator, Callable[[ResolvedPath, Any], Any]] = MappingProxyType(
    {
        Operator.IS: _is_value,
        Operator.IN: _list_value,
        Operator.CONTAINS_ANY: _list_value,
        Operator.STARTS_WITH: _pattern_value,
        Operator.ENDS_WITH: _pattern_value,
        Operator.LIKE: _pattern_value,
        Operator.ILIKE: _pattern_value,
    }
)


# --- value rules per type


@dataclass(frozen=True, slots=True)
class _ValueRule:
    expected: Callable[[ResolvedPath], str]
    coerce: Callable[[ResolvedPath, Any], Any]


def _rule(target: ResolvedPath) -> _ValueRule:
    return _VALUE_RULES[target.type]


def _via_coercion(field_type: FieldType) -> Callable[[ResolvedPath, Any], Any]:
    """The stored normalisation of `field_type`, taken from the record coercion rules."""
    template = FieldDef(
        id="", object_id="", name="value", label="Value", type=field_type, is_nullable=False
    )

    def coerce(_target: ResolvedPath, value: Any) -> Any:
        try:
            return coerce_value(template, value)
        except InvalidFieldValueError:
            raise _Rejected() from None

    return coerce


def _coerce_text(_target: ResolvedPath, value: Any) -> str:
    if not isinstance(value, str):
        raise _Rejected()
    return value


def _coerce_boolean(_target: ResolvedPath, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = value.lower() if isinstance(value, str) else None
    if text not in ("true", "false"):
        raise _Rejected()
    return text == "true"


def _coerce_ranked(target: ResolvedPath, value: Any) -> str:
    if not isinstance(value, str) or value not in target.ranks:
        raise _Rejected()
    return value


def _expect_ranked(target: ResolvedPath) -> str:
    ordered = sorted(target.ranks, key=target.ranks.__getitem__)
    return "one of " + (", ".join(f"'{value}'" for value in ordered) or "(no options defined)")


def _static(text: str) -> Callable[[ResolvedPath], str]:
    return lambda _target: text


# Numbers of every numeric type parse the same way: a filter bound need not fit the column
# (`employees[gt]:1.5` is meaningful on an integer field), but must be a DynamoDB number.
_NUMBER = _ValueRule(_static("a number"), _via_coercion(FieldType.NUMERIC))
_TEXT = _ValueRule(_static("a string"), _coerce_text)
_RANKED = _ValueRule(_expect_ranked, _coerce_ranked)

_VALUE_RULES: Mapping[FieldType, _ValueRule] = MappingProxyType(
    {
        FieldType.UUID: _ValueRule(_static("a UUID"), _via_coercion(FieldType.UUID)),
        FieldType.TEXT: _TEXT,
        FieldType.RICH_TEXT: _TEXT,
        FieldType.NUMBER: _NUMBER,
        FieldType.NUMERIC: _NUMBER,
        FieldType.POSITION: _NUMBER,
        FieldType.BOOLEAN: _ValueRule(_static("true or false"), _coerce_boolean),
        FieldType.DATE_TIME: _ValueRule(
            _static("an ISO 8601 date-time such as 2024-01-31T09:30:00.000Z, or a date"),
            _via_coercion(FieldType.DATE_TIME),
        ),
        FieldType.DATE: _ValueRule(
            _static("a date formatted YYYY-MM-DD"), _via_coercion(FieldType.DATE)
        ),
        FieldType.SELECT: _RANKED,
        FieldType.MULTI_SELECT: _RANKED,
        FieldType.RATING: _RANKED,
        FieldType.ARRAY: _TEXT,
        # RAW_JSON only takes `is` and `like`, whose values never reach a type rule.
        FieldType.RAW_JSON: _TEXT,
    }
)


# --- operators per type

_EQUALITY = frozenset({Operator.EQ, Operator.NEQ, Operator.IN, Operator.IS})
_RANGE = frozenset({Operator.GT, Operator.GTE, Operator.LT, Operator.LTE})
_COMPARABLE = _EQUALITY | _RANGE
_TEXT_OPERATORS = _COMPARABLE | {
    Operator.STARTS_WITH,
    Operator.ENDS_WITH,
    Operator.LIKE,
    Operator.ILIKE,
}
_LIST_OPERATORS = frozenset({Operator.CONTAINS_ANY, Operator.IS})

_OPERATORS: Mapping[FieldType, frozenset[Operator]] = MappingProxyType(
    {
        FieldType.UUID: _COMPARABLE,
        FieldType.TEXT: _TEXT_OPERATORS,
        FieldType.RICH_TEXT: _TEXT_OPERATORS,
        FieldType.DATE_TIME: _COMPARABLE,
        FieldType.DATE: _COMPARABLE,
        FieldType.BOOLEAN: frozenset({Operator.EQ, Operator.NEQ, Operator.IS}),
        FieldType.NUMBER: _COMPARABLE,
        FieldType.NUMERIC: _COMPARABLE,
        FieldType.POSITION: _COMPARABLE,
        # Ranges compare RATING_1 < ... < RATING_5, and SELECT values by option position.
        FieldType.RATING: _COMPARABLE,
        FieldType.SELECT: _COMPARABLE | {Operator.CONTAINS_ANY},
        FieldType.MULTI_SELECT: _LIST_OPERATORS,
        FieldType.ARRAY: _LIST_OPERATORS,
        FieldType.RAW_JSON: frozenset({Operator.IS, Operator.LIKE}),
    }
)


# ---------------------------------------------------------------------------------------------
# Sorts

_ORDERABLE = frozenset(
    {
        FieldType.UUID,
        FieldType.TEXT,
        FieldType.RICH_TEXT,
        FieldType.DATE_TIME,
        FieldType.DATE,
        FieldType.BOOLEAN,
        FieldType.NUMBER,
        FieldType.NUMERIC,
        FieldType.POSITION,
        FieldType.RATING,
        FieldType.SELECT,
    }
)


def _check_sort_key(obj: ObjectDef, key: SortKey, seen: set[tuple[str, ...]]) -> SortKey:
    try:
        direction = _parse_direction(key.direction)
        target = _resolve(obj, key.path)
        _check_orderable(target)
        if key.path in seen:
            raise _Refused(f"'{target.label}' is already a sort key; give each field once")
    except _Refused as refused:
        where = f"{_show_path(key.path)}[{key.direction}]"
        raise InvalidQueryParamError(f"Invalid sort '{where}': {refused}") from None
    return SortKey(key.path, direction)


def _parse_direction(direction: Any) -> Direction:
    try:
        return Direction(direction)
    except ValueError:
        raise _Refused(f"unknown direction; expected one of {', '.join(Direction)}") from None


def _check_orderable(target: ResolvedPath) -> None:
    reason = _unusable_reason(target, lambda field_type: field_type in _ORDERABLE)
    if reason:
        raise _Refused(reason)
    if target.type not in _ORDERABLE:
        raise _Refused(f"{target.description} cannot be sorted on")


# ---------------------------------------------------------------------------------------------
# Helpers


def _show_path(path: tuple[Any, ...]) -> str:
    return ".".join(map(str, path))
