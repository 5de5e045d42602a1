"""In-memory semantics of typed filters and sorts: the reference the DynamoDB engine reproduces.

Filters follow SQL, as Twenty runs them on Postgres: a condition on a null value is unknown
(neither true nor false) except `is`, unknown propagates through `and` / `or` / `not` by
three-valued logic, and a record matches only when its filter is true. Sorts put nulls first or
last as the direction says, independently of ascending or descending.

Both are compiled once per query (`compile_filter`, `compile_sort_key`) so that a page of
records costs one resolution of each path; `matches` and `sort_key` are the one-record forms.
Filters and sorts must come from `core/query_validation.py`: values are typed and paths exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from chalicelib.core.filters import And, Condition, Filter, Not, Operator, Or, SortKey
from chalicelib.core.query_validation import ResolvedPath, resolve_path
from chalicelib.metadata.model import FieldType, ObjectDef

Record = Mapping[str, Any]
# True, False, or None for SQL's "unknown".
_Truth = bool | None
_Predicate = Callable[[Record], _Truth]
_Test = Callable[[Any], bool]


# ---------------------------------------------------------------------------------------------
# Public API


def matches(record: Record, filter: Filter | None, obj: ObjectDef) -> bool:
    """Whether `record` is selected by the typed `filter` (None selects every record)."""
    return compile_filter(filter, obj)(record)


def compile_filter(filter: Filter | None, obj: ObjectDef) -> Callable[[Record], bool]:
    """`matches` for one filter, with paths resolved and patterns compiled once."""
    if filter is None:
        return _select_all
    predicate = _compile(filter, obj)
    # Unknown is not a match at the top, as in a SQL WHERE clause.
    return lambda record: predicate(record) is True


def sort_key(record: Record, keys: tuple[SortKey, ...], obj: ObjectDef) -> tuple[Any, ...]:
    """A key for `sorted` ordering records as the typed sort `keys` say."""
    return compile_sort_key(keys, obj)(record)


def compile_sort_key(keys: tuple[SortKey, ...], obj: ObjectDef) -> Callable[[Record], tuple]:
    """`sort_key` for one sort, with paths resolved once.

    Each key contributes a (null_rank, value) pair: null_rank alone places nulls first or last,
    and only non-null values of one key are ever compared with each other, wrapped so that
    descending keys compare in reverse. After validation the values under one key are all of
    one Python type (str, a number, bool, or a tuple of the forms below), so comparing them
    cannot fail; records written before a field's type changed are the caller's concern.
    """
    parts = tuple(_key_part(key, obj) for key in keys)
    return lambda record: tuple(part(record) for part in parts)


def text_sort_form(value: str) -> tuple[str, str]:
    """How text orders: case-insensitively first, then by code point to break ties.

    `("apple", "Banana", "banana")` sort as written: casefolded text decides, and the original
    text orders values that casefold alike, so the order is total and deterministic. Text
    ranges (`gt`, `lte`...) compare the same form, and a DynamoDB index on text stores it, so a
    sorted, range-filtered page is one contiguous stretch of that index.
    """
    return (value.casefold(), value)


def like_pattern(pattern: str, *, case_sensitive: bool = True) -> re.Pattern[str]:
    """SQL LIKE as a regular expression matching the whole text.

    `%` is any run of characters, `_` exactly one, and a backslash makes the next character
    literal (Postgres' default escape). ILIKE folds case with `str.casefold`; match it against
    casefolded text.
    """
    return _like_regex(pattern if case_sensitive else pattern.casefold())


def json_text(value: Any) -> str:
    """RAW_JSON as the text Postgres gives `jsonb::text`, which `like` on RAW_JSON matches.

    jsonb prints `", "` and `": "` separators and orders object keys by length, then bytes.
    """
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        items = (f"{json.dumps(key, ensure_ascii=False)}: {json_text(value[key])}" for key in keys)
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_text(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Filters


def _select_all(_record: Record) -> bool:
    return True


def _compile(node: Filter, obj: ObjectDef) -> _Predicate:
    if isinstance(node, Condition):
        return _compile_condition(node, obj)
    if isinstance(node, Not):
        return _negation(_compile(node.child, obj))
    if not isinstance(node, And | Or):
        raise TypeError(f"not a filter node: {node!r}")
    children = tuple(_compile(child, obj) for child in node.children)
    combine = _all if isinstance(node, And) else _any
    return lambda record: combine(child(record) for child in children)


def _negation(child: _Predicate) -> _Predicate:
    def predicate(record: Record) -> _Truth:
        truth = child(record)
        return None if truth is None else not truth

    return predicate


def _all(truths: Any) -> _Truth:
    """SQL AND: false wins over unknown, unknown over true; no operand at all is true."""
    result: _Truth = True
    for truth in truths:
        if truth is False:
            return False
        if truth is None:
            result = None
    return result


def _any(truths: Any) -> _Truth:
    """SQL OR: true wins over unknown, unknown over false; no operand at all is false."""
    result: _Truth = False
    for truth in truths:
        if truth is True:
            return True
        if truth is None:
            result = None
    return result


def _compile_condition(condition: Condition, obj: ObjectDef) -> _Predicate:
    target = resolve_path(obj, condition.path)
    read = _reader(condition.path)
    if condition.operator is Operator.IS:
        wants_null = condition.value == "NULL"
        return lambda record: (read(record) is None) is wants_null
    test = _TESTS[condition.operator](target, condition.value)

    def predicate(record: Record) -> _Truth:
        value = read(record)
        if value is None:
            return None  # every comparison with null is unknown in SQL
        try:
            return test(value)
        except (TypeError, AttributeError):
            # A stored value of another type than the field's (data written before a metadata
            # change) compares as unknown rather than failing the whole query.
            return None

    return predicate


def _reader(path: tuple[str, ...]) -> Callable[[Record], Any]:
    """Reads a path's value; a sub-field of an absent or null composite is null."""
    if len(path) == 1:
        name = path[0]
        return lambda record: record.get(name)
    parent_name, child_name = path

    def read(record: Record) -> Any:
        parent = record.get(parent_name)
        return parent.get(child_name) if isinstance(parent, Mapping) else None

    return read


# --- one test per operator, built from the target and the typed value


def _test_eq(target: ResolvedPath, expected: Any) -> _Test:
    return lambda value: value == expected


def _test_neq(target: ResolvedPath, expected: Any) -> _Test:
    return lambda value: value != expected


def _test_in(target: ResolvedPath, expected: list[Any]) -> _Test:
    members = frozenset(expected)
    return lambda value: value in members


def _test_contains_any(target: ResolvedPath, expected: list[Any]) -> _Test:
    members = frozenset(expected)
    if target.type is FieldType.SELECT:
        return lambda value: value in members
    # MULTI_SELECT and ARRAY: the stored list shares at least one element with the given ones.
    return lambda value: not members.isdisjoint(value)


def _test_gt(target: ResolvedPath, expected: Any) -> _Test:
    form = order_form(target)
    bound = form(expected)
    return lambda value: form(value) > bound


def _test_gte(target: ResolvedPath, expected: Any) -> _Test:
    form = order_form(target)
    bound = form(expected)
    return lambda value: form(value) >= bound


def _test_lt(target: ResolvedPath, expected: Any) -> _Test:
    form = order_form(target)
    bound = form(expected)
    return lambda value: form(value) < bound


def _test_lte(target: ResolvedPath, expected: Any) -> _Test:
    form = order_form(target)
    bound = form(expected)
    return lambda value: form(value) <= bound


def _test_starts_with(target: ResolvedPath, expected: str) -> _Test:
    return lambda value: value.startswith(expected)


def _test_ends_with(target: ResolvedPath, expected: str) -> _Test:
    return lambda value: value.endswith(expected)


def _test_like(target: ResolvedPath, expected: str) -> _Test:
    regex = like_pattern(expected)
    text = _like_subject(target)
    return lambda value: regex.fullmatch(text(value)) is not None


def _test_ilike(target: ResolvedPath, expected: str) -> _Test:
    regex = like_pattern(expected, case_sensitive=False)
    text = _like_subject(target)
    return lambda value: regex.fullmatch(text(value).casefold()) is not None


def _like_subject(target: ResolvedPath) -> Callable[[Any], str]:
    return json_text if target.type is FieldType.RAW_JSON else _as_str


def _as_str(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError("LIKE applies to text")
    return value


_TESTS: Mapping[Operator, Callable[[ResolvedPath, Any], _Test]] = MappingProxyType(
    {
        Operator.EQ: _test_eq,
        Operator.NEQ: _test_neq,
        Operator.IN: _test_in,
        Operator.CONTAINS_ANY: _test_contains_any,
        Operator.GT: _test_gt,
        Operator.GTE: _test_gte,
        Operator.LT: _test_lt,
        Operator.LTE: _test_lte,
        Operator.STARTS_WITH: _test_starts_with,
        Operator.ENDS_WITH: _test_ends_with,
        Operator.LIKE: _test_like,
        Operator.ILIKE: _test_ilike,
    }
)


@lru_cache(maxsize=512)
def _like_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            parts.append(_LIKE_WILDCARDS.get(char) or re.escape(char))
    if escaped:  # a trailing backslash stands for itself
        parts.append(re.escape("\\"))
    return re.compile("".join(parts), re.DOTALL)


_LIKE_WILDCARDS = {"%": ".*", "_": "."}


# ---------------------------------------------------------------------------------------------
# Ordering shared by range filters and sorts


def order_form(target: ResolvedPath) -> Callable[[Any], Any]:
    """The comparable form of a non-null value of `target` for ranges and sorts.

    Text: `text_sort_form`. SELECT, RATING and the actor source: (rank, value), the rank being
    the option's position (RATING_1 < ... < RATING_5); a stored value no longer among the options
    ranks after every option. Numbers, booleans (false < true), and the fixed-width strings of
    dates, date-times and lowercase UUIDs compare as they are.
    """
    if target.type in _TEXT_TYPES:
        return text_sort_form
    if target.ranks:
        ranks, unknown = target.ranks, len(target.ranks)
        return lambda value: (ranks.get(value, unknown), value)
    return _identity


_TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.RICH_TEXT})


def _identity(value: Any) -> Any:
    return value


# ---------------------------------------------------------------------------------------------
# Sorts


class _Descending:
    """A value whose comparisons are reversed, so one ascending sort handles descending keys."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    def __lt__(self, other: _Descending) -> bool:
        return other.value < self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"_Descending({self.value!r})"


# Stands for every null of one key; only ever compared with itself.
_NULL = ()


def _key_part(key: SortKey, obj: ObjectDef) -> Callable[[Record], tuple[int, Any]]:
    target = resolve_path(obj, key.path)
    read = _reader(key.path)
    form = order_form(target)
    null_rank = 0 if key.direction.nulls_first else 2
    descending = key.direction.descending

    def part(record: Record) -> tuple[int, Any]:
        value = read(record)
        if value is None:
            return (null_rank, _NULL)
        ordered = form(value)
        return (1, _Descending(ordered) if descending else ordered)

    return part
