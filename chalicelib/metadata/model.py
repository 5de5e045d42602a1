"""The workspace data model as immutable values: objects, fields, relations, and lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FieldType(StrEnum):
    UUID = "UUID"
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    NUMERIC = "NUMERIC"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATE_TIME = "DATE_TIME"
    SELECT = "SELECT"
    MULTI_SELECT = "MULTI_SELECT"
    RATING = "RATING"
    CURRENCY = "CURRENCY"
    FULL_NAME = "FULL_NAME"
    EMAILS = "EMAILS"
    PHONES = "PHONES"
    LINKS = "LINKS"
    ADDRESS = "ADDRESS"
    ACTOR = "ACTOR"
    RICH_TEXT = "RICH_TEXT"
    RICH_TEXT_V2 = "RICH_TEXT_V2"
    RAW_JSON = "RAW_JSON"
    ARRAY = "ARRAY"
    POSITION = "POSITION"
    RELATION = "RELATION"


class RelationType(StrEnum):
    MANY_TO_ONE = "MANY_TO_ONE"
    ONE_TO_MANY = "ONE_TO_MANY"


# Fields every object has; the server owns all of them except `id` on create and `position`.
SYSTEM_FIELD_NAMES = (
    "id",
    "createdAt",
    "updatedAt",
    "deletedAt",
    "position",
    "createdBy",
    "updatedBy",
)
SERVER_OWNED_FIELD_NAMES = frozenset(
    {"createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy"}
)


@dataclass(frozen=True, slots=True)
class SelectOption:
    value: str
    label: str
    position: int
    color: str | None = None
    id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "value": self.value,
            "label": self.label,
            "position": self.position,
            "color": self.color,
        }


@dataclass(frozen=True, slots=True)
class RelationDef:
    """One side of a relation; the MANY_TO_ONE side stores the join column `<name>Id`."""

    type: RelationType
    target_object_id: str
    target_field_id: str
    on_delete: str = "SET_NULL"


@dataclass(frozen=True, slots=True)
class FieldDef:
    id: str
    object_id: str
    name: str
    label: str
    type: FieldType
    description: str | None = None
    icon: str | None = None
    is_custom: bool = False
    is_active: bool = True
    is_system: bool = False
    is_nullable: bool = True
    is_unique: bool = False
    default_value: Any = None
    options: tuple[SelectOption, ...] = ()
    settings: dict[str, Any] | None = None
    relation: RelationDef | None = None
    created_at: str = ""
    updated_at: str = ""

    @property
    def join_column(self) -> str | None:
        """The stored column of a MANY_TO_ONE relation (`company` -> `companyId`)."""
        if self.relation and self.relation.type is RelationType.MANY_TO_ONE:
            return f"{self.name}Id"
        return None

    @property
    def option_values(self) -> frozenset[str]:
        return frozenset(option.value for option in self.options)


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """A field path kept sorted in index slot `slot` (1..INDEX_SLOTS) for this object."""

    path: str
    slot: int
    # False while existing records are being backfilled: writes keep it up to date, but reads
    # may not use it until every older record carries its keys.
    ready: bool = True


@dataclass(frozen=True, slots=True)
class ObjectDef:
    id: str
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str
    fields: tuple[FieldDef, ...]
    description: str | None = None
    icon: str | None = None
    is_custom: bool = False
    is_active: bool = True
    is_system: bool = False
    label_identifier_field_id: str | None = None
    created_at: str = ""
    updated_at: str = ""
    indexes: tuple[IndexSpec, ...] = ()
    # name -> field for every active field, and join column -> relation field. Not init
    # arguments: `dataclasses.replace` would hand the original's dicts to the copy, whose
    # __post_init__ would then add its fields to the original's lookups.
    by_name: dict[str, FieldDef] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    by_join_column: dict[str, FieldDef] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for item in self.fields:
            if not item.is_active:
                continue
            self.by_name[item.name] = item
            if item.join_column:
                self.by_join_column[item.join_column] = item

    def stored_fields(self) -> list[FieldDef]:
        """Active fields whose values live on the record (every non-relation field)."""
        return [f for f in self.by_name.values() if f.type is not FieldType.RELATION]

    def many_to_one_fields(self) -> list[FieldDef]:
        return list(self.by_join_column.values())

    def unique_fields(self) -> list[FieldDef]:
        return [f for f in self.by_name.values() if f.is_unique and f.name != "id"]


@dataclass(frozen=True, slots=True)
class WorkspaceModel:
    workspace_id: str
    version: int
    objects: tuple[ObjectDef, ...]
    # Lookups filled by __post_init__ (not init arguments, for the reason given on ObjectDef).
    by_plural: dict[str, ObjectDef] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    by_singular: dict[str, ObjectDef] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    by_id: dict[str, ObjectDef] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        for obj in self.objects:
            self.by_id[obj.id] = obj
            if obj.is_active:
                self.by_plural[obj.name_plural] = obj
                self.by_singular[obj.name_singular] = obj
