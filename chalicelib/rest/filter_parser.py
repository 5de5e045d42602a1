"""Parse Twenty's REST `filter` query parameter into the raw filter model of `core/filters.py`.

Grammar (Twenty's `filter-parser-utils`, see the API reference §3.1):

    filter     := group | list              a bare list is wrapped as and(list)
    group      := ("and" | "or" | "not") "(" list ")"
    list       := item ("," item)*
    item       := group | condition
    condition  := path "[" comparator "]" ":" value
    path       := name ("." name)*
    value      := quoted | bare | "[" element ("," element)* "]"   (lists for in/containsAny)

The parser is a hand-written scanner: quoted sections are skipped, a group's children are split
on the commas at its own nesting level, and every condition is cut at its first `[`, the next
`]` and the `:` that must follow. Values stay strings; the core coerces them per field type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chalicelib.core.filters import And, Condition, Filter, Not, Operator, Or
from chalicelib.errors import InvalidQueryParamError

_GROUPS = ("and", "or", "not")
_QUOTES = "\"'"
# A quote only opens a quoted section where an item, a value or a list element can begin, so an
# apostrophe inside a bare value (`name[eq]:O'Brien`) is an ordinary character.
_QUOTE_OPENERS = "(,:["
# (parentheses, square brackets) depth change of each nesting character.
_NESTING = {"(": (1, 0), ")": (-1, 0), "[": (0, 1), "]": (0, -1)}
_IS_VALUES = ("NULL", "NOT_NULL")
_LIST_OPERATORS = (Operator.IN, Operator.CONTAINS_ANY)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Twenty has no limit; ours turns a pathological query into a 400 instead of a RecursionError.
MAX_NESTING = 32


def parse_filter(text: str) -> Filter:
    """The filter tree of a `filter` query parameter; an implicit top-level list becomes And."""
    if not text.strip():
        raise InvalidQueryParamError("'filter' invalid: the filter is empty")
    _check_parentheses(text)
    text = text.strip()
    if _group_name(text) is None:
        text = f"and({text})"
    return _parse_item(text, depth=1)


def parse_field_path(text: str, *, context: str) -> tuple[str, ...]:
    """`emails.primaryEmail` -> ("emails", "primaryEmail"); `context` prefixes the error."""
    segments = tuple(text.split("."))
    for segment in segments:
        if not _NAME.fullmatch(segment):
            raise InvalidQueryParamError(f"{context}, '{segment}' is not a valid field name")
    return segments


def _structural(text: str) -> Iterator[tuple[int, str]]:
    """Yield (index, char) for every character of `text` outside quoted sections."""
    quote, quote_start = "", 0
    previous = "("  # the start of the text is where an item begins
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote, previous = "", char
            continue
        if char in _QUOTES and previous in _QUOTE_OPENERS:
            quote, quote_start = char, index
            continue
        yield index, char
        if not char.isspace():
            previous = char
    if quote:
        raise InvalidQueryParamError(
            f"'filter' invalid: quote {quote} at position {quote_start} is never closed"
        )


def _check_parentheses(text: str) -> None:
    opened = closed = 0
    stray = -1
    for index, char in _structural(text):
        if char == "(":
            opened += 1
        elif char == ")":
            closed += 1
            if closed > opened and stray < 0:
                stray = index
    if opened > closed:
        raise InvalidQueryParamError(f"'filter' invalid. {_missing('close', opened - closed)}")
    if closed > opened:
        raise InvalidQueryParamError(f"'filter' invalid. {_missing('open', closed - opened)}")
    if stray >= 0:
        # Equal counts in the wrong order (`)(`), which Twenty's count-based check lets through.
        raise InvalidQueryParamError(f"'filter' invalid: ')' at position {stray} closes nothing")


def _missing(kind: str, count: int) -> str:
    # Twenty's wording, e.g. "1 close bracket is missing in the query".
    noun = f"{kind} bracket is" if count == 1 else f"{kind} brackets are"
    return f"{count} {noun} missing in the query"


def _group_name(item: str) -> str | None:
    for name in _GROUPS:
        if item.startswith(f"{name}("):
            return name
    return None


def _parse_item(item: str, *, depth: int) -> Filter:
    item = item.strip()
    if not item:
        raise InvalidQueryParamError("'filter' invalid: empty condition in the list")
    name = _group_name(item)
    if name is None:
        return _parse_condition(item)
    if depth > MAX_NESTING:
        raise InvalidQueryParamError(
            f"'filter' invalid: groups are nested deeper than {MAX_NESTING} levels"
        )
    return _parse_group(name, item, depth=depth)


def _parse_group(name: str, item: str, *, depth: int) -> Filter:
    open_index = len(name)
    close_index = _matching_parenthesis(item, open_index)
    if close_index != len(item) - 1:
        raise InvalidQueryParamError(
            f"'filter' invalid: unexpected '{item[close_index + 1 :]}' "
            f"after '{item[: close_index + 1]}'"
        )
    content = item[open_index + 1 : close_index]
    parts = _split_commas(content) if content.strip() else []
    if name == "not":
        if len(parts) != 1:
            raise InvalidQueryParamError("'filter' invalid: not() takes exactly one condition")
        return Not(_parse_item(parts[0], depth=depth + 1))
    if not parts:
        raise InvalidQueryParamError(f"'filter' invalid: {name}() needs at least one condition")
    children = tuple(_parse_item(part, depth=depth + 1) for part in parts)
    return And(children) if name == "and" else Or(children)


def _matching_parenthesis(text: str, open_index: int) -> int:
    depth = 0
    for index, char in _structural(text):
        if index < open_index or char not in "()":
            continue
        depth += 1 if char == "(" else -1
        if depth == 0:
            return index
    # Unreachable after _check_parentheses, which already saw the whole query.
    raise InvalidQueryParamError(f"'filter' invalid. {_missing('close', depth)}")


def _split_commas(text: str) -> list[str]:
    """Cut `text` on the commas outside quotes, parentheses and square brackets."""
    parts: list[str] = []
    start = parentheses = brackets = 0
    for index, char in _structural(text):
        if char == "," and parentheses == brackets == 0:
            parts.append(text[start:index])
            start = index + 1
        elif char in _NESTING:
            parentheses += _NESTING[char][0]
            brackets += _NESTING[char][1]
            if brackets < 0:
                break
    if brackets:
        raise InvalidQueryParamError(f"'filter' invalid: unbalanced square brackets in '{text}'")
    parts.append(text[start:])
    return parts


def _parse_condition(item: str) -> Condition:
    context = f"'filter' invalid for '{item}'"
    open_index = item.find("[")
    close_index = item.find("]", open_index + 1)
    if open_index < 0 or close_index < 0 or item[close_index + 1 : close_index + 2] != ":":
        raise InvalidQueryParamError(f"{context}, expected field[comparator]:value")
    path = parse_field_path(item[:open_index], context=context)
    operator = _operator(item[open_index + 1 : close_index], context)
    value = _parse_value(operator, item[close_index + 2 :].strip(), context)
    return Condition(path, operator, value)


def _operator(comparator: str, context: str) -> Operator:
    try:
        return Operator(comparator)
    except ValueError:
        allowed = ", ".join(operator.value for operator in Operator)
        raise InvalidQueryParamError(
            f"{context}, comparator {comparator} not in {allowed}"
        ) from None


def _parse_value(operator: Operator, raw: str, context: str) -> str | list[str]:
    if not raw:
        raise InvalidQueryParamError(f"{context}, value is missing")
    if operator in _LIST_OPERATORS:
        return _parse_list(raw, context)
    if operator is Operator.IS:
        # Twenty keeps the raw text and accepts exactly these two spellings.
        if raw not in _IS_VALUES:
            raise InvalidQueryParamError(f"{context}, value must be NULL or NOT_NULL")
        return raw
    return _unquote(raw)


def _parse_list(raw: str, context: str) -> list[str]:
    if len(raw) < 2 or raw[0] != "[" or raw[-1] != "]":
        raise InvalidQueryParamError(f"{context}, value must be a list like [a,b]")
    inner = raw[1:-1]
    if not inner.strip():
        return []
    # Unlike Twenty, quoted elements may contain commas: `["a,b",c]` has two elements.
    elements = [element.strip() for element in _split_commas(inner)]
    if not all(elements):
        raise InvalidQueryParamError(f"{context}, the list has an empty element")
    return [_unquote(element) for element in elements]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] in _QUOTES and value[-1] == value[0]:
        return value[1:-1]
    return value
