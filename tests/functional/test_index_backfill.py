"""Indexing another path: slot assignment, backfill of existing records, then index reads."""

from __future__ import annotations

from urllib.parse import quote

from chalicelib.core.filters import Direction, SortKey
from chalicelib.core.index_planner import plan_index
from chalicelib.core.query_validation import validate_sort
from chalicelib.metadata.index_admin import add_index
from chalicelib.metadata.registry import load_model
from chalicelib.wiring import record_store


def test_an_added_index_is_backfilled_and_then_serves_sorted_lists(rest):
    rows = [{"name": f"c{i}", "employees": (i * 37) % 101 if i % 5 else None} for i in range(130)]
    for start in range(0, len(rows), 60):
        assert rest.post("/rest/batch/companies", rows[start : start + 60])[0] == 201
    ws = rest.tenant.workspace_id
    sort = (SortKey(("employees",), Direction.ASC_NULLS_LAST),)
    companies = load_model(ws).by_plural["companies"]
    assert plan_index(companies, None, validate_sort(companies, sort)) is None

    spec = add_index(record_store(), ws, "companies", "employees")

    assert spec.ready and spec.path == "employees"
    companies = load_model(ws).by_plural["companies"]
    plan = plan_index(companies, None, validate_sort(companies, sort))
    assert plan is not None and plan.slot == spec.slot
    # A record written after the index exists carries its keys too.
    assert rest.post("/rest/companies", {"name": "late", "employees": 3})[0] == 201
    expected = sorted(
        (r for r in rows + [{"name": "late", "employees": 3}]),
        key=lambda r: (r["employees"] is None, r["employees"] or 0),
    )
    seen, cursor = [], None
    order = quote("employees[AscNullsLast]", safe="")
    for _ in range(20):
        path = f"/rest/companies?limit=40&order_by={order}"
        status, body = rest.get(path + (f"&starting_after={cursor}" if cursor else ""))
        assert status == 200, body
        seen += body["data"]["companies"]
        if not body["pageInfo"]["hasNextPage"]:
            break
        cursor = body["pageInfo"]["endCursor"]
    assert [r["employees"] for r in seen] == [r["employees"] for r in expected]
    assert len(seen) == 131


def test_adding_an_index_twice_keeps_its_slot(rest):
    ws = rest.tenant.workspace_id
    first = add_index(record_store(), ws, "companies", "employees")
    again = add_index(record_store(), ws, "companies", "employees")
    assert first == again


def test_a_path_without_order_cannot_be_indexed(rest):
    import pytest

    from chalicelib.errors import BadRequestError

    with pytest.raises(BadRequestError):
        add_index(record_store(), rest.tenant.workspace_id, "companies", "address")
