"""Metadata commands: create, change and delete objects and fields (REST and GraphQL share it).

Each command is computed on the current model and committed together with the version bump
(storage/metadata_store.commit_change); if another change committed first, it is computed again
on the new model. Work on existing records is left as jobs (metadata/jobs.py) in the same commit
and started before the command returns. Before it commits, the model the change would leave is
given to the schema check (the GraphQL core schema built and validated): a change that would
break it is refused, never committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.context import RequestContext
from chalicelib.core.ports import RecordStore
from chalicelib.errors import MetadataValidationError, VersionConflictError
from chalicelib.metadata import changes, jobs
from chalicelib.metadata import validation as check
from chalicelib.metadata.indexing import with_indexes
from chalicelib.metadata.lookup import find_field, find_object
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef, WorkspaceModel
from chalicelib.metadata.registry import load_model
from chalicelib.metadata.serialization import (
    field_from_body,
    field_to_body,
    object_from_body,
    object_to_body,
)
from chalicelib.metadata.unique_fields import claim_existing_values
from chalicelib.storage.metadata_store import MetadataChange, commit_change, pending_jobs

_ATTEMPTS = 5  # recomputations when another metadata change commits first

Planner = Callable[[WorkspaceModel], tuple[MetadataChange, str]]
# (model now, model after the change) -> problems the change would bring to the GraphQL schema.
SchemaCheck = Callable[[WorkspaceModel, WorkspaceModel], list[str]]


def graphql_schema_check(before: WorkspaceModel, after: WorkspaceModel) -> list[str]:
    """The core schema's own check (graphql-core is imported by the first change, not before:
    metadata reads and record requests never pay for it)."""
    from chalicelib.graphql.core_schema.checking import new_schema_problems

    return new_schema_problems(before, after)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The model after a command and the id of the object or field it is about."""

    model: WorkspaceModel
    id: str

    @property
    def object(self) -> ObjectDef:
        return self.model.by_id[self.id]

    def field(self) -> FieldDef:
        return find_field(self.model, self.id)[1]


def _new_id() -> str:
    return str(uuid.uuid4())


def _bodies(*objects: ObjectDef) -> list[dict[str, Any]]:
    return [object_to_body(obj) for obj in objects]


class MetadataService:
    def __init__(
        self,
        store: RecordStore,
        *,
        job_budget_seconds: float,
        scan_cap: int,
        load: Callable[[str], WorkspaceModel] = load_model,
        job_step: int = jobs.STEP,
        schema_check: SchemaCheck = graphql_schema_check,
    ) -> None:
        self._store = store
        self._schema_check = schema_check
        self._step = job_step
        # The model a command is computed on (tests interleave a competing change here).
        self._load = load
        self._budget = job_budget_seconds
        self._scan_cap = scan_cap

    # -- plumbing ------------------------------------------------------------------------------

    def _commit(self, ctx: RequestContext, planner: Planner) -> Outcome:
        workspace_id = ctx.workspace_id
        for _ in range(_ATTEMPTS):
            model = self._load(workspace_id)
            change, subject_id = planner(model)
            self._ensure_schema_builds(model, change)
            try:
                commit_change(workspace_id, change, model.version)
            except VersionConflictError:
                continue
            if change.jobs:
                self.run_jobs(workspace_id)
            return Outcome(load_model(workspace_id), subject_id)
        raise VersionConflictError("The data model kept changing; retry")

    def _ensure_schema_builds(self, model: WorkspaceModel, change: MetadataChange) -> None:
        problems = self._schema_check(model, model_after(model, change))
        if problems:
            raise MetadataValidationError(messages=problems)

    def continue_jobs(self, ctx: RequestContext) -> bool:
        """Carry on with work earlier changes left (called at the start of metadata requests)."""
        return self.run_jobs(ctx.workspace_id)

    def run_jobs(self, workspace_id: str) -> bool:
        """True when no job of the workspace is left."""
        return jobs.run_pending(
            self._store, workspace_id, budget_seconds=self._budget, step=self._step
        )

    # -- objects -------------------------------------------------------------------------------

    def create_object(self, ctx: RequestContext, data: Any) -> Outcome:
        given = check.ensure_mapping("The object", data)

        def plan(model: WorkspaceModel) -> tuple[MetadataChange, str]:
            problems = check.Problems()
            check.unknown_keys(problems, given, check.OBJECT_CREATE_KEYS)
            for key in ("labelSingular", "labelPlural"):
                check.check_text(problems, given, key, required=True)
            for key in ("description", "icon", "shortcut"):
                check.check_text(problems, given, key, required=False)
            for key in ("isLabelSyncedWithName", "skipNameField"):
                check.check_boolean(problems, given, key)
            problems.extend(
                check.object_name_problems(
                    model, given.get("nameSingular"), given.get("namePlural")
                )
            )
            problems.extend(
                check.label_problems(given.get("labelSingular"), given.get("labelPlural"))
            )
            problems.raise_if_any()
            # A new object has no records yet, so its default indexes are ready from the start.
            obj = with_indexes(changes.build_custom_object(given, now=ctx.now, new_id=_new_id))
            change = MetadataChange(
                object_bodies=_bodies(obj), field_bodies=[field_to_body(f) for f in obj.fields]
            )
            return change, obj.id

        return self._commit(ctx, plan)

    def update_object(self, ctx: RequestContext, object_id: str, data: Any) -> Outcome:
        given = check.ensure_mapping("The update", data)

        def plan(model: WorkspaceModel) -> tuple[MetadataChange, str]:
            obj = find_object(model, object_id)
            problems = check.Problems()
            check.unknown_keys(problems, given, check.OBJECT_UPDATE_KEYS | {"id"})
            _check_object_update(problems, model, obj, given)
            problems.raise_if_any()
            return MetadataChange(object_bodies=_bodies(_updated(obj, given, ctx.now))), obj.id

        return self._commit(ctx, plan)

    def delete_object(self, ctx: RequestContext, object_id: str) -> tuple[ObjectDef, Outcome]:
        """Delete an inactive custom object, its fields, relations pointing at it and records."""
        deleted: list[ObjectDef] = []

        def plan(model: WorkspaceModel) -> tuple[MetadataChange, str]:
            obj = find_object(model, object_id)
            _ensure_deletable("object", obj.is_custom, obj.is_active, obj.is_system)
            change = MetadataChange(
                deleted_objects=[obj.id], jobs=[jobs.purge_job(obj.id, ctx.now)]
            )
            for other in model.objects:
                pointing = [f for f in other.fields if _targets(f, obj.id) and other.id != obj.id]
                if pointing:
                    _drop_fields(change, other, pointing, ctx.now)
            deleted[:] = [obj]
            return change, obj.id

        outcome = self._commit(ctx, plan)
        return deleted[0], outcome

    # -- fields --------------------------------------------------------------------------------

    def create_field(self, ctx: RequestContext, data: Any) -> Outcome:
        given = check.ensure_mapping("The field", data)

        def plan(model: WorkspaceModel) -> tuple[MetadataChange, str]:
            obj = model.by_id.get(str(given.get("objectMetadataId")))
            if obj is None:
                raise MetadataValidationError(
                    f"objectMetadataId {given.get('objectMetadataId')!r} is not an object of "
                    "this workspace"
                )
            if given.get("type") == FieldType.RELATION.value:
                return self._plan_relation(model, obj, given, ctx.now)
            problems = check.Problems()
            _check_new_field(problems, obj, given)
            problems.raise_if_any()
            field = changes.build_custom_field(obj, given, now=ctx.now, new_id=_new_id)
            problems.extend(check.default_value_problems(field))
            problems.raise_if_any()
            change = MetadataChange(field_bodies=[field_to_body(field)])
            _add_field(change, obj, field, ctx.now)
            if field.default_value is not None and not change.jobs:
                # Existing records get the default, as rows do when SQL adds a column.
                change.jobs.append(jobs.migrate_job(obj.id, ctx.now))
            return change, field.id

        return self._commit(ctx, plan)

    def _plan_relation(
        self, model: WorkspaceModel, obj: ObjectDef, given: Mapping[str, Any], now: str
    ) -> tuple[MetadataChange, str]:
        problems = check.Problems()
        check.unknown_keys(problems, given, check.FIELD_CREATE_KEYS)
        check.check_text(problems, given, "label", required=True)
        problems.extend(check.settings_problems(FieldType.RELATION, given.get("settings")))
        payload = given.get("relationCreationPayload")
        target = _relation_target(problems, model, payload)
        problems.raise_if_any()
        assert target is not None and isinstance(payload, Mapping)
        asked_is_many = payload.get("type") == "MANY_TO_ONE"
        inverse_name = changes.inverse_field_name(payload, obj)
        name = given.get("name")
        problems.extend(
            check.field_name_problems(obj, name, join_column=f"{name}Id" if asked_is_many else None)
        )
        check.check_text(problems, payload, "targetFieldLabel", required=True)
        problems.extend(
            f"relationCreationPayload.targetFieldName: {message}"
            for message in check.field_name_problems(
                target if target.id != obj.id else obj,
                inverse_name,
                join_column=None if asked_is_many else f"{inverse_name}Id",
            )
        )
        if target.id == obj.id and inverse_name == name:
            problems.add("A relation to the same object needs two different field names")
        problems.raise_if_any()
        asked, inverse = changes.build_custom_relation(obj, target, given, now=now, new_id=_new_id)
        change = MetadataChange(field_bodies=[field_to_body(asked), field_to_body(inverse)])
        if target.id == obj.id:
            _add_fields(change, obj, [asked, inverse], now)
        else:
            _add_field(change, obj, asked, now)
            _add_field(change, target, inverse, now)
        return change, asked.id

    def update_field(self, ctx: RequestContext, field_id: str, data: Any) -> Outcome:
        given = check.ensure_mapping("The update", data)
        self._refuse_rename_while_migrating(ctx, field_id, given)
        self._claim_if_becoming_unique(ctx, field_id, given)

        def plan(model: WorkspaceModel) -> tuple[MetadataChange, str]:
            obj, field = find_field(model, field_id)
            problems = check.Problems()
            check.unknown_keys(problems, given, check.FIELD_UPDATE_KEYS)
            _check_field_update(problems, obj, field, given)
            problems.raise_if_any()
            new = changes.updated_field(field, given, now=ctx.now, new_id=_new_id)
            problems.extend(check.default_value_problems(new))
            problems.raise_if_any()
            change = MetadataChange(field_bodies=[field_to_body(new)])
            _replace_field(change, obj, field, new, ctx.now)
            return change, new.id

        return self._commit(ctx, plan)

    def _refuse_rename_while_migrating(
        self, ctx: RequestContext, field_id: str, given: Mapping[str, Any]
    ) -> None:
        """A rename moves values in records; an older unfinished job of the object would run
        first, under the new model, and drop them before they move."""
        obj, field = find_field(self._load(ctx.workspace_id), field_id)
        if given.get("name", field.name) == field.name:
            return
        if any(job.get("objectId") == obj.id for job in pending_jobs(ctx.workspace_id)):
            raise MetadataValidationError(
                f"'{obj.name_plural}' records are still being migrated by an earlier change; "
                "retry in a moment"
            )

    def _claim_if_becoming_unique(
        self, ctx: RequestContext, field_id: str, given: Mapping[str, Any]
    ) -> None:
        """Guards for existing values are reserved before the field is marked unique, so that
        a clash refuses the change before it is visible."""
        obj, field = find_field(self._load(ctx.workspace_id), field_id)
        if given.get("isUnique") is True and not field.is_unique:
            if field.type not in check.UNIQUE_CAPABLE:
                return  # refused by the validation of the update
            claim_existing_values(
                self._store, ctx.workspace_id, obj, field, scan_cap=self._scan_cap
            )

    def delete_field(self, ctx: RequestContext, field_id: str) -> tuple[FieldDef, Outcome]:
        """Delete an inactive custom field (both sides of a relation) and its stored values."""
        deleted: list[FieldDef] = []

        def plan(model: WorkspaceModel) -> tuple[MetadataChange, str]:
            obj, field = find_field(model, field_id)
            _ensure_deletable("field", field.is_custom, field.is_active, field.is_system)
            if field.id == obj.label_identifier_field_id:
                raise MetadataValidationError("The label identifier field cannot be deleted")
            change = MetadataChange()
            _drop_fields(change, obj, [field], ctx.now)
            if field.relation is not None:
                target = model.by_id.get(field.relation.target_object_id)
                inverse = _field_by_id(target, field.relation.target_field_id)
                if target is not None and inverse is not None:
                    source = obj if target.id == obj.id else target
                    base = _object_from(change, source)
                    _drop_fields(change, base, [inverse], ctx.now)
            deleted[:] = [field]
            return change, obj.id

        outcome = self._commit(ctx, plan)
        return deleted[0], outcome


# -- change helpers ------------------------------------------------------------------------------


def model_after(model: WorkspaceModel, change: MetadataChange) -> WorkspaceModel:
    """The model `load_model` will answer once `change` has committed on top of `model` (objects
    and fields the change does not touch are reused as they are)."""
    fields = {field.id: field for obj in model.objects for field in obj.fields}
    fields |= {body["id"]: field_from_body(body) for body in change.field_bodies}
    for _, field_id in change.deleted_fields:
        fields.pop(field_id, None)
    owned: dict[str, list[FieldDef]] = {}
    for field in fields.values():
        owned.setdefault(field.object_id, []).append(field)
    bodies = {body["id"]: body for body in change.object_bodies}
    objects = []
    for obj in model.objects:
        if obj.id not in bodies and obj.id not in change.deleted_objects:
            own = tuple(owned.get(obj.id, ()))
            objects.append(obj if own == obj.fields else replace(obj, fields=own))
    objects += [
        object_from_body(body, tuple(owned.get(object_id, ())))
        for object_id, body in bodies.items()
        if object_id not in change.deleted_objects
    ]
    objects.sort(key=lambda obj: obj.name_singular)
    return WorkspaceModel(model.workspace_id, model.version + 1, tuple(objects))


def _updated(obj: ObjectDef, given: Mapping[str, Any], now: str) -> ObjectDef:
    return changes.updated_object(obj, given, now=now)


def _targets(field: FieldDef, object_id: str) -> bool:
    return field.relation is not None and field.relation.target_object_id == object_id


def _field_by_id(obj: ObjectDef | None, field_id: str) -> FieldDef | None:
    if obj is None:
        return None
    return next((f for f in obj.fields if f.id == field_id), None)


def _object_from(change: MetadataChange, obj: ObjectDef) -> ObjectDef:
    """`obj` as this change already rewrote it (two edits of one object must compose)."""
    for body in change.object_bodies:
        if body["id"] == obj.id:
            kept = {f.id for f in obj.fields} - {fid for oid, fid in change.deleted_fields}
            return object_from_body(body, tuple(f for f in obj.fields if f.id in kept))
    return obj


def _put_object(change: MetadataChange, obj: ObjectDef) -> None:
    change.object_bodies[:] = [b for b in change.object_bodies if b["id"] != obj.id]
    change.object_bodies.append(object_to_body(obj))


def _add_field(change: MetadataChange, obj: ObjectDef, field: FieldDef, now: str) -> None:
    _add_fields(change, obj, [field], now)


def _add_fields(change: MetadataChange, obj: ObjectDef, fields: list[FieldDef], now: str) -> None:
    """Put the object with its new index slots; slots of existing records start unready and a
    migrate job writes their keys, then marks them ready."""
    grown = obj
    for field in fields:
        grown = changes.with_field(grown, field)
    indexed = with_indexes(grown)
    new_slots = tuple(spec.slot for spec in indexed.indexes if spec not in obj.indexes)
    if not new_slots:
        return
    unready = tuple(
        replace(spec, ready=False) if spec.slot in new_slots else spec for spec in indexed.indexes
    )
    _put_object(change, replace(obj, indexes=unready, updated_at=now))
    change.jobs.append(jobs.migrate_job(obj.id, now, ready_slots=new_slots))


def _replace_field(
    change: MetadataChange, obj: ObjectDef, old: FieldDef, new: FieldDef, now: str
) -> None:
    if new.name != old.name:
        obj = _rename(change, obj, old, new, now)
    removed_options = old.option_values - new.option_values
    if removed_options:
        change.jobs.append(jobs.migrate_job(obj.id, now))
    guards = _guard_paths(old) if old.is_unique and not new.is_unique else ()
    if guards:
        change.jobs.append(jobs.migrate_job(obj.id, now, dropped_guards=guards))
    reactivated = new.is_active and not old.is_active
    if reactivated or (new.is_unique and not old.is_unique) or _index_flag(new) != _index_flag(old):
        # Writes made while the field was inactive did not maintain its index slot.
        stale = (
            {s.slot for s in obj.indexes if s.path.split(".")[0] == new.name}
            if reactivated
            else set()
        )
        grown = changes.with_field(obj, new)
        indexed = with_indexes(grown)
        new_slots = {s.slot for s in indexed.indexes if s not in obj.indexes} | stale
        if new_slots:
            unready = tuple(
                replace(s, ready=False) if s.slot in new_slots else s for s in indexed.indexes
            )
            _put_object(change, replace(obj, indexes=unready, updated_at=now))
            change.jobs.append(jobs.migrate_job(obj.id, now, ready_slots=tuple(sorted(new_slots))))


def _rename(
    change: MetadataChange, obj: ObjectDef, old: FieldDef, new: FieldDef, now: str
) -> ObjectDef:
    """Records store values under field names: a migrate job moves them to the new name (and
    index paths follow). Unique fields keep their name: their guards are keyed by it."""
    if old.is_unique:
        raise MetadataValidationError(
            f"Unique field '{old.name}' cannot be renamed: set isUnique to false first"
        )
    indexes = tuple(
        replace(spec, path=".".join([new.name, *spec.path.split(".")[1:]]))
        if spec.path.split(".")[0] == old.name
        else spec
        for spec in obj.indexes
    )
    renamed = replace(obj, indexes=indexes, updated_at=now)
    _put_object(change, renamed)
    change.jobs.append(jobs.migrate_job(obj.id, now, renamed={old.name: new.name}))
    return renamed


def _drop_fields(change: MetadataChange, obj: ObjectDef, fields: list[FieldDef], now: str) -> None:
    """Delete field items, free their index slots and clear their values from records."""
    names = {f.name for f in fields} | {f.join_column for f in fields if f.join_column}
    kept = tuple(s for s in obj.indexes if s.path.split(".")[0] not in names)
    change.deleted_fields.extend((obj.id, f.id) for f in fields)
    shrunk = _object_from(change, obj)
    _put_object(change, replace(shrunk, indexes=kept, updated_at=now))
    guards = tuple(path for f in fields if f.is_unique for path in _guard_paths(f))
    change.jobs.append(jobs.migrate_job(obj.id, now, dropped_guards=guards))


def _guard_paths(field: FieldDef) -> tuple[str, ...]:
    sub = {FieldType.EMAILS: "primaryEmail", FieldType.LINKS: "primaryLinkUrl"}.get(field.type)
    if field.type is FieldType.PHONES:
        sub = "primaryPhoneNumber"
    return (f"{field.name}.{sub}",) if sub else (field.name,)


def _index_flag(field: FieldDef) -> bool:
    return bool(field.settings and field.settings.get("isIndexed"))


def _ensure_deletable(kind: str, is_custom: bool, is_active: bool, is_system: bool) -> None:
    if is_system:
        raise MetadataValidationError(f"System {kind}s cannot be deleted")
    if not is_custom:
        raise MetadataValidationError(f"Standard {kind}s cannot be deleted")
    if is_active:
        raise MetadataValidationError(
            f"Active {kind}s cannot be deleted: set isActive to false first"
        )


def _relation_target(
    problems: check.Problems, model: WorkspaceModel, payload: Any
) -> ObjectDef | None:
    if not isinstance(payload, Mapping):
        problems.add("A RELATION field needs a relationCreationPayload object")
        return None
    if payload.get("type") not in ("MANY_TO_ONE", "ONE_TO_MANY"):
        problems.add("relationCreationPayload.type must be MANY_TO_ONE or ONE_TO_MANY")
    target = model.by_id.get(payload.get("targetObjectMetadataId") or "")
    if target is None:
        problems.add(
            f"relationCreationPayload.targetObjectMetadataId "
            f"'{payload.get('targetObjectMetadataId')}' is not an object of this workspace"
        )
    return target


def _check_new_field(problems: check.Problems, obj: ObjectDef, given: Mapping[str, Any]) -> None:
    check.unknown_keys(problems, given, check.FIELD_CREATE_KEYS)
    check.check_text(problems, given, "label", required=True)
    for key in ("description", "icon"):
        check.check_text(problems, given, key, required=False)
    for key in ("isNullable", "isUnique", "isActive", "isLabelSyncedWithName"):
        check.check_boolean(problems, given, key)
    raw_type = given.get("type")
    if raw_type not in FieldType.__members__ or raw_type == FieldType.RELATION.value:
        problems.add(f"type {raw_type!r} is not a field type ({', '.join(FieldType)})")
        return
    field_type = FieldType(raw_type)
    if given.get("isSystem"):
        problems.add("isSystem cannot be set through the API")
    if given.get("relationCreationPayload") is not None:
        problems.add("relationCreationPayload is only allowed with type RELATION")
    problems.extend(check.field_name_problems(obj, given.get("name")))
    problems.extend(check.option_problems(field_type, given.get("options")))
    problems.extend(check.settings_problems(field_type, given.get("settings")))
    if given.get("isUnique") and field_type not in check.UNIQUE_CAPABLE:
        problems.add(f"A {field_type.value} field cannot be unique")


def _check_field_update(
    problems: check.Problems, obj: ObjectDef, field: FieldDef, given: Mapping[str, Any]
) -> None:
    for key in ("label", "description", "icon"):
        check.check_text(problems, given, key, required=key == "label" and "label" in given)
    for key in ("isNullable", "isUnique", "isActive", "isLabelSyncedWithName"):
        check.check_boolean(problems, given, key)
    if "name" in given and given["name"] != field.name:
        if not field.is_custom or field.type is FieldType.RELATION:
            problems.add(f"The name of field '{field.name}' cannot be changed")
        else:
            problems.extend(check.field_name_problems(obj, given["name"], ignore_id=field.id))
    if field.is_system and any(k in given for k in ("isActive", "isNullable", "isUnique")):
        problems.add(f"System field '{field.name}' cannot be changed")
    if given.get("isActive") is False and field.id == obj.label_identifier_field_id:
        problems.add(f"'{field.name}' is the label identifier of '{obj.name_singular}'")
    if "options" in given:
        problems.extend(check.option_problems(field.type, given["options"]))
    if "settings" in given:
        problems.extend(check.settings_problems(field.type, given["settings"]))
    if given.get("isUnique") and field.type not in check.UNIQUE_CAPABLE:
        problems.add(f"A {field.type.value} field cannot be unique")


def _check_object_update(
    problems: check.Problems, model: WorkspaceModel, obj: ObjectDef, given: Mapping[str, Any]
) -> None:
    for key in ("labelSingular", "labelPlural"):
        if key in given:
            check.check_text(problems, given, key, required=True)
    for key in ("description", "icon", "shortcut"):
        check.check_text(problems, given, key, required=False)
    for key in ("isActive", "isLabelSyncedWithName"):
        check.check_boolean(problems, given, key)
    singular = given.get("nameSingular", obj.name_singular)
    plural = given.get("namePlural", obj.name_plural)
    if (singular, plural) != (obj.name_singular, obj.name_plural):
        if not obj.is_custom:
            problems.add("The names of a standard object cannot be changed")
        else:
            problems.extend(check.object_name_problems(model, singular, plural, ignore_id=obj.id))
    problems.extend(
        check.label_problems(
            given.get("labelSingular", obj.label_singular),
            given.get("labelPlural", obj.label_plural),
        )
    )
    if given.get("isActive") is False and obj.is_system:
        problems.add("System objects cannot be deactivated")
    label_id = given.get("labelIdentifierFieldMetadataId")
    if label_id is not None:
        label = next((f for f in obj.fields if f.id == label_id), None)
        if label is None or label.type not in (FieldType.TEXT, FieldType.FULL_NAME, FieldType.UUID):
            problems.add(
                "labelIdentifierFieldMetadataId must be a TEXT, FULL_NAME or UUID field of "
                "this object"
            )
