"""API-key scopes: which API a key may call, checked right after authentication, before anything
of the workspace is read (so a refused request reads and writes nothing)."""

from __future__ import annotations

from typing import Literal

from chalicelib.context import SCOPE_FULL, SCOPE_METADATA, SCOPE_READ, Principal
from chalicelib.errors import ForbiddenError

Api = Literal["core", "metadata"]


def require_scope(principal: Principal, api: Api, *, writes: bool) -> None:
    """Refuse (403 FORBIDDEN) a request outside its key's scope.

    `api` is the API called ("core": REST records and POST /graphql; "metadata": REST
    /rest/metadata/... and POST /metadata); `writes` whether the request may change anything
    (any REST method but GET/HEAD/OPTIONS, a GraphQL mutation).
    """
    scope = principal.scope
    if scope == SCOPE_FULL:
        return
    if scope == SCOPE_READ and api == "core" and not writes:
        return
    if scope == SCOPE_METADATA and api == "metadata":
        return
    raise ForbiddenError(_refusal(scope, api, writes))


def _refusal(scope: str, api: Api, writes: bool) -> str:
    if scope == SCOPE_READ:
        what = "writes" if api == "core" and writes else "the metadata API"
        return f"This API key has the 'read' scope: it may only read records, not use {what}"
    if scope == SCOPE_METADATA:
        return "This API key has the 'metadata' scope: it may only use the metadata API"
    return f"This API key's scope '{scope}' does not allow this request"


def may_grant(granter: Principal, scope: str) -> bool:
    """Whether a key may mint or manage a key of `scope`: never a wider one than its own."""
    return granter.scope == SCOPE_FULL or granter.scope == scope
