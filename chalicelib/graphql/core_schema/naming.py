"""Twenty's GraphQL names: `Company`, `CompanyConnection`, `createCompanies`, `XFieldEnum`."""

from __future__ import annotations

import re

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


def pascal(name: str) -> str:
    """Twenty's `capitalize`: upper-case the first letter only."""
    return name[:1].upper() + name[1:]


def is_graphql_name(name: str) -> bool:
    """Whether `name` can be a GraphQL name (enum values, fields)."""
    return bool(_GRAPHQL_NAME.match(name)) and name not in ("true", "false", "null")


def type_name(obj: ObjectDef, kind: str = "") -> str:
    """`Company`, `CompanyEdge`, `CompanyFilterInput`... (kind appended to Pascal(singular))."""
    return pascal(obj.name_singular) + kind


def enum_name(obj: ObjectDef, field: FieldDef) -> str:
    """The per-field enum of a SELECT, MULTI_SELECT or RATING field: `<Object><Field>Enum`."""
    return f"{pascal(obj.name_singular)}{pascal(field.name)}Enum"


def operation_name(verb: str, obj: ObjectDef, *, many: bool) -> str:
    """`createCompany` / `createCompanies`; the find verbs use the plain names."""
    if verb == "findMany":
        return obj.name_plural
    if verb == "findOne":
        return obj.name_singular
    if verb == "findDuplicates":
        return f"{obj.name_singular}Duplicates"
    return verb + pascal(obj.name_plural if many else obj.name_singular)
