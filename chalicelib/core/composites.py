"""Composite field types: their ordered sub-fields, empty values and uniqueness-relevant parts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from chalicelib.metadata.model import FieldType

ACTOR_SOURCES = (
    "EMAIL",
    "CALENDAR",
    "WORKFLOW",
    "AGENT",
    "API",
    "IMPORT",
    "MANUAL",
    "SYSTEM",
    "WEBHOOK",
    "APPLICATION",
)

# Keys of one element of PHONES.additionalPhones and of LINKS.secondaryLinks.
PHONE_ITEM_KEYS = ("number", "countryCode", "callingCode")
LINK_ITEM_KEYS = ("url", "label")


class SubFieldKind(StrEnum):
    """The validation rule of a sub-field: finer than its Twenty type (an email is TEXT there)."""

    TEXT = "TEXT"
    NULLABLE_TEXT = "NULLABLE_TEXT"
    EMAIL = "EMAIL"
    CURRENCY_CODE = "CURRENCY_CODE"
    NUMBER = "NUMBER"
    UUID = "UUID"
    ACTOR_SOURCE = "ACTOR_SOURCE"
    JSON_OBJECT = "JSON_OBJECT"
    EMAIL_LIST = "EMAIL_LIST"
    PHONE_LIST = "PHONE_LIST"
    LINK_LIST = "LINK_LIST"


@dataclass(frozen=True, slots=True)
class SubField:
    """One property of a composite field.

    `type` is the type Twenty declares (it drives filter inputs, sorting and schemas); `kind` is
    the rule input values are checked against; `empty` is the value of an unset sub-field.
    """

    name: str
    type: FieldType
    kind: SubFieldKind
    empty: Any
    is_unique: bool = False


def _text(name: str, *, is_unique: bool = False) -> SubField:
    return SubField(name, FieldType.TEXT, SubFieldKind.TEXT, "", is_unique)


# Empty values follow what Twenty returns for an unset composite: "" for text, null for numbers
# and ids; lists are [] rather than null so clients can always iterate them.
COMPOSITE_SUB_FIELDS: Mapping[FieldType, tuple[SubField, ...]] = MappingProxyType(
    {
        FieldType.CURRENCY: (
            SubField("amountMicros", FieldType.NUMERIC, SubFieldKind.NUMBER, None),
            SubField("currencyCode", FieldType.TEXT, SubFieldKind.CURRENCY_CODE, ""),
        ),
        FieldType.FULL_NAME: (_text("firstName"), _text("lastName")),
        FieldType.EMAILS: (
            SubField("primaryEmail", FieldType.TEXT, SubFieldKind.EMAIL, "", is_unique=True),
            SubField("additionalEmails", FieldType.RAW_JSON, SubFieldKind.EMAIL_LIST, []),
        ),
        FieldType.PHONES: (
            _text("primaryPhoneNumber", is_unique=True),
            _text("primaryPhoneCountryCode", is_unique=True),
            _text("primaryPhoneCallingCode", is_unique=True),
            SubField("additionalPhones", FieldType.RAW_JSON, SubFieldKind.PHONE_LIST, []),
        ),
        FieldType.LINKS: (
            _text("primaryLinkUrl", is_unique=True),
            _text("primaryLinkLabel"),
            SubField("secondaryLinks", FieldType.RAW_JSON, SubFieldKind.LINK_LIST, []),
        ),
        FieldType.ADDRESS: (
            _text("addressStreet1"),
            _text("addressStreet2"),
            _text("addressStreet3"),
            _text("addressCity"),
            _text("addressPostcode"),
            _text("addressState"),
            _text("addressCountry"),
            SubField("addressLat", FieldType.NUMERIC, SubFieldKind.NUMBER, None),
            SubField("addressLng", FieldType.NUMERIC, SubFieldKind.NUMBER, None),
        ),
        FieldType.ACTOR: (
            # MANUAL is Twenty's own default source for an actor nobody set.
            SubField("source", FieldType.SELECT, SubFieldKind.ACTOR_SOURCE, "MANUAL"),
            _text("name"),
            SubField("workspaceMemberId", FieldType.UUID, SubFieldKind.UUID, None),
            SubField("context", FieldType.RAW_JSON, SubFieldKind.JSON_OBJECT, {}),
        ),
        FieldType.RICH_TEXT_V2: (
            SubField("blocknote", FieldType.TEXT, SubFieldKind.NULLABLE_TEXT, None),
            SubField("markdown", FieldType.TEXT, SubFieldKind.NULLABLE_TEXT, None),
        ),
    }
)

_BY_NAME: Mapping[FieldType, Mapping[str, SubField]] = MappingProxyType(
    {kind: {sub.name: sub for sub in subs} for kind, subs in COMPOSITE_SUB_FIELDS.items()}
)


def is_composite(field_type: FieldType) -> bool:
    return field_type in COMPOSITE_SUB_FIELDS


def sub_fields(field_type: FieldType) -> tuple[SubField, ...]:
    """The ordered sub-fields of a composite type; () for any other type."""
    return COMPOSITE_SUB_FIELDS.get(field_type, ())


def sub_field_names(field_type: FieldType) -> tuple[str, ...]:
    return tuple(sub.name for sub in sub_fields(field_type))


def find_sub_field(field_type: FieldType, name: str) -> SubField | None:
    return _BY_NAME.get(field_type, {}).get(name)


def unique_sub_field_names(field_type: FieldType) -> tuple[str, ...]:
    """Sub-fields that make up the field's unique constraint; () when it has none (ADDRESS...)."""
    return tuple(sub.name for sub in sub_fields(field_type) if sub.is_unique)


def fresh_empty(sub: SubField) -> Any:
    """The sub-field's empty value, copied so that callers may mutate it."""
    if isinstance(sub.empty, list | dict):
        return type(sub.empty)(sub.empty)
    return sub.empty


def empty_composite(field_type: FieldType) -> dict[str, Any]:
    """A new composite value with every sub-field empty, in sub-field order."""
    return {sub.name: fresh_empty(sub) for sub in sub_fields(field_type)}


def fill_composite(field_type: FieldType, value: object) -> dict[str, Any]:
    """`value` completed to every sub-field, in sub-field order.

    Missing sub-fields become empty; keys that are not sub-fields (left over from an older layout)
    are dropped; anything that is not a mapping counts as entirely empty. Nested lists and objects
    are shared with `value`, not copied.
    """
    given = value if isinstance(value, Mapping) else {}
    return {
        sub.name: given[sub.name] if sub.name in given else fresh_empty(sub)
        for sub in sub_fields(field_type)
    }
