"""Hypothesis strategies for REST requests: random and grammar-shaped bodies, filters, order_by,
limits, depths and cursors, drawn from the standard objects' metadata.

Each strategy mixes three sources: values shaped like what a client means to send (field names
and types from the metadata, Twenty's filter grammar), the same with a few characters damaged,
and plain noise, weighted so that most requests get past validation and reach the store.

Every strategy is built once (per object) and only drawn from afterwards: building strategies
inside a draw costs Hypothesis far more than the request it generates.

Known open findings (see test_fuzz_findings.py) are kept out by the switches below until their
fixes land; flip a switch to fuzz that area too.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from chalicelib.core import composites
from chalicelib.core.coercion import RATING_VALUES
from chalicelib.core.filters import Direction, Operator
from chalicelib.core.query_validation import (
    ResolvedPath,
    allowed_operators,
    is_orderable,
    resolve_path,
)
from chalicelib.metadata.builder import build_standard_objects
from chalicelib.metadata.model import SERVER_OWNED_FIELD_NAMES, FieldType, ObjectDef

# --- switches for the areas of issue 17's findings: turn one off to keep the fuzzers green while
# a regression there is being fixed (and mark its regression test xfail meanwhile).
# JSON nested past the decoder's depth limit (a RecursionError, so a 500, before that limit).
DEEP_JSON = True
# Lone UTF-16 surrogates in JSON strings and query strings (a UnicodeEncodeError before the
# decoder checked them).
LONE_SURROGATES = True
# Field values past DynamoDB's 400 KB item size (a failed TransactWriteItems before the record
# size was checked).
OVERSIZED_VALUES = True

# The standard objects of every new workspace (names, types and options; ids differ).
STANDARD: dict[str, ObjectDef] = {
    obj.name_plural: obj for obj in build_standard_objects(now="2025-01-01T00:00:00.000Z")
}
FUZZED_OBJECTS = ("companies", "people", "opportunities", "tasks", "notes")

# Text that means something to one parser or another.
SPECIAL_TEXT = (
    "", " ", "null", "NULL", "NOT_NULL", "true", "false", "%", "_", "%%", "\\", "\\%", "'", '"',
    '""', "''", ",", "(", ")", "()", "[", "]", "[]", ":", ".", "..", "and(", "or()", "not(",
    "and", "\x00", "\t\n", "🙂", "ß", "İ", "ﬃ", "ǅ", "\u0301", "\ufeff", "\u2028", "1e309",
    "-1e309", "NaN", "Infinity", "-0", "1_000", "0x10", "+12", "1e400", "9" * 60,
    "00000000-0000-0000-0000-000000000000", "3F2504E0-4F89-41D3-9A0C-0305E82C3301",
    "2024-02-30", "2024-01-01T00:00:00Z", "2024-01-01T25:61:00.000Z", "9999-12-31",
    "0000-01-01", "-001-01-01", "2024-13-01", "RATING_6", "API", "USD", "<script>",
    "${jndi:x}", "'; DROP TABLE t; --", "a" * 300,
)  # fmt: skip


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of `choices`, picked in proportion to its weight.

    (`st.one_of` merges repeated strategies, so listing one several times does not weigh it.)
    """
    total = sum(weight for weight, _ in choices)
    tickets = st.integers(0, total - 1)

    @st.composite
    def pick(draw: st.DrawFn) -> Any:
        ticket = draw(tickets)
        for weight, strategy in choices:
            if ticket < weight:
                return draw(strategy)
            ticket -= weight
        raise AssertionError("unreachable: the ticket is below the total")

    return pick()


def chance(percent: int) -> st.SearchStrategy[bool]:
    """True `percent` times in a hundred."""
    return weighted((percent, st.just(True)), (100 - percent, st.just(False)))


# --- scalars and JSON


@functools.cache
def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    characters = st.characters() if LONE_SURROGATES else st.characters(codec="utf-8")
    return st.one_of(
        st.sampled_from(SPECIAL_TEXT),
        st.text(characters, max_size=max_size),
        st.text("aA%_\\'\",()[]:. 0-9", max_size=max_size),
    )


@functools.cache
def numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-(2**70), 2**70),
        st.sampled_from([0, -1, 2**31, 2**53 + 1, 10**38, 10**39, -(10**40), 0.1, -0.0]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str),
    )


@functools.cache
def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), numbers(), texts())
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(texts(12), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


@functools.cache
def uuids() -> st.SearchStrategy[str]:
    """Version-4 UUIDs mostly (Twenty takes versions 1 to 5), any version now and then."""
    return weighted((6, st.uuids(version=4)), (1, st.uuids())).map(str)


@functools.cache
def dates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.dates().map(str),
        st.datetimes().map(lambda moment: moment.isoformat()),
        st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"),
    )


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace"]),
        st.floats(0, 1),
        st.sampled_from(list("{}[]\",:\\()%'.0 \x00é")),
    ),
    min_size=1,
    max_size=3,
)


def damaged(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Texts of `strategy` with one to three characters inserted, deleted or replaced."""
    return st.tuples(strategy, EDITS).map(lambda pair: apply_edits(*pair))


def apply_edits(text: str, edits: list[tuple[str, float, str]]) -> str:
    for kind, where, char in edits:
        at = int(where * len(text))
        if kind == "insert":
            text = text[:at] + char + text[at:]
        else:
            text = text[:at] + ("" if kind == "delete" else char) + text[at + 1 :]
    return text


# --- record bodies


def _options(field: Any) -> tuple[str, ...]:
    return tuple(option.value for option in field.options) or ("X",)


@functools.cache
def huge_texts() -> st.SearchStrategy[str]:
    """Text around DynamoDB's 400 KB item limit (in characters of one or two UTF-8 bytes)."""
    return st.tuples(st.integers(130_000, 430_000), st.sampled_from(["x", "é"])).map(
        lambda pair: pair[1] * (pair[0] // len(pair[1].encode()))
    )


@functools.cache
def record_texts() -> st.SearchStrategy[str]:
    if not OVERSIZED_VALUES:
        return texts()
    return weighted((80, texts()), (1, huge_texts()))


@functools.cache
def valid_values(field_type: FieldType, options: tuple[str, ...] = ("X",)) -> st.SearchStrategy:
    """A value a careful client would send for `field_type` (mostly accepted)."""
    if composites.is_composite(field_type):
        subs = composites.sub_fields(field_type)
        return st.fixed_dictionaries(
            {}, optional={sub.name: valid_sub_values(field_type, sub.name) for sub in subs}
        )
    simple: dict[FieldType, st.SearchStrategy[Any]] = {
        FieldType.TEXT: record_texts(),
        FieldType.RICH_TEXT: record_texts(),
        FieldType.NUMBER: st.integers(-(2**31), 2**31 - 1),
        FieldType.NUMERIC: st.one_of(st.integers(-(10**12), 10**12), st.floats(-1e9, 1e9)),
        FieldType.POSITION: st.floats(-1e9, 1e9),
        FieldType.BOOLEAN: st.booleans(),
        FieldType.DATE: st.dates().map(str),
        FieldType.DATE_TIME: dates(),
        FieldType.UUID: uuids(),
        FieldType.SELECT: st.sampled_from(options),
        FieldType.MULTI_SELECT: st.lists(st.sampled_from(options), unique=True),
        FieldType.RATING: st.sampled_from(RATING_VALUES),
        FieldType.ARRAY: st.lists(texts(10), max_size=4),
        FieldType.RAW_JSON: json_values(),
    }
    return simple.get(field_type, json_values())


@functools.cache
def typed_values(field_type: FieldType, options: tuple[str, ...] = ("X",)) -> st.SearchStrategy:
    """A value of roughly the right shape for `field_type`: mostly valid, sometimes not."""
    if composites.is_composite(field_type):
        subs = composites.sub_fields(field_type)
        loose = st.fixed_dictionaries(
            {}, optional={sub.name: sub_values(field_type, sub.name) for sub in subs}
        )
    else:
        loose = st.one_of(numbers(), texts(), st.sampled_from(["RATING_0", "RATING_6"]))
    return weighted((4, valid_values(field_type, options)), (1, loose))


@functools.cache
def valid_sub_values(field_type: FieldType, name: str) -> st.SearchStrategy[Any]:
    sub = composites.find_sub_field(field_type, name)
    assert sub is not None
    emails = st.emails().map(str.lower)
    links = st.fixed_dictionaries({"url": st.just("https://example.com"), "label": texts(8)})
    kinds: dict[composites.SubFieldKind, st.SearchStrategy[Any]] = {
        composites.SubFieldKind.EMAIL: emails,
        composites.SubFieldKind.CURRENCY_CODE: st.sampled_from(["USD", "EUR", "JPY"]),
        composites.SubFieldKind.ACTOR_SOURCE: st.sampled_from(composites.ACTOR_SOURCES),
        composites.SubFieldKind.EMAIL_LIST: st.lists(emails, max_size=3),
        composites.SubFieldKind.PHONE_LIST: st.just([]),
        composites.SubFieldKind.LINK_LIST: st.lists(links, max_size=2),
        composites.SubFieldKind.NUMBER: st.integers(-(10**12), 10**12),
        composites.SubFieldKind.UUID: uuids(),
        composites.SubFieldKind.JSON_OBJECT: st.dictionaries(texts(8), texts(8), max_size=2),
    }
    return kinds.get(sub.kind, record_texts())


@functools.cache
def sub_values(field_type: FieldType, name: str) -> st.SearchStrategy[Any]:
    sub = composites.find_sub_field(field_type, name)
    assert sub is not None
    phone = st.fixed_dictionaries({}, optional=dict.fromkeys(composites.PHONE_ITEM_KEYS, texts(8)))
    link = st.fixed_dictionaries({}, optional=dict.fromkeys(composites.LINK_ITEM_KEYS, texts(8)))
    kinds: dict[composites.SubFieldKind, st.SearchStrategy[Any]] = {
        composites.SubFieldKind.EMAIL: st.one_of(st.emails(), texts(12)),
        composites.SubFieldKind.CURRENCY_CODE: st.sampled_from(["USD", "EUR", "", "usd", "XXX"]),
        composites.SubFieldKind.ACTOR_SOURCE: st.sampled_from([*composites.ACTOR_SOURCES, "x"]),
        composites.SubFieldKind.EMAIL_LIST: st.lists(st.one_of(st.emails(), texts(8)), max_size=3),
        composites.SubFieldKind.PHONE_LIST: st.lists(phone),
        composites.SubFieldKind.LINK_LIST: st.lists(link),
    }
    shaped = kinds.get(sub.kind, typed_values(sub.type))
    return weighted((6, valid_sub_values(field_type, name)), (2, shaped), (1, json_values(4)))


@functools.cache
def record_bodies(plural: str, ids: tuple[str, ...] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object keyed mostly by the object's writable fields (join columns take `ids`),
    now and then with a field the server owns or a name that is no field at all."""
    obj = STANDARD[plural]
    fields: dict[str, st.SearchStrategy[Any]] = {
        field.name: typed_values(field.type, _options(field))
        for field in obj.by_name.values()
        if field.type is not FieldType.RELATION
    }
    join_ids = st.sampled_from(ids) if ids else uuids()
    for join_column in obj.by_join_column:
        fields[join_column] = weighted((3, join_ids), (2, uuids()), (1, texts(10)))
    writable = {name: values for name, values in fields.items()}
    for name in SERVER_OWNED_FIELD_NAMES:
        writable.pop(name, None)
    shaped = st.fixed_dictionaries({}, optional=writable)
    extra = weighted(
        (10, st.just({})),
        (1, st.fixed_dictionaries({}, optional=fields)),
        (1, st.dictionaries(texts(12), json_values(4), max_size=2)),
    )
    return st.tuples(shaped, extra).map(lambda pair: {**pair[0], **pair[1]})


@functools.cache
def raw_bodies(shaped: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes | str]:
    """The serialised body, its text with damage, a JSON value of another kind, or noise."""
    serialised = shaped.map(json.dumps)
    return weighted(
        (16, serialised),
        (1, damaged(serialised)),
        (1, json_values().map(json.dumps)),
        (1, st.sampled_from(["", "null", "[]", "{}", "NaN", "[NaN]", '{"a": Infinity}', "1e999"])),
        (1, nested_json()),
        (1, st.binary(max_size=40)),
    )


@functools.cache
def nested_json() -> st.SearchStrategy[str]:
    """Arrays or objects nested deep (within the decoder's limit unless DEEP_JSON)."""
    depth = st.integers(1, 2000 if DEEP_JSON else 60)
    return st.tuples(depth, st.booleans()).map(
        lambda pair: (
            ("[" * pair[0] + "]" * pair[0])
            if pair[1]
            else ('{"a":' * pair[0] + "1" + "}" * pair[0])
        )
    )


# --- filters (Twenty's grammar: field[op]:value, and/or/not groups, dotted paths, quoting)


def field_paths(obj: ObjectDef) -> list[str]:
    """Every path a filter or a sort may name on `obj`, and the bare composites and relations."""
    paths = ["id", "createdAt", "updatedAt", "deletedAt", "position", "createdBy.source"]
    for field in obj.by_name.values():
        paths.append(field.name)
        paths += [f"{field.name}.{sub}" for sub in composites.sub_field_names(field.type)]
    paths += list(obj.by_join_column)
    return sorted(set(paths))


def targets(obj: ObjectDef) -> list[ResolvedPath]:
    """The paths that denote one value (composite sub-fields, join columns, plain fields)."""
    found = []
    for path in field_paths(obj):
        target = resolve_path(obj, tuple(path.split(".")))
        if allowed_operators(target.type) or is_orderable(target):
            found.append(target)
    return found


_identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)


@functools.cache
def paths(plural: str) -> st.SearchStrategy[str]:
    """Mostly paths of the object, some one level too deep, some invented."""
    known = field_paths(STANDARD[plural])
    return weighted(
        (6, st.sampled_from(known)),
        (1, st.sampled_from(known).map(lambda path: path + ".sub")),
        (1, st.lists(_identifiers, min_size=1, max_size=4).map(".".join)),
        (1, texts(10)),
    )


def valid_literals(target: ResolvedPath, ids: Sequence[str]) -> st.SearchStrategy[str]:
    """Text of a value `target` accepts, as a client writes it in a query string."""
    field_type = target.type
    if field_type is FieldType.UUID:
        shaped: st.SearchStrategy[str] = st.one_of(uuids(), st.sampled_from(list(ids) or [""]))
    elif field_type in (FieldType.NUMBER, FieldType.NUMERIC, FieldType.POSITION):
        shaped = st.one_of(st.integers(-(10**12), 10**12), st.floats(-1e9, 1e9)).map(str)
    elif field_type is FieldType.BOOLEAN:
        shaped = st.sampled_from(["true", "false", "TRUE"])
    elif field_type in (FieldType.DATE, FieldType.DATE_TIME):
        shaped = dates()
    elif target.ranks:
        shaped = st.sampled_from(sorted(target.ranks))
    else:
        shaped = texts(20).filter(lambda text: text.strip() == text)
    return weighted((2, shaped), (1, shaped.map(lambda text: f'"{text}"')))


_PATTERNS = st.text("aAcmeé%_\\ ", min_size=1, max_size=8)
_IS_VALUES = st.sampled_from(["NULL", "NOT_NULL"])
_ANY_IS_VALUES = st.sampled_from(["NULL", "NOT_NULL", "null", "not_null", "NOTNULL"])
_PATTERN_OPERATORS = (Operator.LIKE, Operator.ILIKE, Operator.STARTS_WITH, Operator.ENDS_WITH)


def _bracketed(elements: st.SearchStrategy[str], min_size: int) -> st.SearchStrategy[str]:
    return st.lists(elements, min_size=min_size, max_size=4).map(lambda v: f"[{','.join(v)}]")


def _valid_condition(target: ResolvedPath, ids: Sequence[str]) -> st.SearchStrategy[str]:
    """Conditions on `target` that the metadata accepts: one of its operators, a fitting value."""
    literal = valid_literals(target, ids)
    by_operator = []
    for operator in allowed_operators(target.type):
        if operator is Operator.IS:
            values = _IS_VALUES
        elif operator in (Operator.IN, Operator.CONTAINS_ANY):
            values = _bracketed(literal, 1)
        elif operator in _PATTERN_OPERATORS:
            values = _PATTERNS
        else:
            values = literal
        by_operator.append(values.map(lambda value, op=operator: f"{target.label}[{op}]:{value}"))
    return st.one_of(by_operator)


def _noisy_condition(
    path: st.SearchStrategy[str], literal: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Conditions on a path of `path` with any comparator and any value, or none."""
    comparators = st.one_of(st.sampled_from([op.value for op in Operator]), texts(6))
    values = st.one_of(literal, _bracketed(literal, 0), _ANY_IS_VALUES)
    return st.tuples(path, comparators, values).map(lambda parts: "{}[{}]:{}".format(*parts))


def _any_literals(ids: Sequence[str]) -> st.SearchStrategy[str]:
    plain = st.one_of(texts(20), numbers().map(str), st.sampled_from(list(ids) or [""]))
    return weighted(
        (2, plain), (1, plain.map(lambda text: f'"{text}"')), (1, plain.map(lambda t: f"'{t}'"))
    )


@functools.cache
def conditions(plural: str, ids: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """One `path[comparator]:value`: mostly valid for the object, sometimes anything."""
    obj = STANDARD[plural]
    filterable = [target for target in targets(obj) if allowed_operators(target.type)]
    valid = st.one_of([_valid_condition(target, ids) for target in filterable])
    anything = _any_literals(ids)
    noisy = st.one_of(
        [
            _noisy_condition(st.just(target.label), valid_literals(target, ids))
            for target in filterable
        ]
        + [_noisy_condition(paths(plural), anything)]
    )
    return weighted((12, valid), (1, noisy))


@functools.cache
def grammar_filters(plural: str, ids: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """and/or/not groups of conditions, well formed but for a rare wrong group."""

    def groups(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        many = st.tuples(st.sampled_from(["and", "or"]), st.lists(children, min_size=1, max_size=3))
        odd = st.tuples(st.sampled_from(["not", "and", "AND", "nand"]), st.lists(children))
        return weighted(
            (8, many.map(lambda pair: f"{pair[0]}({','.join(pair[1])})")),
            (3, children.map(lambda child: f"not({child})")),
            (1, odd.map(lambda pair: f"{pair[0]}({','.join(pair[1])})")),
        )

    return st.recursive(conditions(plural, ids), groups, max_leaves=6)


@functools.cache
def deep_filters(plural: str) -> st.SearchStrategy[str]:
    """Groups nested around one condition, on both sides of the nesting limit."""
    parts = st.tuples(st.integers(1, 80), st.sampled_from(["not", "and", "or"]), conditions(plural))
    return parts.map(lambda p: f"{p[1]}(" * p[0] + p[2] + ")" * p[0])


@functools.cache
def filters(plural: str, ids: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """A `filter` parameter: grammar-shaped (as is, top-level list, damaged, deep) or noise."""
    shaped = grammar_filters(plural, ids)
    lists = st.lists(conditions(plural, ids), min_size=1, max_size=3).map(",".join)
    return weighted(
        (14, shaped),
        (4, lists),
        (1, damaged(shaped)),
        (1, deep_filters(plural)),
        (1, st.text("andornt()[],:.\"'%eqinl ", max_size=40)),
        (1, texts(40)),
    )


# --- order_by, limit, depth, cursors


@functools.cache
def order_bys(plural: str) -> st.SearchStrategy[str]:
    """Mostly distinct orderable paths with or without a direction; sometimes anything."""
    orderable = [target.label for target in targets(STANDARD[plural]) if is_orderable(target)]
    directions = [d.value for d in Direction]
    valid_item = st.one_of(
        st.sampled_from(orderable),
        st.tuples(st.sampled_from(orderable), st.sampled_from(directions)).map(
            lambda pair: f"{pair[0]}[{pair[1]}]"
        ),
    )
    valid = st.lists(valid_item, min_size=1, max_size=3, unique_by=lambda i: i.split("[")[0])
    direction = st.one_of(st.sampled_from(directions), texts(8), st.just(""))
    noisy_item = st.one_of(
        paths(plural),
        st.tuples(paths(plural), direction).map(lambda pair: f"{pair[0]}[{pair[1]}]"),
    )
    noisy = st.lists(noisy_item, min_size=1, max_size=4)
    return weighted(
        (12, valid.map(",".join)),
        (1, noisy.map(",".join)),
        (1, damaged(valid.map(",".join))),
        (1, texts(20)),
    )


@functools.cache
def limits() -> st.SearchStrategy[str]:
    return weighted(
        (8, st.integers(0, 400).map(str)),
        (1, st.integers(-5, -1).map(str)),
        (1, st.sampled_from(["", "00", "1.5", "1e3", "٣", "²", "9" * 40, "-0", " 1", "abc"])),
    )


@functools.cache
def depths() -> st.SearchStrategy[str]:
    return weighted(
        (8, st.sampled_from(["0", "1"])),
        (1, st.sampled_from(["2", "-1", "", "true", "01", "1 "])),
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _tag(cursor: str) -> str | None:
    """The binding inside an opaque (GraphQL) cursor; None for a REST cursor (a record id)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        pair = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return None
    return pair[1] if isinstance(pair, list) and len(pair) == 2 else None


@functools.cache
def cursors(
    real: tuple[str, ...], ids: tuple[str, ...], foreign_ids: tuple[str, ...]
) -> st.SearchStrategy[str]:
    """Real cursors (this list's, other sorts', other objects', another workspace's), forged
    opaque ones pairing a real or made-up tag with another record (REST still reads the opaque
    form it used to emit), base64 of random JSON, and noise."""
    tags = sorted({tag for tag in map(_tag, real) if isinstance(tag, str)}) or ["0" * 16]
    records = list(ids) + list(foreign_ids) or ["00000000-0000-4000-8000-000000000000"]
    forged = st.tuples(
        st.one_of(st.sampled_from(records), uuids(), json_values(3)),
        st.one_of(st.sampled_from(tags), texts(16), json_values(2)),
    )
    choices: list[tuple[int, st.SearchStrategy[str]]] = [
        (2, forged.map(lambda pair: _b64(json.dumps(list(pair)).encode()))),
        (1, json_values(6).map(lambda value: _b64(json.dumps(value).encode()))),
        (1, st.binary(max_size=30).map(_b64)),
        (1, texts(30)),
        (2, st.sampled_from(records)),
        (1, uuids()),
    ]
    if real:
        choices += [(6, st.sampled_from(real)), (1, damaged(st.sampled_from(real)))]
    return weighted(*choices)


@dataclass(frozen=True)
class ListParams:
    """The query parameters of one list request (each one present or not)."""

    plural: str
    ids: tuple[str, ...]
    cursors: tuple[str, ...]
    foreign_ids: tuple[str, ...]

    def strategy(self) -> st.SearchStrategy[dict[str, str]]:
        return _list_params(self)


@functools.cache
def _list_params(spec: ListParams) -> st.SearchStrategy[dict[str, str]]:
    cursor = cursors(spec.cursors, spec.ids, spec.foreign_ids)
    # One cursor at most, mostly: both at once are refused before anything else is looked at.
    which = weighted(
        (6, st.just("starting_after")), (6, st.just("ending_before")), (1, st.just("both"))
    )
    optional = {
        "order_by": order_bys(spec.plural),
        "limit": limits(),
        "depth": depths(),
        "filter": grammar_filters(spec.plural, spec.ids),
    }
    params = st.fixed_dictionaries({}, optional=optional)
    paged = st.tuples(params, which, cursor, cursor).map(_with_cursor)
    return weighted((1, params), (1, paged))


def _with_cursor(parts: tuple[dict[str, str], str, str, str]) -> dict[str, str]:
    params, which, first, second = parts
    if which == "both":
        return {**params, "starting_after": first, "ending_before": second}
    return {**params, which: first}
