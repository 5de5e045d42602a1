"""`GET /rest/changes/{plural}?since=<syncToken>&limit=N`: delta sync (core/changes.py).

Answers `{"data": {"changes": [{"operation", "id", "record"}]}, "nextSyncToken", "hasMore"}`,
oldest first; without `since` a full first sync. A read: a `read`-scoped key may call it.
The literal `changes` segment wins over `/{plural}/{record_id}` in API Gateway and in Chalice's
local router alike, and no object may be named `changes` (metadata/names.py).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.rest import parsing
from chalicelib.rest.endpoint import RestCall, authenticated, json_response
from chalicelib.settings import SETTINGS
from chalicelib.wiring import change_feed

changes = Blueprint(__name__)
endpoint = authenticated(lambda: changes.current_request, api="core")


@changes.route("/changes/{plural}", methods=["GET"])
@endpoint
def list_changes(call: RestCall, plural: str) -> Response:
    obj = parsing.resolve_object(call.model, plural)
    params = call.params
    limit = parsing.limit_param(params, default=SETTINGS.page_default, maximum=SETTINGS.page_max)
    page = change_feed().changes(call.ctx, obj, params.get("since"), limit)
    return json_response(
        {
            "data": {"changes": page.changes},
            "nextSyncToken": page.next_token,
            "hasMore": page.has_more,
        }
    )
