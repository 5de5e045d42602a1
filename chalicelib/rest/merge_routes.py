"""`PATCH /rest/{plural}/merge`: merge records into one (Twenty's mergeMany, core/merge.py).

Body `{"ids": [uuid, ...], "conflictPriorityIndex": n, "dryRun": bool}`, answer
`{"data": {"merge<Plural>": record}}` (the key of Twenty's OpenAPI document), `depth` 0/1 as on
a read. The static `merge` segment wins over `/{plural}/{record_id}` both on API Gateway and in
Chalice's local router (concrete segments are matched first), and is never a record id.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.errors import InvalidRequestBodyError
from chalicelib.rest import parsing
from chalicelib.rest.endpoint import RestCall, authenticated, json_response
from chalicelib.rest.rendering import pascal
from chalicelib.wiring import record_service

merges = Blueprint(__name__)
endpoint = authenticated(lambda: merges.current_request, api="core")


def merge_arguments(body: object) -> tuple[tuple[str, ...], int, bool]:
    """(ids, conflictPriorityIndex, dryRun) of a merge body, each checked for its JSON type."""
    if not isinstance(body, dict):
        raise InvalidRequestBodyError(
            "Body must be a JSON object with 'ids' and 'conflictPriorityIndex'"
        )
    ids, index, dry_run = body.get("ids"), body.get("conflictPriorityIndex"), body.get("dryRun")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidRequestBodyError("'ids' must be an array of record ids (UUIDs)")
    bad = [i for i in ids if not parsing.is_uuid(i)]
    if bad:
        shown = ", ".join(repr(value[:40]) for value in bad[:3])
        raise InvalidRequestBodyError(f"'ids' holds values that are not UUIDs: {shown}")
    if isinstance(index, bool) or not isinstance(index, int):
        raise InvalidRequestBodyError("'conflictPriorityIndex' must be an integer")
    if dry_run is not None and not isinstance(dry_run, bool):
        raise InvalidRequestBodyError("'dryRun' must be true or false")
    return tuple(i.lower() for i in ids), index, bool(dry_run)


def merge_envelope(plural: str, record: dict[str, Any]) -> dict[str, Any]:
    return {"data": {f"merge{pascal(plural)}": record}}


@merges.route("/{plural}/merge", methods=["PATCH"])
@endpoint
def merge(call: RestCall, plural: str) -> Response:
    # Imported here, not at `import app` (the cold start): few containers ever merge.
    from chalicelib.core.many_commands import MergeRecords

    obj = parsing.resolve_object(call.model, plural)
    body = call.body()
    ids, index, dry_run = merge_arguments(body)
    depth = parsing.depth_param(call.params)
    command = MergeRecords(obj, ids, index, call.model, dry_run=dry_run, depth=depth)
    outcome = record_service().merge(call.ctx, command)
    return json_response(merge_envelope(obj.name_plural, outcome.record))
