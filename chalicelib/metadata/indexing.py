"""Which field paths of an object are kept sorted in an index, and in which slot.

Indexed by default (the query-engine issue): createdAt, updatedAt, position, the label
identifier, every join column and every unique field. A slot, once given, never moves: records
already carry their index attributes under it.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.metadata.model import FieldDef, FieldType, IndexSpec, ObjectDef
from chalicelib.storage.tables import INDEX_SLOTS

# The sub-field that stands for a composite in an index (the one Twenty sorts or dedupes by).
_COMPOSITE_INDEX_PATH = {
    FieldType.FULL_NAME: "firstName",
    FieldType.EMAILS: "primaryEmail",
    FieldType.LINKS: "primaryLinkUrl",
    FieldType.PHONES: "primaryPhoneNumber",
}
_SCALAR_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.UUID,
        FieldType.NUMBER,
        FieldType.NUMERIC,
        FieldType.DATE,
        FieldType.DATE_TIME,
        FieldType.BOOLEAN,
        FieldType.SELECT,
        FieldType.RATING,
        FieldType.POSITION,
    }
)


def _path_of(field: FieldDef) -> str | None:
    if field.type in _SCALAR_TYPES:
        return field.name
    sub = _COMPOSITE_INDEX_PATH.get(field.type)
    return f"{field.name}.{sub}" if sub else None


def default_index_paths(obj: ObjectDef) -> list[str]:
    paths = [name for name in ("createdAt", "updatedAt", "position") if name in obj.by_name]
    label = next((f for f in obj.fields if f.id == obj.label_identifier_field_id), None)
    if label is not None and _path_of(label):
        paths.append(_path_of(label) or "")
    paths += list(obj.by_join_column)
    paths += [path for f in obj.unique_fields() if (path := _path_of(f))]
    paths += [path for f in obj.by_name.values() if _is_marked(f) and (path := _path_of(f))]
    return list(dict.fromkeys(paths))


def _is_marked(field: FieldDef) -> bool:
    """A field an operator asked to index (metadata setting `isIndexed`)."""
    return bool(field.settings and field.settings.get("isIndexed"))


def with_indexes(obj: ObjectDef) -> ObjectDef:
    """`obj` with a slot for each default index path, keeping slots already given.

    Paths beyond the available slots stay unindexed; queries on them use the bounded scan.
    """
    taken = {index.path: index for index in obj.indexes}
    free = [s for s in range(1, INDEX_SLOTS + 1) if s not in {i.slot for i in obj.indexes}]
    indexes = list(obj.indexes)
    for path in default_index_paths(obj):
        if path not in taken and free:
            indexes.append(IndexSpec(path=path, slot=free.pop(0)))
    return replace(obj, indexes=tuple(indexes))
