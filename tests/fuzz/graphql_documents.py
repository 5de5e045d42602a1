"""Random GraphQL documents built from a real schema: selections, aliases, arguments, nested
fragments (named and inline), directives, and variables declared with the right type or a wrong
one and given values that fit or not.

hypothesis-graphql covers plain queries and mutations (and one-violation negatives); this
generator adds what it never writes: fragments that spread other fragments, aliases, `@include`
/ `@skip`, variables, several operations and `operationName`, deep selections past the depth
limit, and text damaged after printing.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)
from hypothesis import strategies as st

from tests.fuzz import strategies as fz

# Fragments per document: each may spread earlier ones, so expansion grows with the product of
# spreads; kept small until fragment costs are counted linearly (test_fuzz_findings.py).
MAX_FRAGMENTS = 4
MAX_INPUT_DEPTH = 3
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
names = st.from_regex(r"[a-z][A-Za-z0-9_]{0,6}", fullmatch=True)
_QUERY_OR_MUTATION = fz.weighted((6, st.just("query")), (1, st.just("mutation")))


# Strategies are cached: building one inside a draw costs Hypothesis more than drawing from it.
@functools.cache
def _below(count: int) -> st.SearchStrategy[int]:
    return st.integers(0, count - 1)


@functools.cache
def _pick(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


@functools.cache
def _some(options: tuple[str, ...], min_size: int, unique: bool) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(options), min_size=min_size, max_size=4, unique=unique)


class EnumLiteral(str):
    """An enum value: printed bare (`AscNullsFirst`), sent as a string in variables."""


def literal(value: Any) -> str:
    """A Python value as a GraphQL literal."""
    if isinstance(value, EnumLiteral):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, dict):
        fields = (
            f"{key if _NAME.fullmatch(key) else f'k{index}'}: {literal(item)}"
            for index, (key, item) in enumerate(value.items())
        )
        return "{" + ", ".join(fields) + "}"
    raise TypeError(f"no GraphQL literal for {value!r}")


@functools.cache
def scalar_values(ids: tuple[str, ...]) -> dict[str, st.SearchStrategy[Any]]:
    """Values each scalar accepts (the core may still refuse them: a UUID of no record, a date
    that does not exist, a number DynamoDB cannot store)."""
    own_ids = st.sampled_from(ids) if ids else fz.uuids()
    return {
        "Int": fz.weighted((6, st.integers(-5, 300)), (1, st.integers(-(2**31), 2**31 - 1))),
        "Float": st.floats(allow_nan=False, allow_infinity=False),
        "String": fz.texts(20),
        "Boolean": st.booleans(),
        "ID": st.one_of(own_ids, fz.texts(10)),
        "UUID": fz.weighted((3, own_ids), (1, fz.uuids()), (1, fz.texts(10))),
        "DateTime": fz.weighted((4, fz.dates()), (1, fz.texts(10))),
        "Date": fz.weighted((4, st.dates().map(str)), (1, fz.texts(10))),
        "BigFloat": fz.numbers(),
        "Position": st.one_of(st.floats(-1e6, 1e6), st.integers(-100, 100)),
        "RawJSON": fz.json_values(6),
    }


# Percent chance of each fault (a wrong value, an unknown name, a misplaced directive...) in one
# document: most documents are clean, so that execution is reached as often as validation.
FAULT_RATES = (0, 0, 0, 0, 3, 10, 30)


@dataclass
class _Document:
    """What one drawing accumulates besides the operation's selection set."""

    variables: list[tuple[str, str, Any]] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, draw: st.DrawFn, schema: GraphQLSchema, ids: Sequence[str], depth: int):
        self.draw = draw
        self.schema = schema
        self.scalars = scalar_values(tuple(ids))
        self.max_depth = depth
        self.document = _Document()
        self.fault_rate = draw(_pick(FAULT_RATES))

    def fault(self) -> bool:
        """Whether to break the next thing (an independent draw at this document's rate)."""
        return bool(self.fault_rate) and self.draw(_below(100)) < self.fault_rate

    # --- selections

    def selection_set(self, parent: GraphQLObjectType | GraphQLInterfaceType, depth: int) -> str:
        draw = self.draw
        chosen = draw(_some(tuple(sorted(parent.fields)), 1, not self.fault()))
        parts = [self.field(parent, name, depth) for name in chosen]
        if draw(_below(5)) == 0:
            parts.append("__typename")
        if draw(_below(6)) == 0:
            inner = self.selection_set(parent, depth)
            condition = draw(_pick(("", f" on {parent.name}")))
            if self.fault():
                condition = draw(_pick((" on Query", " on Nope", " on String")))
            parts.append(f"...{condition}{self.directives()} {inner}")
        if len(self.document.fragments) < MAX_FRAGMENTS and draw(_below(4)) == 0:
            parts += [self.fragment(parent, depth)] * (1 + draw(_below(2)))
        return "{ " + " ".join(parts) + " }"

    def fragment(self, parent: GraphQLObjectType | GraphQLInterfaceType, depth: int) -> str:
        """A named fragment on `parent` (its body may spread further fragments)."""
        name = f"F{len(self.document.fragments)}"
        self.document.fragments.append("")  # reserve the name before the body's own fragments
        body = self.selection_set(parent, depth)
        index = int(name[1:])
        self.document.fragments[index] = f"fragment {name} on {parent.name} {body}"
        return f"...{name}"

    def field(self, parent: GraphQLObjectType | GraphQLInterfaceType, name: str, depth: int) -> str:
        draw = self.draw
        definition = parent.fields[name]
        alias = f"{name}{draw(names)}: " if draw(_below(4)) == 0 else ""
        if self.fault():  # an alias that may clash with another selection
            alias = f"{draw(_pick(tuple(sorted(parent.fields))))}: "
        arguments = self.arguments(definition.args)
        target = get_named_type(definition.type)
        selection = ""
        if isinstance(target, GraphQLObjectType | GraphQLInterfaceType):
            deeper = depth < self.max_depth and draw(_below(3)) > 0
            selection = " " + (
                self.selection_set(target, depth + 1) if deeper else "{ __typename }"
            )
        return f"{alias}{name}{arguments}{self.directives()}{selection}"

    def directives(self) -> str:
        draw = self.draw
        if draw(_below(6)):
            return ""
        kind = draw(_pick(("include", "skip")))
        if self.fault():
            kind = draw(_pick(("deprecated", "fuzz", "oneOf", "specifiedBy")))
        boolean = self.schema.get_type("Boolean")
        assert isinstance(boolean, GraphQLScalarType)
        return f" @{kind}(if: {self.value(GraphQLNonNull(boolean))})"

    # --- arguments and values

    def arguments(self, arguments: dict[str, GraphQLArgument]) -> str:
        draw = self.draw
        parts = []
        for name, argument in sorted(arguments.items()):
            if isinstance(argument.type, GraphQLNonNull) or draw(_below(2)):
                parts.append(f"{name}: {self.value(argument.type)}")
        if self.fault():
            parts.append(f"{draw(names)}: {literal(draw(fz.json_values(3)))}")
        return f"({', '.join(parts)})" if parts else ""

    def value(self, type_: GraphQLInputType) -> str:
        """A literal, or a variable reference (declared with this type or another)."""
        if self.draw(_below(4)) == 0:
            return self.variable(type_)
        return literal(self.python_value(type_, 0))

    def variable(self, type_: GraphQLInputType) -> str:
        draw = self.draw
        name = f"v{len(self.document.variables)}"
        declared = str(type_)
        if self.fault():
            other = draw(_pick(tuple(sorted(self.schema.type_map))))
            declared = draw(_pick((other, f"{other}!", f"[{other}]", "Int", "String!")))
        value = draw(fz.json_values(4)) if self.fault() else self.python_value(type_, 0)
        if self.fault():
            value = _OMITTED
        self.document.variables.append((name, declared, value))
        return f"${name}"

    def python_value(self, type_: GraphQLInputType, depth: int, *, nullable: bool = True) -> Any:
        draw = self.draw
        if self.fault():  # a value of any kind, wrong more often than not
            return draw(fz.json_values(3))
        if isinstance(type_, GraphQLNonNull):
            return self.python_value(type_.of_type, depth, nullable=False)
        if nullable and draw(_below(10)) == 0:
            return None
        if isinstance(type_, GraphQLList):
            count = draw(_below(4))
            return [self.python_value(type_.of_type, depth) for _ in range(count)]
        return self.named_value(type_, depth)

    def named_value(self, type_: GraphQLNamedType, depth: int) -> Any:
        draw = self.draw
        if isinstance(type_, GraphQLEnumType):
            values = sorted(type_.values)
            return EnumLiteral(draw(names if self.fault() else _pick(tuple(values))))
        if isinstance(type_, GraphQLInputObjectType):
            if depth >= MAX_INPUT_DEPTH:
                return {}
            chosen = draw(_some(tuple(sorted(type_.fields)), 0, True))
            required = [n for n, f in type_.fields.items() if isinstance(f.type, GraphQLNonNull)]
            return {
                name: self.python_value(type_.fields[name].type, depth + 1)
                for name in dict.fromkeys([*required, *chosen])
            }
        if isinstance(type_, GraphQLScalarType):
            return draw(self.scalars.get(type_.name, fz.json_values(3)))
        return draw(fz.json_values(3))


class _Omitted:
    """A declared variable the request gives no value."""


_OMITTED = _Omitted()


def _variable_json(value: Any) -> Any:
    """Variables travel as JSON: enum values as their names."""
    if isinstance(value, EnumLiteral):
        return str(value)
    if isinstance(value, list):
        return [_variable_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _variable_json(item) for key, item in value.items()}
    return value


@st.composite
def documents(
    draw: st.DrawFn, schema: GraphQLSchema, ids: Sequence[str] = (), max_depth: int = 6
) -> tuple[str, dict[str, Any] | None, str | None]:
    """(query text, variables, operationName) of one request."""
    builder = _Builder(draw, schema, ids, max_depth)
    kind = draw(_QUERY_OR_MUTATION)
    if builder.fault():
        kind = "subscription"  # the schema has none
    root = schema.mutation_type if kind == "mutation" else schema.query_type
    assert root is not None
    selection = builder.selection_set(root, 1)
    document = builder.document
    declared = ", ".join(f"${name}: {type_}" for name, type_, _ in document.variables)
    name = draw(_pick(("", "Fuzz", "Fuzz")))
    head = f"{kind} {name}".strip() + (f"({declared})" if declared else "")
    parts = [f"{head} {selection}", *document.fragments]
    operation = name or None
    # A second operation, which operationName must pick (an anonymous one must be alone).
    if (name or builder.fault()) and draw(_below(6)) == 0:
        parts.append("query Other { __typename }")
        operation = draw(_pick((name or None, "Other")))
        if builder.fault():
            operation = draw(_pick(("Missing", None)))
    text = "\n".join(parts)
    if builder.fault():
        text = fz.apply_edits(text, draw(fz.EDITS))
    values = {
        name: _variable_json(value)
        for name, _, value in document.variables
        if not isinstance(value, _Omitted)
    }
    return text, values or None, operation
