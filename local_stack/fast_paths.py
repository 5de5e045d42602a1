"""Shortcuts through moto's hot spots that return exactly what the long way returns.

Found by profiling writes and reads with 100,000 records stored (docs/performance.md):
- `DynamoType.cast_value` tries five other types before answering a string with itself, and
  every sort, comparison and hash of a key calls it;
- moto's item attribute dict re-measures the whole item on every attribute it stores (to
  refuse items over its own 405,000-byte rule), which makes building an item quadratic in its
  attributes; the size rule is AWS's here, checked once per write (local_stack/limits.py);
- a KEYS_ONLY index Query converts every item to plain Python and back once per key
  attribute to project it, and a ProjectionExpression converts the whole item once per name;
- moto sizes every candidate of a Query twice (for its 1 MB cap), testing five other types
  before measuring a string, and converts every answer to plain dicts the generic way;
- moto parses every condition expression two or three times per write, and lists the
  handler's methods with `inspect` on every request;
- moto's response serializer walks all ten members of DynamoDB's AttributeValue shape for
  every attribute of every item; a one-member string or number value is copied as the
  serializer would have written it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from moto.dynamodb.models.dynamo_type import DDBType, DynamoType, Item, LimitedSizeDict

_SCALARS = frozenset({"S", "N"})


def utf8_length(text: str) -> int:
    """Bytes of `text` in UTF-8, without encoding it when it is ASCII (most keys and bodies)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def install_cast_value() -> None:
    recast = DynamoType.cast_value.fget  # type: ignore[attr-defined]

    def cast_value(self: DynamoType) -> Any:
        return self.value if self.type == DDBType.STRING else recast(self)

    DynamoType.cast_value = property(cast_value)  # type: ignore[method-assign,assignment]


def install_unmeasured_attributes() -> None:
    LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[method-assign,assignment]


def plain_attribute_values(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def serialize_structure(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if (
            key
            and shape.name == "AttributeValue"
            and isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in _SCALARS
            and isinstance(next(iter(value.values())), str)
        ):
            # What the generic walk yields for a one-member string structure: a copy of it.
            self._default_serialize(serialized, dict(value), shape, key)
            return
        original(self, serialized, value, shape, key)

    return serialize_structure


def projected_keys(original: Callable[[Any, Item], Item]) -> Callable[[Any, Item], Item]:
    """A KEYS_ONLY index answer built by picking the key attributes out of the item.

    moto's projection converts the whole item to plain Python and back once per key attribute
    (four times per item here), then rebuilds it; for string keys, what comes back is exactly
    the item's own key attributes, in the projection's order, which is what this returns.
    """

    @functools.wraps(original)
    def project(self: Any, item: Item) -> Item:
        projection = self.projection or {}
        if projection.get("ProjectionType") != "KEYS_ONLY":
            return original(self, item)
        names = self.table_key_attrs + [key["AttributeName"] for key in self.schema]
        attrs = item.attrs
        picked = {name: attrs[name] for name in names if name in attrs}
        if any(value.type != DDBType.STRING for value in picked.values()):
            return original(self, item)
        return Item(item.hash_key, item.range_key, {k: v.to_json() for k, v in picked.items()})

    return project


def projected_names(original: Callable[[Item, list[list[str]]], Item]) -> Callable[..., Item]:
    """`Item.project` for a ProjectionExpression of top-level names only (what the API's record
    reads ask: `pk, sk, d, v, deletedAt, tomb`), by picking those attributes.

    moto converts the whole item to plain Python and back once per projected name (six times
    per record, every attribute through boto3's deserializer and a deepcopy): ~200 µs a record
    of a BatchGetItem. The answer is the same when every picked value converts back to itself:
    strings, booleans, nulls and numbers already written in Python's canonical decimal form.
    """

    @functools.wraps(original)
    def project(self: Item, projection_expressions: list[list[str]]) -> Item:
        if any(len(path) != 1 or "[" in path[0] for path in projection_expressions):
            return original(self, projection_expressions)
        attrs = self.attrs
        picked = {}
        for (name,) in projection_expressions:
            value = attrs.get(name)
            if value is None or name in picked:
                continue
            if not _converts_to_itself(value):
                return original(self, projection_expressions)
            picked[name] = value.to_json()
        return Item(self.hash_key, self.range_key, picked)

    return project


def _converts_to_itself(value: DynamoType) -> bool:
    if value.type in (DDBType.STRING, DDBType.BOOLEAN, DDBType.NULL):
        return True
    if value.type == DDBType.NUMBER and value.value.__class__ is str:
        try:
            return str(Decimal(value.value)) == value.value
        except ArithmeticError:
            return False
    return False


def measured_strings(original: Callable[[DynamoType], int]) -> Callable[[DynamoType], int]:
    """`DynamoType.size` of a string without the five type tests before it (moto sizes every
    candidate of a Query twice, for its 1 MB cap)."""

    @functools.wraps(original)
    def size(self: DynamoType) -> int:
        value = self.value
        if self.type == DDBType.STRING and value.__class__ is str:
            return utf8_length(value)
        return original(self)

    return size


def plain_scalars(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """moto's `dynamo_to_dict` (the answer's conversion to plain dicts) with string and number
    values, and the dicts and lists around them, converted without its generic checks."""

    def convert(obj: Any) -> Any:
        kind = obj.__class__
        if kind is DynamoType and obj.type in _SCALARS and obj.value.__class__ is str:
            return {obj.type: obj.value}
        if kind is dict or kind is LimitedSizeDict:
            return {key: convert(value) for key, value in obj.items()}
        if kind is list:
            return [convert(value) for value in obj]
        return original(obj)

    return functools.wraps(original)(convert)


def _plain(value: Any) -> bool:
    return (
        value.__class__ is dict
        and len(value) == 1
        and next(iter(value)) in _SCALARS
        and next(iter(value.values())).__class__ is str
    )


def plain_attribute_maps(original: Callable[..., None]) -> Callable[..., None]:
    """An item (a map of AttributeValues) whose values are all plain strings or numbers, copied
    as the serializer's walk over each of them would have written it."""

    @functools.wraps(original)
    def serialize_map(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        member = getattr(shape, "value", None)
        if (
            member is not None
            and member.name == "AttributeValue"
            and isinstance(value, dict)
            and all(_plain(element) for element in value.values())
        ):
            copied = self.MAP_TYPE()
            for name, element in value.items():
                copied[name] = dict(element)
            self._default_serialize(serialized, copied, shape, key)
            return
        original(self, serialized, value, shape, key)

    return serialize_map


def measured_items(original: Callable[[Item], int]) -> Callable[[Item], int]:
    """`Item.size` with its string attributes measured inline (same sum, same bytes)."""

    @functools.wraps(original)
    def size(self: Item) -> int:
        total = 0
        for name, value in self.attrs.items():
            inner = value.value
            if value.type == DDBType.STRING and inner.__class__ is str:
                total += utf8_length(name) + utf8_length(inner)
            else:
                total += utf8_length(name) + value.size()
        return total

    return size


_PARSED_KEPT = 1024


def remembered_conditions(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`ConditionExpressionParser.parse` once per distinct (expression, names, values).

    moto parses every condition two or three times per write (the request's validation, the
    transaction's check, the put's own check) with a regex lexer: half of a 60-record batch's
    emulated time. The tree it returns is only read when evaluated, so one parse serves every
    identical condition (the app's creates all use the same few); the names and values the
    parse found are handed back too, for the request's validation.
    """
    lock = threading.Lock()
    parsed: OrderedDict[tuple[Any, ...], tuple[Any, list[str], list[str]]] = OrderedDict()

    @functools.wraps(original)
    def parse(self: Any) -> Any:
        try:
            key = (
                self.condition_expression,
                json.dumps(self.expression_attribute_names, sort_keys=True),
                json.dumps(self.expression_attribute_values, sort_keys=True),
            )
        except (TypeError, ValueError):
            return original(self)
        with lock:
            found = parsed.get(key)
            if found is not None:
                parsed.move_to_end(key)
        if found is None:
            tree = original(self)  # an invalid expression raises here, and is not kept
            found = (tree, list(self.expr_attr_names_found), list(self.expr_attr_values_found))
            with lock:
                parsed[key] = found
                if len(parsed) > _PARSED_KEPT:
                    parsed.popitem(last=False)
        self.expr_attr_names_found = list(found[1])
        self.expr_attr_values_found = list(found[2])
        return found[0]

    return parse


def remembered_method_names(original: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
    """moto lists a handler class's methods with `inspect.getmembers` on every request (to
    find the action's method); for the DynamoDB handlers the list is worked out once. Wrapping
    a method keeps its name, so later patches do not change the list."""
    known: dict[type, list[str]] = {}

    @functools.wraps(original)
    def method_names_from_class(clazz: Any) -> list[str]:
        if not getattr(clazz, "__module__", "").startswith("moto.dynamodb"):
            return original(clazz)
        names = known.get(clazz)
        if names is None:
            names = known[clazz] = original(clazz)
        return list(names)

    return method_names_from_class


def _plain_item(value: Any) -> bool:
    return isinstance(value, dict) and all(_plain(element) for element in value.values())


def plain_item_lists(original: Callable[..., None]) -> Callable[..., None]:
    """A list of items (Query, Scan and BatchGetItem answers) whose values are all plain strings
    or numbers, copied as the walk over each item and value would have written it."""

    @functools.wraps(original)
    def serialize_list(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        member = getattr(shape, "member", None)
        attribute = getattr(member, "value", None)
        if (
            attribute is not None
            and attribute.name == "AttributeValue"
            and isinstance(value, list)
            and all(_plain_item(item) for item in value)
        ):
            copied = [{name: dict(element) for name, element in item.items()} for item in value]
            self._default_serialize(serialized, copied, shape, key)
            return
        original(self, serialized, value, shape, key)

    return serialize_list
