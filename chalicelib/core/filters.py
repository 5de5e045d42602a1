"""The one filter and sort model: plain data that REST and GraphQL inputs both parse into.

Parsers produce *raw* conditions (values as the client wrote them); `core/query_validation.py`
checks them against the workspace's metadata and returns *typed* conditions whose values are
coerced per field type. The evaluator and the DynamoDB planner only ever see typed conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias


class Operator(StrEnum):
    EQ = "eq"
    NEQ = "neq"
    IN = "in"
    CONTAINS_ANY = "containsAny"
    IS = "is"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    STARTS_WITH = "startsWith"
    ENDS_WITH = "endsWith"
    LIKE = "like"
    ILIKE = "ilike"


class Direction(StrEnum):
    ASC_NULLS_FIRST = "AscNullsFirst"
    ASC_NULLS_LAST = "AscNullsLast"
    DESC_NULLS_FIRST = "DescNullsFirst"
    DESC_NULLS_LAST = "DescNullsLast"

    @property
    def descending(self) -> bool:
        return self in (Direction.DESC_NULLS_FIRST, Direction.DESC_NULLS_LAST)

    @property
    def nulls_first(self) -> bool:
        return self in (Direction.ASC_NULLS_FIRST, Direction.DESC_NULLS_FIRST)


@dataclass(frozen=True, slots=True)
class Condition:
    """`path[operator]:value`; path is ("name",), ("emails", "primaryEmail") or ("companyId",)."""

    path: tuple[str, ...]
    operator: Operator
    # Raw: a string, or a list of strings for `in`/`containsAny` ("NULL"/"NOT_NULL" for `is`).
    # Typed (after validation): the coerced value(s) of the field's type.
    value: Any


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Filter


Filter: TypeAlias = Condition | And | Or | Not


@dataclass(frozen=True, slots=True)
class SortKey:
    path: tuple[str, ...]
    direction: Direction = Direction.ASC_NULLS_FIRST
