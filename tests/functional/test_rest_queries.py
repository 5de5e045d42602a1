"""REST filter, order_by, cursors and depth through the Chalice test client against moto."""

from __future__ import annotations

from urllib.parse import quote

import pytest


def q(text: str) -> str:
    return quote(text, safe="")


@pytest.fixture
def companies(rest):
    rows = [
        {
            "name": "Acme",
            "employees": 50,
            "idealCustomerProfile": True,
            "address": {"addressCity": "Paris"},
        },
        {"name": "acme labs", "employees": 5, "address": {"addressCity": "Berlin"}},
        {"name": "Globex", "employees": None, "address": {"addressCity": "Paris"}},
        {"name": "Initech", "employees": 300, "idealCustomerProfile": True},
        {"name": "Umbrella, Inc.", "employees": 120},
    ]
    status, body = rest.post("/rest/batch/companies", rows)
    assert status == 201, body
    return {c["name"]: c for c in body["data"]["createCompanies"]}


def names(body, plural="companies"):
    return [r["name"] for r in body["data"][plural]]


def test_filter_on_a_number_keeps_nulls_out(rest, companies):
    status, body = rest.get(f"/rest/companies?filter={q('employees[gte]:50')}&order_by=employees")
    assert status == 200, body
    assert names(body) == ["Acme", "Umbrella, Inc.", "Initech"]
    assert body["totalCount"] == 3


def test_ilike_is_case_insensitive_and_like_is_not(rest, companies):
    ilike, like = q('name[ilike]:"%acme%"'), q('name[like]:"%acme%"')
    _, body = rest.get(f"/rest/companies?filter={ilike}&order_by=name")
    assert names(body) == ["Acme", "acme labs"]
    _, body = rest.get(f"/rest/companies?filter={like}")
    assert names(body) == ["acme labs"]


def test_or_and_not_with_composite_sub_fields(rest, companies):
    text = "or(address.addressCity[eq]:Berlin,and(idealCustomerProfile[eq]:true,not(employees[lt]:100)))"
    _, body = rest.get(f"/rest/companies?filter={q(text)}&order_by=name")
    assert names(body) == ["acme labs", "Initech"]


def test_quoted_values_may_contain_commas(rest, companies):
    text = q('name[eq]:"Umbrella, Inc."')
    _, body = rest.get(f"/rest/companies?filter={text}")
    assert names(body) == ["Umbrella, Inc."]


def test_in_and_is_null(rest, companies):
    ids = f"[{companies['Acme']['id']},{companies['Globex']['id']}]"
    _, body = rest.get(f"/rest/companies?filter={q('id[in]:' + ids)}&order_by=name")
    assert names(body) == ["Acme", "Globex"]
    _, body = rest.get(f"/rest/companies?filter={q('employees[is]:NULL')}")
    assert names(body) == ["Globex"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("employees[AscNullsFirst]", ["Globex", "acme labs", "Acme", "Umbrella, Inc.", "Initech"]),
        ("employees[AscNullsLast]", ["acme labs", "Acme", "Umbrella, Inc.", "Initech", "Globex"]),
        ("employees[DescNullsFirst]", ["Globex", "Initech", "Umbrella, Inc.", "Acme", "acme labs"]),
        ("employees[DescNullsLast]", ["Initech", "Umbrella, Inc.", "Acme", "acme labs", "Globex"]),
    ],
)
def test_order_by_places_nulls_as_asked(rest, companies, order, expected):
    _, body = rest.get(f"/rest/companies?order_by={q(order)}")
    assert names(body) == expected


def test_sorted_filtered_pages_visit_every_match_once_forward_and_back(rest, companies):
    order = q("name[DescNullsLast]")
    seen, cursor = [], None
    for _ in range(10):  # bounded: a paging bug must fail, not loop forever
        path = f"/rest/companies?limit=2&order_by={order}"
        if cursor:
            path += f"&starting_after={cursor}"
        _, body = rest.get(path)
        seen += names(body)
        if not body["pageInfo"]["hasNextPage"]:
            break
        cursor = body["pageInfo"]["endCursor"]
    assert seen == sorted(seen, key=lambda n: (n.casefold(), n), reverse=True)
    assert len(seen) == 5
    _, back = rest.get(f"/rest/companies?limit=2&order_by={order}&ending_before={cursor}")
    assert names(back) == seen[1:3]
    assert back["pageInfo"]["hasPreviousPage"] is True
    assert back["pageInfo"]["hasNextPage"] is True


def test_a_cursor_survives_the_deletion_of_its_record(rest, companies):
    order = q("name")
    _, first = rest.get(f"/rest/companies?limit=2&order_by={order}")
    cursor = first["pageInfo"]["endCursor"]
    rest.delete(f"/rest/companies/{cursor}")
    _, second = rest.get(f"/rest/companies?limit=2&order_by={order}&starting_after={cursor}")
    assert names(first) + names(second) == ["Acme", "acme labs", "Globex", "Initech"]


def test_soft_deleted_records_appear_only_when_the_filter_names_deleted_at(rest, companies):
    rest.delete(f"/rest/companies/{companies['Globex']['id']}?soft_delete=true")
    _, body = rest.get("/rest/companies?order_by=name")
    assert "Globex" not in names(body)
    _, body = rest.get(f"/rest/companies?filter={q('deletedAt[is]:NOT_NULL')}")
    assert names(body) == ["Globex"]


def test_exact_page_info_on_the_default_order(rest, companies):
    ids = sorted(c["id"] for c in companies.values())
    _, body = rest.get(f"/rest/companies?limit=2&starting_after={ids[0]}")
    assert body["pageInfo"]["hasPreviousPage"] is True
    rest.delete(f"/rest/companies/{ids[0]}?soft_delete=true")
    _, body = rest.get(f"/rest/companies?limit=2&starting_after={ids[0]}")
    assert body["pageInfo"]["hasPreviousPage"] is False


@pytest.mark.parametrize(
    ("param", "fragment"),
    [
        ("filter=" + q("name[eqq]:x"), "eqq"),
        ("filter=" + q("and(name[eq]:x"), "close bracket"),
        ("filter=" + q("nmae[eq]:x"), "nmae"),
        ("filter=" + q("employees[eq]:many"), "employees"),
        ("filter=" + q("employees[startsWith]:1"), "startsWith"),
        ("filter=" + q("accountOwner[eq]:x"), "accountOwnerId"),
        ("order_by=" + q("name[Sideways]"), "Sideways"),
        ("order_by=" + q("address"), "address"),
        ("depth=2", "Allowed values are 0, 1"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_problem(rest, param, fragment):
    status, body = rest.get(f"/rest/companies?{param}")
    assert status == 400, body
    assert fragment in " ".join(body["messages"])


def test_depth_one_embeds_many_to_one_and_one_to_many(rest, companies):
    acme = companies["Acme"]
    _, body = rest.post(
        "/rest/batch/people",
        [
            {"jobTitle": "CEO", "companyId": acme["id"]},
            {"jobTitle": "CTO", "companyId": acme["id"]},
        ],
    )
    people = body["data"]["createPeople"]
    _, body = rest.get("/rest/people?depth=1")
    for person in body["data"]["people"]:
        assert person["company"]["id"] == acme["id"]
        assert person["company"]["name"] == "Acme"
        assert person["companyId"] == acme["id"]
    _, body = rest.get(f"/rest/companies/{acme['id']}?depth=1")
    embedded = body["data"]["company"]["people"]
    assert sorted(p["id"] for p in embedded) == sorted(p["id"] for p in people)
    assert body["data"]["company"]["accountOwner"] is None
    _, body = rest.get(f"/rest/companies/{acme['id']}")
    assert "people" not in body["data"]["company"]


def test_depth_one_costs_the_same_round_trips_for_any_page_size(rest, companies, round_trip_clock):
    acme = companies["Acme"]
    rest.post("/rest/batch/people", [{"companyId": acme["id"]} for _ in range(30)])
    rest.get("/rest/companies?limit=1")
    counts = []
    for limit in (2, 5):
        for path in (
            f"/rest/companies?limit={limit}&depth=1",
            f"/rest/people?limit={limit * 10}&depth=1",
        ):
            with round_trip_clock.counting() as round_trips:
                assert rest.get(path)[0] == 200
            counts.append(round_trips())
    # Requests grow with the parents (a join-column Query each); the waits do not.
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_depth_one_asks_the_join_column_index_when_the_target_is_too_big_to_read(rest, companies):
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.core.commands import ListRecords
    from chalicelib.core.records import RecordService
    from chalicelib.metadata.registry import load_model
    from chalicelib.storage.records import DynamoRecordStore

    acme, globex = companies["Acme"], companies["Globex"]
    people = [{"jobTitle": f"p{i}", "companyId": acme["id"]} for i in range(12)]
    people.append({"jobTitle": "g", "companyId": globex["id"]})
    assert rest.post("/rest/batch/people", people)[0] == 201
    ws = rest.tenant.workspace_id
    model = load_model(ws)
    # A scan cap of 5 people: the 13 people cannot be read whole, the companyId index serves.
    service = RecordService(DynamoRecordStore(), batch_max=60, scan_cap=5)
    ctx = RequestContext(Principal(ws, "key", "test"), utc_now_iso())
    page = service.list(ctx, ListRecords(model.by_plural["companies"], 10, depth=1, model=model))
    by_id = {row["id"]: row for row in page.records}
    assert sorted(p["jobTitle"] for p in by_id[acme["id"]]["people"]) == sorted(
        p["jobTitle"] for p in people[:12]
    )
    assert [p["jobTitle"] for p in by_id[globex["id"]]["people"]] == ["g"]
    assert by_id[companies["Initech"]["id"]]["people"] == []


def test_past_the_scan_cap_the_error_names_what_to_do(rest, companies):
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.core.commands import ListRecords
    from chalicelib.core.records import RecordService
    from chalicelib.errors import QueryNeedsIndexError
    from chalicelib.metadata.registry import load_model
    from chalicelib.rest.filter_parser import parse_filter
    from chalicelib.storage.records import DynamoRecordStore

    ws = rest.tenant.workspace_id
    obj = load_model(ws).by_plural["companies"]
    service = RecordService(DynamoRecordStore(), batch_max=60, scan_cap=3)
    ctx = RequestContext(Principal(ws, "key", "test"), utc_now_iso())
    with pytest.raises(QueryNeedsIndexError) as unindexed:
        service.list(ctx, ListRecords(obj, 10, filter=parse_filter("employees[gt]:1")))
    assert "index 'employees'" in unindexed.value.message
    # `name` is indexed, but `like` is no key range: the error says what an index does serve.
    with pytest.raises(QueryNeedsIndexError) as indexed:
        service.list(ctx, ListRecords(obj, 10, filter=parse_filter("name[like]:%a%")))
    assert "sort by 'name'" in indexed.value.message
    assert "index 'name'" not in indexed.value.message
    # A range on it is served by the index even in the default order, past the scan cap.
    page = service.list(ctx, ListRecords(obj, 10, filter=parse_filter("name[gte]:A")))
    assert len(page.records) == min(10, page.total_count) and page.total_count > 3
    assert [r["id"] for r in page.records] == sorted(r["id"] for r in page.records)


def test_a_rest_cursor_is_a_record_id_that_any_sort_of_its_object_places(rest):
    rest.post("/rest/batch/companies", [{"name": f"C{i}", "employees": i} for i in range(5)])
    _, body = rest.get("/rest/companies?limit=2&order_by=employees[DescNullsLast]")
    cursor = body["pageInfo"]["endCursor"]
    assert cursor == body["data"]["companies"][-1]["id"]  # C3
    _, more = rest.get(
        f"/rest/companies?limit=2&order_by=employees[DescNullsLast]&starting_after={cursor}"
    )
    assert [c["employees"] for c in more["data"]["companies"]] == [2, 1]
    # The same id, in another order of the same object: placed by its values there.
    _, ascending = rest.get(f"/rest/companies?limit=2&order_by=employees&starting_after={cursor}")
    assert [c["employees"] for c in ascending["data"]["companies"]] == [4]
    status, error = rest.get(f"/rest/people?limit=2&starting_after={cursor}")
    assert status == 400 and "is not a record of this object" in error["messages"][0]
    status, error = rest.get("/rest/companies?starting_after=bm90LWEtY3Vyc29y")
    assert status == 400 and "not a valid cursor" in error["messages"][0]


def test_a_range_on_an_indexed_field_in_the_default_order_reads_its_keys_and_one_page(rest, meter):
    """The range's index keys are read (keys only), sorted by id, and only the page's records
    (plus one look-ahead) are fetched; walking it with cursors visits every match once."""
    names = [f"N{i:03d}" for i in range(150)]
    for start in range(0, 150, 60):
        rest.post("/rest/batch/companies", [{"name": n} for n in names[start : start + 60]])
    _, everything = rest.get("/rest/companies?limit=200")
    expected = sorted(c["id"] for c in everything["data"]["companies"] if c["name"] >= "N040")
    meter.reset()
    status, body = rest.get("/rest/companies?limit=20&filter=name[gte]:N040")
    assert status == 200 and body["totalCount"] == len(expected) == 110
    by_operation = dict(meter.items_by_operation)
    # admission's key and workspace items, then the page and its look-ahead
    assert by_operation.get("BatchGetItem") == 2 + 21
    assert by_operation.get("Query") == 110  # the range's keys, nothing else
    walked, cursor = [], None
    while True:
        query = "/rest/companies?limit=20&filter=name[gte]:N040"
        _, body = rest.get(query + (f"&starting_after={cursor}" if cursor else ""))
        walked += [c["id"] for c in body["data"]["companies"]]
        if not body["pageInfo"]["hasNextPage"]:
            break
        cursor = body["pageInfo"]["endCursor"]
    assert walked == expected
    _, body = rest.get(f"/rest/companies?limit=20&filter=name[gte]:N040&ending_before={cursor}")
    at = expected.index(cursor)
    assert [c["id"] for c in body["data"]["companies"]] == expected[at - 20 : at]
    assert body["pageInfo"]["hasPreviousPage"] and body["pageInfo"]["hasNextPage"]


def test_live_counters_of_several_objects_come_from_one_request(rest, meter):
    from chalicelib.metadata.registry import load_model
    from chalicelib.storage.records import DynamoRecordStore

    assert rest.post("/rest/batch/companies", [{"name": "a"}, {"name": "b"}])[0] == 201
    assert rest.post("/rest/people", {"jobTitle": "x"})[0] == 201
    ws = rest.tenant.workspace_id
    model = load_model(ws)
    ids = [model.by_plural[plural].id for plural in ("companies", "people", "opportunities")]
    meter.reset()
    counts = DynamoRecordStore().count_live_many(ws, ids)
    assert counts == {ids[0]: 2, ids[1]: 1, ids[2]: 0}
    assert meter.operations == {"BatchGetItem": 1}
