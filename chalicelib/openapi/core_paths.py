"""The REST core paths of one object: every route `rest/record_routes.py`,
`rest/group_by_routes.py` and `rest/merge_routes.py` serve, with Twenty's operationIds."""

from __future__ import annotations

from typing import Any

from chalicelib.metadata.model import ObjectDef
from chalicelib.openapi import envelopes, naming
from chalicelib.openapi.error_responses import error_schema, errors
from chalicelib.openapi.parameters import group_by_parameters, ref
from chalicelib.openapi.values import UUID, nullable
from chalicelib.settings import SETTINGS

Operation = dict[str, Any]

# Every core route: bad input, no key, a key whose scope refuses it, an answer too large,
# DynamoDB unavailable.
_ALWAYS = (400, 401, 403, 413, 503)
# Writes may also meet a unique value or a RESTRICT relation (409); bodies must be JSON (415).
_WRITE = (*_ALWAYS, 409, 415)


def object_paths(obj: ObjectDef) -> dict[str, dict[str, Operation]]:
    """`/{plural}`, `/batch/{plural}`, `/{plural}/{id}`, `/{plural}/duplicates`,
    `/{plural}/merge`, `/{plural}/groupBy`, `/restore/{plural}` and `/restore/{plural}/{id}`."""
    plural = obj.name_plural
    return {
        f"/{plural}": {
            "get": _find_many(obj),
            "post": _create_one(obj),
            "patch": _update_many(obj),
            "delete": _delete_many(obj),
        },
        f"/batch/{plural}": {"post": _create_many(obj)},
        f"/{plural}/{{id}}": {
            "get": _find_one(obj),
            "patch": _update_one(obj),
            "delete": _delete_one(obj),
        },
        f"/{plural}/duplicates": {"post": _find_duplicates(obj)},
        f"/{plural}/merge": {"patch": _merge_many(obj)},
        f"/{plural}/groupBy": {"get": _group_by(obj)},
        f"/restore/{plural}": {"patch": _restore_many(obj)},
        f"/restore/{plural}/{{id}}": {"patch": _restore_one(obj)},
        f"/changes/{plural}": {"get": _changes(obj)},
    }


def _operation(
    obj: ObjectDef,
    verb: str,
    summary: str,
    parameters: list[dict[str, Any]],
    success: tuple[int, dict[str, Any]],
    statuses: tuple[int, ...],
    *,
    body: dict[str, Any] | None = None,
    description: str | None = None,
) -> Operation:
    status, schema = success
    operation: Operation = {
        "tags": [obj.name_plural],
        "summary": summary,
        "operationId": naming.operation_id(verb, obj),
    }
    if description:
        operation["description"] = description
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    operation["responses"] = {
        str(status): envelopes.json_content(schema),
        **errors(*sorted(statuses)),
    }
    return operation


def _create_ref(obj: ObjectDef) -> dict[str, str]:
    return naming.schema_ref(naming.create_schema(obj))


def _update_ref(obj: ObjectDef) -> dict[str, str]:
    return naming.schema_ref(naming.update_schema(obj))


def _find_many(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "findMany",
        f"Find Many {obj.name_plural}",
        [ref(name) for name in ("orderBy", "filter", "limit", "depth", "startingAfter")]
        + [ref("endingBefore"), ref("fields")],
        (200, envelopes.find_many(obj)),
        _ALWAYS,
        description=f"**order_by**, **filter**, **limit**, **depth**, **starting_after** or "
        f"**ending_before** can be provided to request your **{obj.name_plural}**. Pages are "
        "full and `totalCount` is exact; a page cut short to fit the response size says so "
        "in the `X-Crm-Page-Shortened` header (continue from its `endCursor`)",
    )


def _create_one(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "createOne",
        f"Create One {obj.name_singular}",
        [ref("upsert"), ref("fields")],
        (201, envelopes.mutation("create", obj)),
        _WRITE,
        body=_create_ref(obj),
    )


def _create_many(obj: ObjectDef) -> Operation:
    batch = SETTINGS.batch_max_records
    operation = _operation(
        obj,
        "createMany",
        f"Create Many {obj.name_plural}",
        [ref("upsert"), _PARTIAL, ref("fields")],
        (201, envelopes.many_mutation("create", obj)),
        _WRITE,
        body={"type": "array", "items": _create_ref(obj), "minItems": 1, "maxItems": batch},
        description=f"Up to {batch} records, all written or none; with `partial=true`, every "
        "valid record is written and each refused one is reported by its index (207)",
    )
    multi_status = envelopes.json_content(
        _partial_results(obj), "With `partial=true`: one entry per input record, in input order"
    )
    created, *refusals = operation["responses"].items()
    operation["responses"] = dict([created, ("207", multi_status), *refusals])
    return operation


# Beyond Twenty: per-item results of a batch create (chalicelib/rest/partial_batches.py).
_PARTIAL = {
    "name": "partial",
    "in": "query",
    "schema": {"type": "boolean", "default": False},
    "description": "false (default): all records are written or none. true: every valid record "
    "is written and the answer is 207 whatever the mix, with the record or null for each input "
    "and one entry in `errors` per refused input (invalid values, a unique value or id already "
    "taken, a relation target missing, an upsert matching several records). Storage failures "
    "still fail the whole request, with nothing written",
}


def _partial_results(obj: ObjectDef) -> dict[str, Any]:
    record = naming.schema_ref(naming.response_schema(obj))
    item_error = {
        "type": "object",
        "properties": {
            "index": {"type": "integer", "minimum": 0, "description": "The input's position"},
            "code": {"type": "string", "description": "e.g. INVALID_FIELD_VALUE, DUPLICATE_ENTRY"},
            "messages": {"type": "array", "items": {"type": "string"}},
            "field": {"type": "string", "description": "The field path the error names"},
        },
        "required": ["index", "code", "messages"],
        "additionalProperties": False,
    }
    records = {"type": "array", "items": {"oneOf": [record, {"type": "null"}]}}
    return {
        "type": "object",
        "properties": {
            "data": {
                "type": "object",
                "properties": {f"create{naming.pascal(obj.name_plural)}": records},
                "required": [f"create{naming.pascal(obj.name_plural)}"],
                "additionalProperties": False,
            },
            "errors": {"type": "array", "items": item_error},
        },
        "required": ["data", "errors"],
        "additionalProperties": False,
    }


def _update_many(obj: ObjectDef) -> Operation:
    batch = SETTINGS.batch_max_records
    return _operation(
        obj,
        "updateMany",
        f"Update Many {obj.name_plural}",
        [ref("filter"), ref("fields")],
        (200, envelopes.many_mutation("update", obj)),
        _WRITE,
        body=_update_ref(obj),
        description=f"Sets the body's values on every record matching `filter` (every record "
        f"without one); more than {batch} matches is a 400 and nothing changes",
    )


def _delete_many(obj: ObjectDef) -> Operation:
    batch = SETTINGS.batch_max_records
    return _operation(
        obj,
        "deleteMany",
        f"Delete Many {obj.name_plural}",
        [ref("filterRequired"), ref("softDelete")],
        (200, envelopes.delete_many(obj)),
        (*_ALWAYS, 409),
        description=f"Destroys (or with soft_delete=true soft-deletes) the records matching "
        f"`filter`, at most {batch} of them (more: 400, nothing changes)",
    )


def _find_one(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "findOne",
        f"Find One {obj.name_singular}",
        [ref("idPath"), ref("depth"), ref("fields")],
        (200, envelopes.find_one(obj)),
        (*_ALWAYS, 404),
        description=f"**depth** can be provided to request your **{obj.name_singular}**",
    )


def _update_one(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "updateOne",
        f"Update One {obj.name_singular}",
        [ref("idPath"), ref("fields")],
        (200, envelopes.mutation("update", obj)),
        (*_WRITE, 404),
        body=_update_ref(obj),
        description="PUT is accepted as a synonym of PATCH",
    )


def _delete_one(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "deleteOne",
        f"Delete One {obj.name_singular}",
        [ref("idPath"), ref("softDelete")],
        (200, envelopes.delete_one(obj)),
        (*_ALWAYS, 404, 409),
    )


def _find_duplicates(obj: ObjectDef) -> Operation:
    ids = {"type": "array", "items": {"type": "string", "format": "uuid"}}
    data = {"type": "array", "items": _update_ref(obj)}
    body = {
        "type": "object",
        "properties": {"ids": ids, "data": data},
        "additionalProperties": False,
        "minProperties": 1,
        "description": f"Records to compare with the stored ones: by id and/or as values; "
        f"{SETTINGS.batch_max_records} at most in all",
    }
    return _operation(
        obj,
        "findDuplicates",
        f"Find {obj.name_singular} Duplicates",
        [ref("depth")],
        (200, envelopes.duplicates(obj)),
        (*_ALWAYS, 404, 415),  # 404: an id in `ids` names no record
        body=body,
        description=f"**depth** can be provided to request your **{obj.name_singular}**",
    )


def _merge_many(obj: ObjectDef) -> Operation:
    body = {
        "type": "object",
        "properties": {
            "ids": {
                "type": "array",
                "items": {"type": "string", "format": "uuid"},
                "minItems": 2,
                "maxItems": 9,
            },
            "conflictPriorityIndex": {
                "type": "integer",
                "minimum": 0,
                "description": "The index in `ids` of the record that survives; its non-empty "
                "values win",
            },
            "dryRun": {
                "type": "boolean",
                "default": False,
                "description": "true: write nothing, answer the preview",
            },
        },
        "required": ["ids", "conflictPriorityIndex"],
    }
    return _operation(
        obj,
        "mergeMany",
        f"Merge Many {obj.name_plural}",
        [ref("depth")],
        (200, envelopes.merge(obj)),
        (*_WRITE, 404),
        body=body,
        description="Merges 2 to 9 records into the one at `conflictPriorityIndex`; records "
        "pointing at the others move to it, and the others are soft-deleted",
    )


def _group_by(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "groupBy",
        f"Group {obj.name_plural}",
        group_by_parameters(),
        (200, envelopes.group_by(obj)),
        _ALWAYS,
        description="One group per distinct value of the dimensions, with `totalCount` and "
        "the aggregates asked for",
    )


def _restore_many(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "restoreMany",
        f"Restore Many {obj.name_plural}",
        [ref("filter"), ref("fields")],
        (200, envelopes.many_mutation("restore", obj)),
        (*_ALWAYS, 409),
        description=f"Restores the soft-deleted records matching `filter` (every one without "
        f"a filter), at most {SETTINGS.batch_max_records}",
    )


def _restore_one(obj: ObjectDef) -> Operation:
    return _operation(
        obj,
        "restoreOne",
        f"Restore One {obj.name_singular}",
        [ref("idPath"), ref("fields")],
        (200, envelopes.mutation("restore", obj)),
        (*_ALWAYS, 404, 409),
    )


def _changes(obj: ObjectDef) -> Operation:
    """Delta sync (beyond Twenty, rest/changes_routes.py)."""
    since = {
        "name": "since",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The `nextSyncToken` of the previous call; leave out for a full first sync",
    }
    change = {
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["created", "updated", "deleted", "restored", "destroyed"],
            },
            "id": UUID,
            "record": nullable(naming.schema_ref(naming.response_schema(obj))),
        },
        "required": ["operation", "id", "record"],
        "additionalProperties": False,
    }
    page = {
        "type": "object",
        "properties": {
            "data": {
                "type": "object",
                "properties": {"changes": {"type": "array", "items": change}},
                "required": ["changes"],
                "additionalProperties": False,
            },
            "nextSyncToken": {"type": "string"},
            "hasMore": {"type": "boolean"},
        },
        "required": ["data", "nextSyncToken", "hasMore"],
        "additionalProperties": False,
    }
    operation = _operation(
        obj,
        "findMany",
        f"Changes of {obj.name_plural} since a sync token",
        [since, ref("limit")],
        (200, page),
        _ALWAYS,
        description=f"The **{obj.name_plural}** created, updated, deleted (soft), restored or "
        "destroyed after `since`, oldest first, each once in its current state (`record` as a "
        "GET shows it, null when destroyed). Continue with `nextSyncToken`; `hasMore` says "
        "more changes are already waiting. Treat `created`, `updated` and `restored` alike as "
        "an upsert. A token older than the 7 days destroyed records are kept is a 410: "
        "sync whole again",
    )
    operation["operationId"] = f"changes{naming.pascal(obj.name_plural)}"
    operation["responses"]["410"] = {
        "description": "The sync token is older than the retained changes: start a full sync",
        "content": {"application/json": {"schema": error_schema()}},
    }
    return operation
