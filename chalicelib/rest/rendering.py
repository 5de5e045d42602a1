"""Twenty's REST envelopes around core results."""

from __future__ import annotations

from typing import Any

from chalicelib.core.commands import Page
from chalicelib.metadata.model import ObjectDef


def pascal(name: str) -> str:
    """Twenty's `capitalize`: upper-case the first letter only."""
    return name[:1].upper() + name[1:]


def one(obj: ObjectDef, record: dict[str, Any]) -> dict[str, Any]:
    return {"data": {obj.name_singular: record}}


def mutation(verb: str, obj: ObjectDef, record: dict[str, Any]) -> dict[str, Any]:
    return {"data": {f"{verb}{pascal(obj.name_singular)}": record}}


def many_mutation(verb: str, obj: ObjectDef, records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": {f"{verb}{pascal(obj.name_plural)}": records}}


def page(obj: ObjectDef, result: Page, cursor_tag: str) -> dict[str, Any]:
    """A list page; its cursors are opaque and bound to this list (`core/cursors.py`)."""
    from chalicelib.core.cursors import encode_cursor

    def cursor(record_id: str | None) -> str | None:
        return encode_cursor(cursor_tag, record_id) if record_id is not None else None

    return {
        "data": {obj.name_plural: result.records},
        "totalCount": result.total_count,
        "pageInfo": {
            "hasNextPage": result.has_next_page,
            "hasPreviousPage": result.has_previous_page,
            "startCursor": cursor(result.start_cursor),
            "endCursor": cursor(result.end_cursor),
        },
    }
