"""REST cursors are record UUIDs (issue 13, item 1): the strict-client reproduction.

Clients generated from Twenty's OpenAPI document type `pageInfo.startCursor`/`endCursor` as
`format: uuid` and refuse the page otherwise. Every cursor here goes through `uuid.UUID` as such
a client's model does, on filtered and sorted lists served by an index and in memory, paged
forward and back, and from cursors whose records were soft-deleted or destroyed meanwhile.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from tests.support import RestClient, make_tenant

LIMIT = 4
Row = dict[str, Any]


def q(text: str) -> str:
    return quote(text, safe="")


def by_name_descending(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: r["name"], reverse=True)


def by_id(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: r["id"])


def by_employees_nulls_last(rows: list[Row]) -> list[Row]:
    present = sorted((r for r in rows if r["employees"] is not None), key=lambda r: r["employees"])
    return present + by_id([r for r in rows if r["employees"] is None])


# (query, does a record match, the expected order, is the list served by an index)
LISTS: dict[str, tuple[str, Callable[[Row], bool], Callable[[list[Row]], list[Row]], bool]] = {
    "index walk on the sort, residual filter": (
        f"order_by={q('name[DescNullsLast]')}&filter={q('employees[gte]:5')}",
        lambda r: r["employees"] is not None and r["employees"] >= 5,
        by_name_descending,
        True,
    ),
    "index range in id order": (
        f"filter={q('name[gte]:N05')}",
        lambda r: r["name"] >= "N05",
        by_id,
        True,
    ),
    "in memory": (
        f"order_by={q('employees[AscNullsLast]')}&filter={q('name[lte]:N20')}",
        lambda r: r["name"] <= "N20",
        by_employees_nulls_last,
        False,
    ),
}


@pytest.fixture
def companies(rest: RestClient) -> list[Row]:
    """24 companies with distinct names and head counts, every sixth one without a head count."""
    rows = [
        {"name": f"N{i:02d}", "employees": None if i % 6 == 0 else (i * 7) % 24} for i in range(24)
    ]
    status, body = rest.post("/rest/batch/companies", rows)
    assert status == 201, body
    return body["data"]["createCompanies"]


@pytest.fixture
def index_names(meter) -> list[str | None]:
    """The `IndexName` of every DynamoDB Query the app makes (None: the table itself)."""
    seen: list[str | None] = []

    def record(operation: str, params: dict[str, Any]) -> None:
        if operation == "Query":
            seen.append(params.get("IndexName"))

    meter.interceptors.append(record)
    return seen


def strict_uuid(cursor: Any) -> str:
    """What a generated client's `format: uuid` field accepts: a canonical UUID of version 1-5."""
    assert isinstance(cursor, str), cursor
    parsed = uuid.UUID(cursor)
    assert str(parsed) == cursor and 1 <= (parsed.version or 0) <= 5, cursor
    return cursor


def get_page(rest: RestClient, base: str, cursor_param: str = "") -> tuple[list[str], dict]:
    """One page's ids and its page info, whose cursors must be UUIDs naming its ends."""
    status, body = rest.get(base + cursor_param)
    assert status == 200, body
    page, info = [r["id"] for r in body["data"]["companies"]], body["pageInfo"]
    if page:
        assert [strict_uuid(info["startCursor"]), strict_uuid(info["endCursor"])] == [
            page[0],
            page[-1],
        ]
    else:
        assert info["startCursor"] is None and info["endCursor"] is None
    return page, info


def walk_forward(rest: RestClient, base: str, cursor: str | None) -> list[list[str]]:
    """Every page after `cursor` (from the start without one), following `endCursor`."""
    pages: list[list[str]] = []
    while True:
        after = f"&starting_after={cursor}" if cursor is not None else ""
        page, info = get_page(rest, base, after)
        # Every walk here starts at the beginning or after a record that has others before it.
        assert info["hasPreviousPage"] is (cursor is not None), info
        pages.append(page)
        if not info["hasNextPage"]:
            return pages
        assert len(page) == LIMIT and len(pages) < 20, "pages must be full and the walk end"
        cursor = info["endCursor"]


def walk_backward(rest: RestClient, base: str, cursor: str) -> list[list[str]]:
    """Every page before `cursor`, nearest first, following `startCursor`."""
    pages: list[list[str]] = []
    while True:
        page, info = get_page(rest, base, f"&ending_before={cursor}")
        # Every walk here starts before a record that has others after it.
        assert info["hasNextPage"] is True, info
        pages.append(page)
        if not info["hasPreviousPage"]:
            return pages
        assert len(page) == LIMIT and len(pages) < 20, "pages must be full and the walk end"
        cursor = info["startCursor"]


def flat(pages: list[list[str]]) -> list[str]:
    return [record_id for page in pages for record_id in page]


@pytest.mark.parametrize("name", list(LISTS))
def test_a_filtered_sorted_list_pages_forward_and_back_with_uuid_cursors_across_deletions(
    rest, companies, index_names, name
):
    query, keep, order, indexed = LISTS[name]
    base = f"/rest/companies?limit={LIMIT}&{query}"
    expected = [r["id"] for r in order([c for c in companies if keep(c)])]
    assert 3 * LIMIT < len(expected) < len(companies), "the list must be filtered and span pages"

    pages = walk_forward(rest, base, None)
    assert flat(pages) == expected
    assert any(index_names) is indexed, "the premise: the list is served as its name says"
    assert walk_backward(rest, base, pages[-1][0]) == pages[-2::-1]

    # The cursor's record soft-deleted, then another one destroyed: both still place a walk,
    # which no longer lists them, from where they were.
    soft_deleted, destroyed = expected[LIMIT - 1], expected[2 * LIMIT + 1]
    status, _ = rest.delete(f"/rest/companies/{soft_deleted}?soft_delete=true")
    assert status == 200
    status, _ = rest.delete(f"/rest/companies/{destroyed}")
    assert status == 200
    assert rest.get(f"/rest/companies/{destroyed}")[0] == 404
    remaining = [rid for rid in expected if rid not in (soft_deleted, destroyed)]
    for cursor in (soft_deleted, destroyed):
        at = expected.index(cursor)
        before = [rid for rid in remaining if expected.index(rid) < at]
        after = [rid for rid in remaining if expected.index(rid) > at]
        forward = walk_forward(rest, base, cursor)
        assert flat(forward) == after, cursor
        backward = walk_backward(rest, base, cursor)
        assert flat(backward[::-1]) == before, cursor
        assert all(len(page) == LIMIT for page in backward[:-1]), "pages must be full"


def test_an_empty_page_has_null_cursors_and_a_page_past_the_end_too(rest, companies):
    _, info = get_page(rest, f"/rest/companies?filter={q('name[eq]:nobody')}")
    assert (info["hasNextPage"], info["hasPreviousPage"]) == (False, False)
    last = max(c["id"] for c in companies)
    page, info = get_page(rest, "/rest/companies", f"?starting_after={last}")
    assert page == [] and info["hasPreviousPage"] is True


def test_the_opaque_cursors_emitted_before_are_still_read_as_their_record_id(rest, companies):
    """Issued before cursors became ids: base64url of [record id, binding]. The binding is no
    longer checked: the id inside is placed as a bare id would be, in this list's order."""
    from chalicelib.core.cursors import encode_cursor

    ordered = sorted(companies, key=lambda c: c["name"], reverse=True)
    old = encode_cursor("0123456789abcdef", ordered[1]["id"])
    page, _ = get_page(
        rest,
        f"/rest/companies?limit=2&order_by={q('name[DescNullsLast]')}",
        f"&starting_after={old}",
    )
    assert page == [c["id"] for c in ordered[2:4]]
    page, _ = get_page(rest, "/rest/companies?limit=2&order_by=name", f"&ending_before={old}")
    assert page == [c["id"] for c in ordered[3:1:-1]]


@pytest.mark.parametrize("param", ["starting_after", "ending_before"])
def test_a_cursor_of_another_workspace_or_object_is_400_and_shows_none_of_its_data(
    client, rest, companies, param
):
    from chalicelib.core.cursors import encode_cursor

    other = RestClient(client.http, make_tenant("Other"))
    status, body = other.post("/rest/batch/companies", [{"name": "Theirs", "employees": 9}])
    assert status == 201, body
    theirs = body["data"]["createCompanies"][0]["id"]
    status, body = rest.post("/rest/people", {"jobTitle": "not a company"})
    person = body["data"]["createPerson"]["id"]
    lists = ["", f"&{LISTS['in memory'][0]}", f"&{LISTS['index range in id order'][0]}"]
    for foreign in (theirs, person):
        for cursor in (foreign, encode_cursor("0123456789abcdef", foreign)):
            for query in lists:
                status, body = rest.get(f"/rest/companies?limit=2{query}&{param}={cursor}")
                assert status == 400, (query, body)
                assert "is not a record of this object" in body["messages"][0], body
                assert "Theirs" not in json.dumps(body) and body.get("data") is None
