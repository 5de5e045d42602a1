"""Checks of metadata inputs against Twenty's rules; every problem found is reported at once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.core.coercion import coerce_value, default_value
from chalicelib.errors import CrmError, MetadataValidationError
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef, WorkspaceModel
from chalicelib.metadata.names import (
    field_graphql_names,
    generated_names,
    identifier_problems,
    object_graphql_names,
    same_ignoring_case,
)

OBJECT_CREATE_KEYS = frozenset(
    {
        "nameSingular",
        "namePlural",
        "labelSingular",
        "labelPlural",
        "description",
        "icon",
        "shortcut",
        "isLabelSyncedWithName",
        "skipNameField",
        "isRemote",
        "primaryKeyColumnType",
        "primaryKeyFieldMetadataSettings",
    }
)
OBJECT_UPDATE_KEYS = frozenset(
    {
        "nameSingular",
        "namePlural",
        "labelSingular",
        "labelPlural",
        "description",
        "icon",
        "shortcut",
        "isActive",
        "labelIdentifierFieldMetadataId",
        "imageIdentifierFieldMetadataId",
        "isLabelSyncedWithName",
    }
)
_FIELD_COMMON_KEYS = frozenset(
    {
        "name",
        "label",
        "description",
        "icon",
        "isActive",
        "isNullable",
        "isUnique",
        "defaultValue",
        "options",
        "settings",
        "isLabelSyncedWithName",
        "isUIReadOnly",
    }
)
FIELD_CREATE_KEYS = _FIELD_COMMON_KEYS | {
    "type",
    "objectMetadataId",
    "isCustom",
    "isSystem",
    "isRemoteCreation",
    "relationCreationPayload",
}
FIELD_UPDATE_KEYS = _FIELD_COMMON_KEYS | {"id", "objectMetadataId"}

# Types whose values can be claimed as unique (composites through their primary sub-field).
UNIQUE_CAPABLE = frozenset(
    {
        FieldType.TEXT,
        FieldType.NUMBER,
        FieldType.NUMERIC,
        FieldType.UUID,
        FieldType.DATE,
        FieldType.DATE_TIME,
        FieldType.SELECT,
        FieldType.EMAILS,
        FieldType.LINKS,
        FieldType.PHONES,
    }
)
ON_DELETE_ACTIONS = ("SET_NULL", "CASCADE", "RESTRICT")
_OPTION_VALUE = re.compile(r"^[A-Z0-9]+(_[A-Z0-9]+)*$")
_NUMBER_DATA_TYPES = ("float", "int", "bigint")
# One metadata input (an object or a field with its options and settings), as JSON.
MAX_INPUT_BYTES = 64 * 1024


class Problems:
    """Collects messages; `raise_if_any` turns them into one METADATA_VALIDATION_FAILED error."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def extend(self, messages: Iterable[str]) -> None:
        self.messages.extend(messages)

    def raise_if_any(self) -> None:
        if self.messages:
            raise MetadataValidationError(messages=list(dict.fromkeys(self.messages)))


def ensure_mapping(what: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MetadataValidationError(f"{what} must be a JSON object")
    size = len(json.dumps(value, default=str).encode())
    if size > MAX_INPUT_BYTES:
        # Each object and field is one DynamoDB item (400 KB at most) written in one
        # transaction with the version bump: refuse here rather than let the write fail.
        raise MetadataValidationError(
            f"{what} is {size} bytes of JSON; labels, descriptions, options and settings "
            f"together may take at most {MAX_INPUT_BYTES}"
        )
    return value


def unknown_keys(problems: Problems, given: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for key in given:
        if key not in allowed:
            problems.add(f"property '{key}' should not exist")


def check_text(problems: Problems, given: Mapping[str, Any], key: str, *, required: bool) -> None:
    value = given.get(key)
    if value is None:
        if required:
            problems.add(f"{key} is required")
        return
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(f"{key} must be a non-empty string" if required else f"{key} must be a string")


def check_boolean(problems: Problems, given: Mapping[str, Any], key: str) -> None:
    if key in given and not isinstance(given[key], bool):
        problems.add(f"{key} must be a boolean")


# -- objects -----------------------------------------------------------------------------------


def object_name_problems(
    model: WorkspaceModel, singular: Any, plural: Any, *, ignore_id: str | None = None
) -> list[str]:
    """Identifier rules for both names, singular ≠ plural, and no clash with other objects'
    names or with any name the generated GraphQL schema derives from them (clashes with the
    schema's fixed names are found on the whole changed model: `graphql_name_clashes`)."""
    problems = identifier_problems("nameSingular", singular)
    problems += identifier_problems("namePlural", plural)
    if problems:
        return problems
    if same_ignoring_case(singular, plural):
        return [f"nameSingular and namePlural must differ (both are '{singular}')"]
    mine = generated_names(singular, plural)
    for other in model.objects:
        if other.id == ignore_id:
            continue
        for name in (singular, plural):
            if name in (other.name_singular, other.name_plural):
                problems.append(f"An object named '{name}' already exists")
        clashes = mine & generated_names(other.name_singular, other.name_plural)
        if clashes and not any("already exists" in p for p in problems):
            problems.append(
                f"'{singular}'/'{plural}' would clash with the GraphQL names of object "
                f"'{other.name_singular}' ({', '.join(sorted(clashes)[:3])})"
            )
    return problems


def graphql_name_clashes(model: WorkspaceModel, fixed: Mapping[str, str]) -> list[str]:
    """Every GraphQL name two parts of `model`'s core schema would both use: a name an object or
    field generates against the schema's fixed names (`fixed`: name -> what it names) and
    against every other generated name. Inactive objects and fields keep their names: turning
    them on again must not break the schema."""
    owners: dict[str, list[str]] = {name: [f"the schema's {what}"] for name, what in fixed.items()}
    for obj in model.objects:
        for name, what in object_graphql_names(obj.name_singular, obj.name_plural):
            owners.setdefault(name, []).append(f"the {what} of object '{obj.name_singular}'")
        for field in obj.fields:
            for name, what in field_graphql_names(obj.name_singular, field):
                owners.setdefault(name, []).append(
                    f"the {what} of field '{field.name}' of '{obj.name_singular}'"
                )
    return [
        f"The GraphQL name '{name}' would be used {_times(len(users))}: by {' and by '.join(users)}"
        for name, users in owners.items()
        if len(users) > 1
    ]


def _times(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


def label_problems(singular: Any, plural: Any) -> list[str]:
    if (
        isinstance(singular, str)
        and isinstance(plural, str)
        and same_ignoring_case(singular, plural)
    ):
        return [f"labelSingular and labelPlural must differ (both are '{singular}')"]
    return []


# -- fields ------------------------------------------------------------------------------------


def field_name_problems(
    obj: ObjectDef, name: Any, *, join_column: str | None = None, ignore_id: str | None = None
) -> list[str]:
    """Identifier rules, unique within the object (inactive fields included) and no clash with a
    relation's join column, in either direction."""
    problems = identifier_problems("name", name)
    if problems:
        return problems
    for other in obj.fields:
        if other.id == ignore_id:
            continue
        other_column = other.join_column
        if other.name == name or other_column == name:
            problems.append(f"A field named '{name}' already exists on '{obj.name_singular}'")
        if join_column and join_column in (other.name, other_column):
            problems.append(
                f"The join column '{join_column}' of relation '{name}' clashes with a field "
                f"of '{obj.name_singular}'"
            )
    return problems


def option_problems(field_type: FieldType, options: Any) -> list[str]:
    if field_type is FieldType.RATING and options in (None, []):
        return []  # a rating's values are fixed (RATING_1..RATING_5); options only label them
    if field_type not in (FieldType.SELECT, FieldType.MULTI_SELECT, FieldType.RATING):
        if options in (None, []):
            return []
        return ["options are only allowed on SELECT, MULTI_SELECT and RATING fields"]
    if not isinstance(options, list) or not options:
        return [f"{field_type.value} fields need a non-empty list of options"]
    problems: list[str] = []
    seen: set[str] = set()
    for index, option in enumerate(options):
        problems.extend(_one_option_problems(index, option, seen))
    return problems


def _one_option_problems(index: int, option: Any, seen: set[str]) -> list[str]:
    if not isinstance(option, Mapping):
        return [f"options[{index}] must be an object with value and label"]
    problems = []
    value = option.get("value")
    if not isinstance(value, str) or not _OPTION_VALUE.match(value):
        problems.append(
            f"options[{index}].value {value!r} must be in UPPER_SNAKE_CASE (A-Z, 0-9, _)"
        )
    elif value in seen:
        problems.append(f"options[{index}].value '{value}' is used twice")
    else:
        seen.add(value)
    if not isinstance(option.get("label"), str) or not option["label"].strip():
        problems.append(f"options[{index}].label must be a non-empty string")
    position = option.get("position", index)
    if isinstance(position, bool) or not isinstance(position, int | float):
        problems.append(f"options[{index}].position must be a number")
    return problems


def settings_problems(field_type: FieldType, settings: Any) -> list[str]:
    if settings is None:
        return []
    if not isinstance(settings, Mapping):
        return ["settings must be a JSON object"]
    problems = []
    if field_type is FieldType.NUMBER and settings.get("dataType") not in (
        None,
        *_NUMBER_DATA_TYPES,
    ):
        problems.append(f"settings.dataType must be one of {', '.join(_NUMBER_DATA_TYPES)}")
    if "isIndexed" in settings and not isinstance(settings["isIndexed"], bool):
        problems.append("settings.isIndexed must be a boolean")
    on_delete = settings.get("onDelete")
    if on_delete is not None and on_delete not in ON_DELETE_ACTIONS:
        problems.append(f"settings.onDelete must be one of {', '.join(ON_DELETE_ACTIONS)}")
    return problems


def default_value_problems(field: FieldDef) -> list[str]:
    """A default must be a value the field accepts (checked by the record coercion itself)."""
    if field.default_value is None or field.type is FieldType.RELATION:
        return []
    try:
        coerce_value(field, default_value(field))
    except CrmError as exc:
        return [
            f"defaultValue {field.default_value!r} is not valid for {field.type.value}: "
            f"{exc.message}"
        ]
    return []
