"""Twenty's GraphQL names: `Company`, `CompanyConnection`, `createCompanies`, `XFieldEnum`.

The names an object or field generates are derived in `metadata/names.py`, which metadata
validation checks for clashes: the builder names its types through the same functions.
"""

from __future__ import annotations

import re

from chalicelib.metadata import names
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef

_GRAPHQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")

COMPOSITE_TYPE_NAMES = {
    FieldType.CURRENCY: "Currency",
    FieldType.FULL_NAME: "FullName",
    FieldType.EMAILS: "Emails",
    FieldType.PHONES: "Phones",
    FieldType.LINKS: "Links",
    FieldType.ADDRESS: "Address",
    FieldType.ACTOR: "Actor",
    FieldType.RICH_TEXT_V2: "RichTextV2",
}


def is_graphql_name(name: str) -> bool:
    """Whether `name` can be a GraphQL name (enum values, fields)."""
    return bool(_GRAPHQL_NAME.match(name)) and name not in ("true", "false", "null")


def type_name(obj: ObjectDef, kind: str = "") -> str:
    """`Company`, `CompanyEdge`, `CompanyFilterInput`... (kind appended to Pascal(singular))."""
    return names.object_type_name(obj.name_singular, kind)


def enum_name(obj: ObjectDef, field: FieldDef) -> str:
    """The per-field enum of a SELECT, MULTI_SELECT or RATING field: `<Object><Field>Enum`."""
    return names.field_enum_name(obj.name_singular, field.name)


def operation_name(verb: str, obj: ObjectDef, *, many: bool) -> str:
    """`createCompany` / `createCompanies`; the find verbs use the plain names."""
    return names.operation_name(verb, obj.name_singular, obj.name_plural, many=many)
