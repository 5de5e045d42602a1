"""`<plural>Changes(since, first)`: delta sync on the core GraphQL API (core/changes.py).

The same answer as `GET /rest/changes/{plural}`: `{changes, nextSyncToken, hasMore}`, each
change's `record` a node whose relations resolve as in any other query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from chalicelib.graphql.loading import nodes_of
from chalicelib.metadata.model import ObjectDef
from chalicelib.wiring import change_feed


def changes_resolver(obj: ObjectDef) -> Callable[..., Any]:
    def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        page = change_feed().changes(info.context.ctx, obj, args.get("since"), args.get("first"))
        live = [change["record"] for change in page.changes if change["record"] is not None]
        nodes = iter(nodes_of(live))
        return {
            "changes": [
                {**change, "record": next(nodes) if change["record"] is not None else None}
                for change in page.changes
            ],
            "nextSyncToken": page.next_token,
            "hasMore": page.has_more,
        }

    return resolve
