"""Twenty's REST envelopes around core results."""

from __future__ import annotations

from typing import Any

from chalicelib.core.commands import Page
from chalicelib.metadata.model import ObjectDef


def pascal(name: str) -> str:
    """Twenty's `capitalize`: upper-case the first letter only."""
    return name[:1].upper() + name[1:]


# `keep`: the record keys the `fields` parameter selected (rest/parsing.py), None for all.
Keep = frozenset[str] | None


def one(obj: ObjectDef, record: dict[str, Any], keep: Keep = None) -> dict[str, Any]:
    return {"data": {obj.name_singular: pick([record], keep)[0]}}


def mutation(
    verb: str, obj: ObjectDef, record: dict[str, Any], keep: Keep = None
) -> dict[str, Any]:
    return {"data": {f"{verb}{pascal(obj.name_singular)}": pick([record], keep)[0]}}


def many_mutation(
    verb: str, obj: ObjectDef, records: list[dict[str, Any]], keep: Keep = None
) -> dict[str, Any]:
    return {"data": {f"{verb}{pascal(obj.name_plural)}": pick(records, keep)}}


def page(obj: ObjectDef, result: Page, keep: Keep = None) -> dict[str, Any]:
    """A list page; its cursors are the ids of its first and last records."""
    return {
        "data": {obj.name_plural: pick(result.records, keep)},
        "totalCount": result.total_count,
        "pageInfo": _page_info(result),
    }


def duplicates(obj: ObjectDef, results: list[Page]) -> dict[str, Any]:
    """Twenty's find-duplicates answer: one entry per given id, then per input record."""
    return {
        "data": [
            {
                f"{obj.name_singular}Duplicates": result.records,
                "totalCount": result.total_count,
                "pageInfo": _page_info(result),
            }
            for result in results
        ]
    }


def removed_many(obj: ObjectDef, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Bulk delete and destroy answer only the ids, under Twenty's `delete<Plural>` for both."""
    return many_mutation("delete", obj, [{"id": record["id"]} for record in records])


def pick(records: list[dict[str, Any]], keep: Keep) -> list[dict[str, Any]]:
    """The records with only the keys the `fields` parameter asked for (None: all of them)."""
    if keep is None:
        return records
    return [{key: value for key, value in record.items() if key in keep} for record in records]


def _page_info(result: Page) -> dict[str, Any]:
    # Record ids, not opaque strings: Twenty's OpenAPI document types both cursors
    # `format: uuid`, and clients generated from it refuse anything else.
    return {
        "hasNextPage": result.has_next_page,
        "hasPreviousPage": result.has_previous_page,
        "startCursor": result.start_cursor,
        "endCursor": result.end_cursor,
    }
