"""The API-key fields of the metadata schema (POST /metadata), named as Twenty's SDL names them:
`apiKeys`, `apiKey(input: GetApiKeyInput!)`, `createApiKey(input: CreateApiKeyInput!)`,
`generateApiKeyToken(apiKeyId, expiresAt): ApiKeyToken`, `updateApiKey(input:
UpdateApiKeyInput!)`, `revokeApiKey(input: RevokeApiKeyInput!)`.

Beyond Twenty: `scope` (a String: "full", "read" or "metadata", validated by the service as REST
validates it) on the key and on `CreateApiKeyInput`; Twenty's `roleId` and `role` do not exist
here. Every rule is `auth/key_management.py`'s, shared with REST.
"""

from __future__ import annotations

import uuid
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from chalicelib.auth import key_management as keys
from chalicelib.context import RequestContext
from chalicelib.errors import BadRequestError
from chalicelib.graphql.metadata_resolvers import reported
from chalicelib.graphql.scalars import DATE_TIME, UUID

API_KEY = GraphQLObjectType(
    "ApiKey",
    {
        "id": GraphQLField(GraphQLNonNull(UUID)),
        "name": GraphQLField(GraphQLNonNull(GraphQLString)),
        # Null only for a key an operator issued without expiry (python -m chalicelib.admin).
        "expiresAt": GraphQLField(DATE_TIME),
        "revokedAt": GraphQLField(DATE_TIME),
        "createdAt": GraphQLField(GraphQLNonNull(DATE_TIME)),
        "updatedAt": GraphQLField(GraphQLNonNull(DATE_TIME)),
        "scope": GraphQLField(GraphQLNonNull(GraphQLString)),
        "token": GraphQLField(
            GraphQLString, description="The key's token: only in createApiKey's answer"
        ),
    },
)
API_KEY_TOKEN = GraphQLObjectType(
    "ApiKeyToken", {"token": GraphQLField(GraphQLNonNull(GraphQLString))}
)


def _input(type_name: str, /, **fields: Any) -> GraphQLArgument:
    inputs = {field: GraphQLInputField(of) for field, of in fields.items()}
    return GraphQLArgument(GraphQLNonNull(GraphQLInputObjectType(type_name, inputs)))


_ID_ONLY = {"id": GraphQLNonNull(UUID)}


def _ctx(info: GraphQLResolveInfo) -> RequestContext:
    return info.context.ctx


def _key_id(value: str) -> str:
    """Key ids are stored in canonical lower-case form."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise BadRequestError(f"'{value}' is not a valid UUID") from None


@reported
def _api_keys(_root: object, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return [keys.key_view(row) for row in keys.list_keys(_ctx(info))]


@reported
def _api_key(_root: object, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    return keys.key_view(keys.get_key(_ctx(info), _key_id(input["id"])))


@reported
def _create(_root: object, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    return keys.issued_view(keys.create_key(_ctx(info), dict(input)))


@reported
def _generate_token(
    _root: object, info: GraphQLResolveInfo, apiKeyId: str, expiresAt: str
) -> dict[str, str]:
    issued = keys.generate_token(_ctx(info), _key_id(apiKeyId), expiresAt)
    return {"token": issued.token}


@reported
def _update(_root: object, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    changes = {field: value for field, value in input.items() if field != "id"}
    return keys.key_view(keys.update_key(_ctx(info), _key_id(input["id"]), changes))


@reported
def _revoke(_root: object, info: GraphQLResolveInfo, input: dict[str, Any]) -> dict[str, Any]:
    return keys.key_view(keys.revoke_key(_ctx(info), _key_id(input["id"])))


QUERIES: dict[str, GraphQLField] = {
    "apiKeys": GraphQLField(
        GraphQLNonNull(GraphQLList(GraphQLNonNull(API_KEY))), resolve=_api_keys
    ),
    # Nullable, as Twenty's: an unknown id is null with a NOT_FOUND error.
    "apiKey": GraphQLField(
        API_KEY, {"input": _input("GetApiKeyInput", **_ID_ONLY)}, resolve=_api_key
    ),
}

MUTATIONS: dict[str, GraphQLField] = {
    "createApiKey": GraphQLField(
        GraphQLNonNull(API_KEY),
        {
            "input": _input(
                "CreateApiKeyInput",
                name=GraphQLNonNull(GraphQLString),
                expiresAt=GraphQLNonNull(GraphQLString),
                scope=GraphQLString,
            )
        },
        resolve=_create,
    ),
    "generateApiKeyToken": GraphQLField(
        GraphQLNonNull(API_KEY_TOKEN),
        {
            "apiKeyId": GraphQLArgument(GraphQLNonNull(UUID)),
            "expiresAt": GraphQLArgument(GraphQLNonNull(GraphQLString)),
        },
        resolve=_generate_token,
    ),
    "updateApiKey": GraphQLField(
        API_KEY,
        {
            "input": _input(
                "UpdateApiKeyInput",
                id=GraphQLNonNull(UUID),
                name=GraphQLString,
                expiresAt=GraphQLString,
            )
        },
        resolve=_update,
    ),
    "revokeApiKey": GraphQLField(
        API_KEY, {"input": _input("RevokeApiKeyInput", **_ID_ONLY)}, resolve=_revoke
    ),
}
