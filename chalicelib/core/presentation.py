"""The JSON a client sees for one stored record at depth 0."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.core import composites
from chalicelib.core.ports import StoredRecord
from chalicelib.metadata.derived import DerivedFromObject
from chalicelib.metadata.model import SYSTEM_FIELD_NAMES, FieldType, ObjectDef

_SYSTEM_NAMES = frozenset(SYSTEM_FIELD_NAMES)

# (output key, composite sub-fields or None): worked out once per object, applied per record.
_Column = tuple[str, tuple[composites.SubField, ...] | None]


def _columns(obj: ObjectDef) -> list[_Column]:
    columns: list[_Column] = [("id", None)]
    for field in obj.by_name.values():
        if field.type is FieldType.RELATION:
            if field.join_column:
                columns.append((field.join_column, None))
        elif composites.is_composite(field.type) and field.name not in _SYSTEM_NAMES:
            columns.append((field.name, composites.sub_fields(field.type)))
        elif field.name != "id":
            columns.append((field.name, None))
    # Every record has the system fields, whether or not the model declares them.
    declared = {name for name, _ in columns}
    columns += [(name, None) for name in SYSTEM_FIELD_NAMES if name not in declared]
    return columns


_Filler = Callable[[Any], dict[str, Any]]


def _filler(subs: tuple[composites.SubField, ...]) -> _Filler:
    """Turns a stored composite into its full value: every sub-field in order, unset ones
    empty, unknown ones left out."""
    names = [sub.name for sub in subs]

    def fill(value: Any) -> dict[str, Any]:
        # The common case, a composite stored whole by the write path, is a copy (C speed).
        if value.__class__ is dict and list(value) == names:
            return value.copy()
        given = value if isinstance(value, Mapping) else {}
        return {
            sub.name: given[sub.name] if sub.name in given else composites.fresh_empty(sub)
            for sub in subs
        }

    return fill


@dataclass(frozen=True, slots=True)
class _Presenter:
    """One object's columns, worked out once: the output keys in order, and the composites
    among them with their fillers."""

    names: tuple[str, ...]
    composites: tuple[tuple[str, _Filler], ...]
    # Whether `id` and `deletedAt` are among the names (a stored record keeps them outside its
    # body).
    shows_id: bool = True
    shows_deleted_at: bool = True

    def __call__(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        # Every column read in one pass at C speed (a missing value is None), then the few
        # composites replaced in place: the keys keep their order.
        return self._filled(dict(zip(self.names, map(stored.get, self.names), strict=True)))

    def of_stored(self, record: StoredRecord) -> dict[str, Any]:
        """`self(record.shaped())`, without building the shaped copy first."""
        shown = dict(zip(self.names, map(record.body.get, self.names), strict=True))
        # Replacing a key keeps its place in the order.
        if self.shows_id:
            shown["id"] = record.id
        if self.shows_deleted_at:
            shown["deletedAt"] = record.deleted_at
        return self._filled(shown)

    def _filled(self, shown: dict[str, Any]) -> dict[str, Any]:
        for name, fill in self.composites:
            shown[name] = fill(shown[name])
        return shown


# Some of an object's output keys (see `present_records`); None stands for all of them.
Columns = frozenset[str]


def _build_presenter(obj: ObjectDef, only: Columns | None) -> _Presenter:
    columns = [c for c in _columns(obj) if only is None or c[0] in only]
    names = tuple(name for name, _ in columns)
    return _Presenter(
        names,
        tuple((name, _filler(subs)) for name, subs in columns if subs is not None),
        "id" in names,
        "deletedAt" in names,
    )


# A presenter for each object definition and set of columns asked.
_presenter: DerivedFromObject[Columns | None, _Presenter] = DerivedFromObject(_build_presenter)


def column_names(obj: ObjectDef) -> tuple[str, ...]:
    """Every output key of `obj`'s records, in order."""
    return _presenter(obj, None).names


def present_record(obj: ObjectDef, stored: Mapping[str, Any]) -> dict[str, Any]:
    """`stored` shaped by the current model: `id` first, then every active field in order.

    Composites come whole (unset sub-fields empty), MANY_TO_ONE relations as their join column,
    system fields exactly as stored; values of fields that no longer exist are left out, and a
    missing value is null. Nested lists and objects are shared with `stored`, not copied.
    """
    return _presenter(obj, None)(stored)


def present_records(
    obj: ObjectDef, stored: Iterable[Mapping[str, Any]], only: Columns | None = None
) -> list[dict[str, Any]]:
    """`present_record` for many records of one object, deciding the columns only once; with
    `only`, just those of its output keys (in the same order): a GraphQL selection names the
    few a nested page shows, and the rest would be built, sized and copied for nothing."""
    return list(map(_presenter(obj, only), stored))


def present_stored(
    obj: ObjectDef, stored: Iterable[StoredRecord], only: Columns | None = None
) -> list[dict[str, Any]]:
    """`present_records` of stored records (`StoredRecord.shaped()`), without the copy."""
    return list(map(_presenter(obj, only).of_stored, stored))


def restricted(records: list[dict[str, Any]], only: Columns | None) -> list[dict[str, Any]]:
    """Presented records cut down to `only` (all of them when None), keys in the same order."""
    if only is None:
        return records
    return [{name: value for name, value in record.items() if name in only} for record in records]
