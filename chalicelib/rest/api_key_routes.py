"""REST /rest/metadata/apiKeys[/{id}]: a workspace's API keys (auth/key_management.py).

Envelopes as the rest of the metadata API: `{"data": {"apiKeys": [...]}}`, `{"data": {"apiKey":
...}}`, and the GraphQL mutation's name for a change (`createApiKey`, `updateApiKey`,
`revokeApiKey`). The token appears once, in `createApiKey`'s answer.

Key management is imported inside each view: most containers never serve these routes, and
`import app` is their cold start.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.errors import InvalidPathError
from chalicelib.rest import parsing
from chalicelib.rest.endpoint import RestCall, authenticated, json_response

api_key_routes = Blueprint(__name__)
endpoint = authenticated(lambda: api_key_routes.current_request, api="metadata")


def _key_id(raw: str) -> str:
    if not parsing.is_uuid(raw):
        raise InvalidPathError(f"'{raw}' is not a valid API key id (UUID)")
    return raw.lower()


@api_key_routes.route("/apiKeys", methods=["GET", "POST"])
@endpoint
def api_keys(call: RestCall) -> Response:
    from chalicelib.auth import key_management as keys

    if call.request.method == "POST":
        issued = keys.create_key(call.ctx, call.body())
        return json_response({"data": {"createApiKey": keys.issued_view(issued)}}, 201)
    views = [keys.key_view(row) for row in keys.list_keys(call.ctx)]
    return json_response({"data": {"apiKeys": views}})


@api_key_routes.route("/apiKeys/{key_id}", methods=["GET", "PATCH", "DELETE"])
@endpoint
def one_api_key(call: RestCall, key_id: str) -> Response:
    from chalicelib.auth import key_management as keys

    key_id, method = _key_id(key_id), call.request.method
    if method == "GET":
        return json_response({"data": {"apiKey": keys.key_view(keys.get_key(call.ctx, key_id))}})
    if method == "DELETE":
        revoked = keys.revoke_key(call.ctx, key_id)
        return json_response({"data": {"revokeApiKey": keys.key_view(revoked)}})
    updated = keys.update_key(call.ctx, key_id, call.body())
    return json_response({"data": {"updateApiKey": keys.key_view(updated)}})
