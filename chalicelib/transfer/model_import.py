"""Recreate an exported data model in a target workspace through the metadata service.

The model part of the file is compared with the target's model, by names (ids differ between
workspaces), and turned into the metadata API's own commands: create object, create field
(relations from their MANY_TO_ONE side, which creates the inverse too), update field (changes
to standard fields, and to the default fields of a custom object), update object, add index.
Each command is computed on the model left by the previous one (`next_step` diffs again), so
the same validation as the API runs on every entry, with the target's real model.

Nothing of the model is half-created by a bad entry: the whole sequence is first rehearsed on
an in-memory copy of the target's model (the service's own planners and schema check, with a
commit that only computes the next model), and only then run for real. A clash is a custom
object or field the target already has with another definition; an identical one (a resumed
import, a second import into the same workspace) is fine and left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.context import RequestContext
from chalicelib.core.ports import RecordStore
from chalicelib.core.query_validation import is_orderable, resolve_path
from chalicelib.errors import CrmError
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef, WorkspaceModel
from chalicelib.metadata.serialization import field_to_body
from chalicelib.metadata.service import MetadataService, Outcome, model_after
from chalicelib.storage.metadata_store import MetadataChange
from chalicelib.storage.tables import INDEX_SLOTS
from chalicelib.transfer.fileformat import TransferError

# Field attributes an update through the metadata API can set (standard fields keep the rest).
_UPDATABLE = (
    "label",
    "description",
    "icon",
    "isActive",
    "isNullable",
    "isUnique",
    "defaultValue",
    "options",
    "settings",
)
_OBJECT_UPDATABLE = ("labelSingular", "labelPlural", "description", "icon", "isActive")


@dataclass(frozen=True, slots=True)
class ExportedObject:
    line: int
    body: dict[str, Any]
    fields: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return str(self.body["nameSingular"])

    def field(self, name: str) -> dict[str, Any] | None:
        return next((f for f in self.fields if f.get("name") == name), None)


@dataclass
class ExportedModel:
    """The object lines of a file, with the exported ids resolved to names."""

    objects: list[ExportedObject] = field(default_factory=list)

    def add(self, line: int, body: Mapping[str, Any]) -> None:
        obj, fields = body.get("object"), body.get("fields")
        if not isinstance(obj, dict) or not isinstance(fields, list):
            raise TransferError("an object line needs 'object' and 'fields'", line=line)
        if not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
            raise TransferError("every field needs a 'name'", line=line)
        for key in ("id", "nameSingular", "namePlural", "labelSingular", "labelPlural"):
            if not isinstance(obj.get(key), str):
                raise TransferError(f"the object has no '{key}'", line=line)
        self.objects.append(ExportedObject(line, obj, fields))

    def object_name(self, exported_id: str) -> str | None:
        return next((o.name for o in self.objects if o.body["id"] == exported_id), None)

    def field_by_id(self, exported_id: str) -> tuple[ExportedObject, dict[str, Any]] | None:
        for obj in self.objects:
            for body in obj.fields:
                if body.get("id") == exported_id:
                    return obj, body
        return None

    def by_name(self, name: str) -> ExportedObject | None:
        return next((o for o in self.objects if o.name == name), None)


Run = Callable[[MetadataService, RequestContext, WorkspaceModel], Any]


@dataclass(frozen=True, slots=True)
class Step:
    line: int
    describe: str
    run: Run


def named(model: WorkspaceModel) -> dict[str, ObjectDef]:
    """Objects by singular name, inactive ones included (the model's own map leaves them out)."""
    return {obj.name_singular: obj for obj in model.objects}


# -- definitions compared by names ----------------------------------------------------------


def _options(options: Any) -> list[dict[str, Any]] | None:
    if not options:
        return None
    return sorted(
        (
            {k: o.get(k) for k in ("value", "label", "position", "color")}
            for o in options
            if isinstance(o, dict)
        ),
        key=lambda o: o["position"] if isinstance(o["position"], int | float) else 0,
    )


def _exported_definition(exported: ExportedModel, body: Mapping[str, Any]) -> dict[str, Any]:
    definition = {key: body.get(key) for key in ("type", *_UPDATABLE)}
    definition["isCustom"] = bool(body.get("isCustom"))
    definition["options"] = _options(body.get("options"))
    relation = body.get("relation")
    if isinstance(relation, dict):
        inverse = exported.field_by_id(str(relation.get("targetFieldMetadataId")))
        definition["relation"] = {
            "type": relation.get("type"),
            "target": exported.object_name(str(relation.get("targetObjectMetadataId"))),
            "targetField": inverse[1].get("name") if inverse else None,
            "onDelete": relation.get("onDelete"),
        }
    return definition


def _target_definition(model: WorkspaceModel, target: FieldDef) -> dict[str, Any]:
    body = field_to_body(target)
    definition = {key: body.get(key) for key in ("type", *_UPDATABLE)}
    definition["isCustom"] = target.is_custom
    definition["options"] = _options(body.get("options"))
    if target.relation is not None:
        other = model.by_id.get(target.relation.target_object_id)
        inverse = next(
            (f for f in (other.fields if other else ()) if f.id == target.relation.target_field_id),
            None,
        )
        definition["relation"] = {
            "type": target.relation.type.value,
            "target": other.name_singular if other else None,
            "targetField": inverse.name if inverse else None,
            "onDelete": target.relation.on_delete,
        }
    return definition


# -- the next command the target needs -------------------------------------------------------


def next_step(model: WorkspaceModel, exported: ExportedModel) -> Step | None:
    """The first difference between the target's model and the file's, as one command."""
    for obj in exported.objects:
        step = _object_step(model, obj)
        if step is not None:
            return step
    for obj in exported.objects:
        target = named(model).get(obj.name)
        assert target is not None  # every object exists once the loop above found nothing
        for body in obj.fields:
            step = _field_step(model, exported, obj, target, body)
            if step is not None:
                return step
    for obj in exported.objects:
        step = _object_update_step(named(model)[obj.name], obj)
        if step is not None:
            return step
    return None


def _object_step(model: WorkspaceModel, obj: ExportedObject) -> Step | None:
    target = named(model).get(obj.name)
    body = obj.body
    if target is None:
        if not body.get("isCustom"):
            raise TransferError(
                f"the standard object '{obj.name}' does not exist in the target", line=obj.line
            )
        payload = {
            key: body[key] for key in ("nameSingular", "namePlural", "labelSingular", "labelPlural")
        }
        payload |= {k: body[k] for k in ("description", "icon") if body.get(k) is not None}
        return Step(obj.line, f"create object '{obj.name}'", _create_object(payload))
    if target.is_custom != bool(body.get("isCustom")) or target.name_plural != body["namePlural"]:
        raise TransferError(
            f"object '{obj.name}' clashes with the target's (plural '{target.name_plural}', "
            f"{'custom' if target.is_custom else 'standard'})",
            line=obj.line,
        )
    return None


def _field_step(
    model: WorkspaceModel,
    exported: ExportedModel,
    obj: ExportedObject,
    target_obj: ObjectDef,
    body: dict[str, Any],
) -> Step | None:
    name = body["name"]
    where = f"field '{obj.name}.{name}'"
    wanted = _exported_definition(exported, body)
    current = target_obj.by_name.get(name)
    if current is None:
        if not wanted["isCustom"]:
            raise TransferError(f"the standard {where} does not exist in the target", line=obj.line)
        if wanted["type"] != FieldType.RELATION.value:
            return Step(obj.line, f"create {where}", _create_field(obj.name, _field_payload(body)))
        relation = wanted.get("relation") or {}
        if relation.get("type") != "MANY_TO_ONE":
            return None  # created with its MANY_TO_ONE side
        return Step(obj.line, f"create {where}", _create_relation(exported, obj.name, body))
    have = _target_definition(model, current)
    if have == wanted:
        return None
    fixed = ("type", "isCustom", "relation")
    if wanted["isCustom"] or any(have.get(k) != wanted.get(k) for k in fixed):
        differing = sorted(k for k in wanted if have.get(k) != wanted.get(k))
        raise TransferError(
            f"{where} clashes with the target's definition ({', '.join(differing)} differ)",
            line=obj.line,
        )
    changes = {k: body.get(k) for k in _UPDATABLE if have.get(k) != wanted.get(k)}
    if "options" in changes:
        changes["options"] = _options(body.get("options"))
    return Step(obj.line, f"update {where}", _update_field(obj.name, name, changes))


def _object_update_step(target: ObjectDef, obj: ExportedObject) -> Step | None:
    body = obj.body
    have = {
        "labelSingular": target.label_singular,
        "labelPlural": target.label_plural,
        "description": target.description,
        "icon": target.icon,
        "isActive": target.is_active,
    }
    changes = {k: body.get(k) for k in _OBJECT_UPDATABLE if body.get(k) != have[k]}
    label_field = _label_identifier_name(obj)
    current_label = next(
        (f.name for f in target.fields if f.id == target.label_identifier_field_id), None
    )
    if label_field is not None and label_field != current_label:
        changes["labelIdentifierFieldMetadataId"] = label_field  # a name until run (below)
    if not changes:
        return None
    return Step(obj.line, f"update object '{obj.name}'", _update_object(obj.name, changes))


def _label_identifier_name(obj: ExportedObject) -> str | None:
    wanted = obj.body.get("labelIdentifierFieldMetadataId")
    return next((f["name"] for f in obj.fields if f.get("id") == wanted), None)


def _field_payload(body: Mapping[str, Any]) -> dict[str, Any]:
    payload = {"type": body["type"], "name": body["name"], "label": body.get("label")}
    for key in ("description", "icon", "defaultValue", "settings"):
        if body.get(key) is not None:
            payload[key] = body[key]
    for key in ("isNullable", "isUnique", "isActive"):
        if key in body:
            payload[key] = bool(body[key])
    if body.get("options"):
        payload["options"] = _options(body["options"])
    return payload


# -- the commands, given names and resolved against the model they run on -------------------


def _create_object(payload: dict[str, Any]) -> Run:
    return lambda service, ctx, model: service.create_object(ctx, payload)


def _create_field(object_name: str, payload: dict[str, Any]) -> Run:
    def run(service: MetadataService, ctx: RequestContext, model: WorkspaceModel) -> Outcome:
        object_id = named(model)[object_name].id
        return service.create_field(ctx, {"objectMetadataId": object_id, **payload})

    return run


def _create_relation(exported: ExportedModel, object_name: str, body: dict[str, Any]) -> Run:
    relation = body["relation"]
    inverse = exported.field_by_id(str(relation.get("targetFieldMetadataId")))
    target_name = exported.object_name(str(relation.get("targetObjectMetadataId")))
    if inverse is None or target_name is None:
        raise TransferError(f"relation '{object_name}.{body['name']}' names no exported target")
    inverse_body = inverse[1]

    def run(service: MetadataService, ctx: RequestContext, model: WorkspaceModel) -> Outcome:
        target = named(model).get(target_name)
        if target is None:
            raise TransferError(f"relation target '{target_name}' does not exist")
        payload: dict[str, Any] = {
            "objectMetadataId": named(model)[object_name].id,
            "type": FieldType.RELATION.value,
            "name": body["name"],
            "label": body.get("label"),
            "settings": {"onDelete": relation.get("onDelete") or "SET_NULL"},
            "relationCreationPayload": {
                "type": "MANY_TO_ONE",
                "targetObjectMetadataId": target.id,
                "targetFieldLabel": inverse_body.get("label"),
                "targetFieldName": inverse_body.get("name"),
                "targetFieldIcon": inverse_body.get("icon"),
            },
        }
        payload |= {k: body[k] for k in ("description", "icon") if body.get(k) is not None}
        return service.create_field(ctx, payload)

    return run


def _update_field(object_name: str, field_name: str, changes: dict[str, Any]) -> Run:
    def run(service: MetadataService, ctx: RequestContext, model: WorkspaceModel) -> Outcome:
        field_id = named(model)[object_name].by_name[field_name].id
        return service.update_field(ctx, field_id, changes)

    return run


def _update_object(object_name: str, changes: dict[str, Any]) -> Run:
    def run(service: MetadataService, ctx: RequestContext, model: WorkspaceModel) -> Outcome:
        obj = named(model)[object_name]
        given = dict(changes)
        label = given.get("labelIdentifierFieldMetadataId")
        if label is not None:
            given["labelIdentifierFieldMetadataId"] = obj.by_name[label].id
        return service.update_object(ctx, obj.id, given)

    return run


# -- rehearsal and real run --------------------------------------------------------------------


class _Rehearsal(MetadataService):
    """The metadata service over an in-memory model: planners and checks run, nothing commits."""

    def __init__(self, store: RecordStore, model: WorkspaceModel) -> None:
        super().__init__(store, job_budget_seconds=0.0, scan_cap=0, load=lambda _: self.model)
        self.model = model

    def _commit(self, ctx: RequestContext, planner: Callable[..., Any]) -> Outcome:
        change, subject_id = planner(self.model)
        assert isinstance(change, MetadataChange)
        self._ensure_schema_builds(self.model, change)
        self.model = model_after(self.model, change)
        return Outcome(self.model, subject_id)

    def _claim_if_becoming_unique(self, *args: Any, **kwargs: Any) -> None:
        # Claiming existing values writes guards; the real run does it (and fails on a clash).
        return None


def _drive(
    service: MetadataService,
    ctx: RequestContext,
    exported: ExportedModel,
    load: Callable[[], WorkspaceModel],
) -> int:
    """Apply every step; the number applied. A step that leaves the same difference is an
    entry the API cannot reproduce: an error, never an endless loop."""
    seen: set[str] = set()
    applied = 0
    while True:
        model = load()
        step = next_step(model, exported)
        if step is None:
            return applied
        if step.describe in seen:
            raise TransferError(
                f"{step.describe}: the target cannot take this definition", line=step.line
            )
        seen.add(step.describe)
        try:
            step.run(service, ctx, model)
        except CrmError as exc:
            raise TransferError(
                f"{step.describe}: {'; '.join(exc.messages)}", line=step.line
            ) from None
        applied += 1


def _missing_indexes(
    model: WorkspaceModel, exported: ExportedModel, *, ready_only: bool
) -> list[tuple[ExportedObject, str]]:
    """Index paths of the file the target lacks (`ready_only`: or has, but not ready yet: a
    slot a field creation added is ready once its migrate job ran, which the rehearsal skips)."""
    missing = []
    for obj in exported.objects:
        target = named(model)[obj.name]
        have = {spec.path for spec in target.indexes if spec.ready or not ready_only}
        for entry in obj.body.get("indexes") or ():
            path = entry.get("path") if isinstance(entry, dict) else None
            if isinstance(path, str) and path not in have:
                missing.append((obj, path))
    return missing


def _check_indexes(model: WorkspaceModel, missing: Iterable[tuple[ExportedObject, str]]) -> None:
    added: dict[str, int] = {}
    for obj, path in missing:
        target = named(model)[obj.name]
        try:
            if not is_orderable(resolve_path(target, tuple(path.split(".")))):
                raise TransferError(
                    f"index '{obj.name}.{path}': its values have no order", line=obj.line
                )
        except CrmError as exc:
            raise TransferError(
                f"index '{obj.name}.{path}': {exc.message}", line=obj.line
            ) from None
        added[obj.name] = added.get(obj.name, 0) + 1
        if len(target.indexes) + added[obj.name] > INDEX_SLOTS:
            raise TransferError(
                f"'{obj.name}' would need more than {INDEX_SLOTS} index slots", line=obj.line
            )


def rehearse(
    store: RecordStore, exported: ExportedModel, model: WorkspaceModel, ctx: RequestContext
) -> None:
    """Run every command on an in-memory copy of `model`: a bad entry fails here, before any
    write."""
    rehearsal = _Rehearsal(store, model)
    _drive(rehearsal, ctx, exported, lambda: rehearsal.model)
    _check_indexes(rehearsal.model, _missing_indexes(rehearsal.model, exported, ready_only=False))


def import_model(
    store: RecordStore,
    service: MetadataService,
    ctx: RequestContext,
    exported: ExportedModel,
    load: Callable[[], WorkspaceModel],
) -> int:
    """Rehearse, then apply, the commands that make the target's model the file's; returns
    the number of commands applied (0 when the target already has the model)."""
    from chalicelib.metadata.index_admin import add_index

    rehearse(store, exported, load(), ctx)
    applied = _drive(service, ctx, exported, load)
    for obj, path in _missing_indexes(load(), exported, ready_only=True):
        try:
            add_index(store, ctx.workspace_id, named(load())[obj.name].name_plural, path)
        except CrmError as exc:
            raise TransferError(
                f"index '{obj.name}.{path}': {exc.message}", line=obj.line
            ) from None
        applied += 1
    return applied
