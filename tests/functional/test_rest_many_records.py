"""REST many-record routes: update, delete/destroy and restore by filter, and `fields`."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.functional.graphql_support import GraphQLClient, create_companies
from tests.functional.test_rest_records import assert_twenty_error
from tests.support import RestClient, make_tenant


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def other(client, aws):
    return RestClient(client.http, make_tenant("Other"))


def q(text):
    return quote(text, safe="")


def batch(rest, plural, records):
    status, body = rest.post(f"/rest/batch/{plural}", records)
    assert status == 201, body
    return next(iter(body["data"].values()))


def names(rest, query=""):
    _, body = rest.get(f"/rest/companies?order_by=name{query}")
    return [c["name"] for c in body["data"]["companies"]]


def seed(rest):
    return batch(
        rest,
        "companies",
        [{"name": "alpha", "employees": 1}, {"name": "beta", "employees": 2}, {"name": "gamma"}],
    )


# -- update many -------------------------------------------------------------------------------


def test_patch_by_filter_updates_only_the_matching_records(rest):
    seed(rest)
    status, body = rest.patch(
        f"/rest/companies?filter={q('employees[gte]:1')}", {"idealCustomerProfile": True}
    )
    assert status == 200, body
    updated = body["data"]["updateCompanies"]
    assert sorted(c["name"] for c in updated) == ["alpha", "beta"]
    assert all(c["idealCustomerProfile"] is True for c in updated)
    _, listed = rest.get("/rest/companies?order_by=name")
    assert [c["idealCustomerProfile"] for c in listed["data"]["companies"]] == [True, True, False]


def test_patch_sets_the_body_values_and_echoes_every_field(rest):
    seed(rest)
    status, body = rest.patch(f"/rest/companies?filter={q('name[eq]:gamma')}", {"employees": 7})
    assert status == 200, body
    [gamma] = body["data"]["updateCompanies"]
    assert gamma["employees"] == 7 and gamma["name"] == "gamma"
    assert gamma["updatedBy"]["source"] == "API"
    assert {"id", "createdAt", "updatedAt", "deletedAt", "domainName"} <= set(gamma)


def test_put_is_an_alias_of_patch_for_many_records(rest):
    seed(rest)
    status, body = rest.put(f"/rest/companies?filter={q('name[eq]:beta')}", {"employees": 9})
    assert status == 200, body
    assert [c["employees"] for c in body["data"]["updateCompanies"]] == [9]


def test_patch_without_a_filter_updates_every_record_as_twenty_does(rest):
    seed(rest)
    status, body = rest.patch("/rest/companies", {"employees": 5})
    assert status == 200, body
    assert len(body["data"]["updateCompanies"]) == 3
    _, listed = rest.get("/rest/companies")
    assert {c["employees"] for c in listed["data"]["companies"]} == {5}


def test_patch_matching_nothing_answers_an_empty_list(rest):
    seed(rest)
    status, body = rest.patch(f"/rest/companies?filter={q('name[eq]:nobody')}", {"employees": 5})
    assert (status, body) == (200, {"data": {"updateCompanies": []}})


def test_patch_with_an_invalid_value_is_400_and_changes_nothing(rest):
    seed(rest)
    status, body = rest.patch("/rest/companies", {"employees": "many"})
    assert_twenty_error(status, body, 400, "employees")
    assert names(rest, "&filter=" + q("employees[is]:NULL")) == ["gamma"]


# -- the batch limit: more matching records than the maximum is 400, nothing changed ------------


@pytest.fixture
def sixty_one(rest):
    batch(rest, "companies", [{"name": f"c{i}"} for i in range(60)])
    batch(rest, "companies", [{"name": "c60"}])


def test_every_bulk_route_refuses_more_records_than_the_batch_maximum(rest, sixty_one):
    every = q("name[like]:c%")
    for method, path, body in (
        ("PATCH", f"/rest/companies?filter={every}", {"employees": 1}),
        ("PUT", f"/rest/companies?filter={every}", {"employees": 1}),
        ("PATCH", "/rest/companies", {"employees": 1}),
        ("DELETE", f"/rest/companies?filter={every}", None),
        ("DELETE", f"/rest/companies?filter={every}&soft_delete=true", None),
    ):
        status, answer = rest.call(method, path, body)
        assert_twenty_error(status, answer, 400, "61", "60")
        assert answer["code"] == "TOO_MANY_RECORDS"
    _, listed = rest.get(f"/rest/companies?filter={every}&limit=1")
    assert listed["totalCount"] == 61
    _, listed = rest.get(f"/rest/companies?filter={q('employees[eq]:1')}")
    assert listed["totalCount"] == 0


def test_restore_many_refuses_more_records_than_the_batch_maximum(rest, sixty_one):
    assert rest.delete(f"/rest/companies?filter={q('name[eq]:c0')}&soft_delete=true")[0] == 200
    assert rest.delete(f"/rest/companies?filter={q('name[neq]:c0')}&soft_delete=true")[0] == 200
    status, body = rest.call("PATCH", "/rest/restore/companies")
    assert_twenty_error(status, body, 400, "61", "60")
    assert rest.get("/rest/companies")[1]["totalCount"] == 0


# -- delete, destroy, restore ----------------------------------------------------------------


def test_delete_by_filter_destroys_by_default_and_answers_the_ids(rest):
    alpha, beta, gamma = seed(rest)
    status, body = rest.delete(f"/rest/companies?filter={q('employees[gte]:1')}")
    assert status == 200, body
    assert sorted(body["data"]["deleteCompanies"], key=lambda r: r["id"]) == sorted(
        [{"id": alpha["id"]}, {"id": beta["id"]}], key=lambda r: r["id"]
    )
    assert rest.get(f"/rest/companies/{alpha['id']}")[0] == 404
    # Destroyed, not soft-deleted: not even a deletedAt filter finds them, nor can they return.
    assert names(rest, "&filter=" + q("deletedAt[is]:NOT_NULL")) == []
    assert rest.call("PATCH", f"/rest/restore/companies/{alpha['id']}")[0] == 404
    assert names(rest) == ["gamma"]


def test_soft_delete_by_filter_then_restore_by_filter(rest):
    seed(rest)
    status, body = rest.delete(
        f"/rest/companies?filter={q('name[in]:[alpha,beta]')}&soft_delete=true"
    )
    assert status == 200, body
    assert len(body["data"]["deleteCompanies"]) == 2
    assert set(body["data"]["deleteCompanies"][0]) == {"id"}
    assert names(rest) == ["gamma"]
    assert names(rest, "&filter=" + q("deletedAt[is]:NOT_NULL")) == ["alpha", "beta"]
    status, body = rest.call("PATCH", f"/rest/restore/companies?filter={q('name[eq]:alpha')}")
    assert status == 200, body
    [restored] = body["data"]["restoreCompanies"]
    assert restored["name"] == "alpha" and restored["deletedAt"] is None
    assert names(rest) == ["alpha", "gamma"]


def test_restore_without_a_filter_restores_every_soft_deleted_record(rest):
    seed(rest)
    assert rest.delete(f"/rest/companies?filter={q('employees[gte]:0')}&soft_delete=true")[0] == 200
    status, body = rest.call("PATCH", "/rest/restore/companies")
    assert status == 200, body
    assert sorted(c["name"] for c in body["data"]["restoreCompanies"]) == ["alpha", "beta"]
    assert names(rest) == ["alpha", "beta", "gamma"]


def test_destroy_by_filter_also_destroys_soft_deleted_matches(rest):
    alpha, _, _ = seed(rest)
    assert rest.delete(f"/rest/companies/{alpha['id']}?soft_delete=true")[0] == 200
    status, body = rest.delete(f"/rest/companies?filter={q('name[eq]:alpha')}")
    assert (status, body) == (200, {"data": {"deleteCompanies": [{"id": alpha["id"]}]}})
    assert names(rest, "&filter=" + q("deletedAt[is]:NOT_NULL")) == []


@pytest.mark.parametrize("soft", ["", "&soft_delete=true"])
def test_delete_without_a_filter_is_refused_as_twenty_does(rest, soft):
    seed(rest)
    for path in (f"/rest/companies?x=1{soft}", f"/rest/companies?filter={soft}"):
        status, body = rest.delete(path)
        assert_twenty_error(status, body, 400, "Filters are mandatory for bulk")
    assert names(rest) == ["alpha", "beta", "gamma"]


def test_destroying_companies_by_filter_applies_on_delete_to_their_people(rest):
    [acme] = batch(rest, "companies", [{"name": "acme"}])
    batch(rest, "people", [{"companyId": acme["id"]}, {"companyId": acme["id"]}])
    status, body = rest.delete(f"/rest/companies?filter={q('name[eq]:acme')}")
    assert status == 200, body
    _, people = rest.get("/rest/people")
    assert [p["companyId"] for p in people["data"]["people"]] == [None, None]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/rest/companies?filter="),
        ("DELETE", "/rest/companies?filter="),
        ("PATCH", "/rest/restore/companies?filter="),
    ],
)
@pytest.mark.parametrize("bad", ["name[eqq]:x", "nosuchfield[eq]:1", "and(name[eq]:x", "x"])
def test_a_bad_filter_is_400_and_changes_nothing(rest, method, path, bad):
    seed(rest)
    status, body = rest.call(method, path + q(bad), {"employees": 3} if method == "PATCH" else None)
    assert_twenty_error(status, body, 400)
    _, listed = rest.get("/rest/companies")
    assert [c["employees"] for c in listed["data"]["companies"] if c["employees"] == 3] == []
    assert listed["totalCount"] == 3


def test_an_unknown_object_is_400_on_every_bulk_route(rest):
    for method, path in (
        ("PATCH", "/rest/rockets?filter=x[eq]:1"),
        ("DELETE", "/rest/rockets?filter=x[eq]:1"),
        ("PATCH", "/rest/restore/rockets"),
    ):
        status, body = rest.call(method, path, {} if method == "PATCH" else None)
        assert_twenty_error(status, body, 400, "object 'rockets' not found")


def test_the_bulk_routes_never_reach_the_single_record_routes(rest):
    """`/restore/{plural}` is not `/{plural}/{id}` with plural 'restore'."""
    seed(rest)
    status, body = rest.call("PATCH", "/rest/restore/companies")
    assert (status, body) == (200, {"data": {"restoreCompanies": []}})


# -- isolation across workspaces ----------------------------------------------------------------


def test_bulk_routes_never_touch_another_workspaces_records(rest, other):
    mine = seed(rest)
    every = q("name[in]:[alpha,beta,gamma]")
    assert other.patch(f"/rest/companies?filter={every}", {"employees": 99})[1] == {
        "data": {"updateCompanies": []}
    }
    assert other.patch("/rest/companies", {"employees": 99})[1] == {"data": {"updateCompanies": []}}
    assert other.delete(f"/rest/companies?filter={every}&soft_delete=true")[1] == {
        "data": {"deleteCompanies": []}
    }
    assert other.delete(f"/rest/companies?filter={q('id[in]:[' + mine[0]['id'] + ']')}")[1] == {
        "data": {"deleteCompanies": []}
    }
    rest.delete(f"/rest/companies?filter={q('name[eq]:gamma')}&soft_delete=true")
    assert other.call("PATCH", "/rest/restore/companies")[1] == {"data": {"restoreCompanies": []}}
    _, listed = rest.get("/rest/companies?order_by=name")
    assert [(c["name"], c["employees"]) for c in listed["data"]["companies"]] == [
        ("alpha", 1),
        ("beta", 2),
    ]
    assert names(rest, "&filter=" + q("deletedAt[is]:NOT_NULL")) == ["gamma"]


# -- parity with the GraphQL many mutations (the same core) -----------------------------------


def comparable(records):
    """Records without what differs between two workspaces (ids, times, the key names)."""
    skip = {"id", "createdAt", "updatedAt", "deletedAt", "position", "createdBy", "updatedBy"}
    return sorted(
        ({k: v for k, v in r.items() if k not in skip} for r in records), key=lambda r: r["name"]
    )


@pytest.mark.parametrize(
    ("method", "rest_query", "body", "mutation"),
    [
        (
            "PATCH",
            "filter=" + q("name[like]:%a"),
            {"employees": 4},
            'updateCompanies(data: {employees: 4}, filter: {name: {like: "%a"}})',
        ),
        ("DELETE", "filter=" + q("employees[gte]:2"), None, "destroyCompanies(filter: "
         "{employees: {gte: 2}})"),
        ("DELETE", "soft_delete=true&filter=" + q("employees[is]:NULL"), None,
         "deleteCompanies(filter: {employees: {is: NULL}})"),
    ],
)  # fmt: skip
def test_rest_and_graphql_act_on_the_same_records_with_the_same_result(
    rest, other, client, method, rest_query, body, mutation
):
    """The same request in two workspaces holding the same records, once over REST and once
    over GraphQL, changes the same records in the same way."""
    records = [{"name": "alpha", "employees": 1}, {"name": "beta", "employees": 2}, {"name": "x"}]
    batch(rest, "companies", records)
    theirs = GraphQLClient(client.http, other.tenant)
    create_companies(theirs, records)
    status, answer = rest.call(method, f"/rest/companies?{rest_query}", body)
    assert status == 200, answer
    [graphql_records] = theirs.data(f"mutation {{ {mutation} {{ id }} }}").values()
    [rest_records] = answer["data"].values()
    assert len(rest_records) == len(graphql_records) > 0
    _, mine = rest.get("/rest/companies")
    _, theirs_now = other.get("/rest/companies")
    assert comparable(mine["data"]["companies"]) == comparable(theirs_now["data"]["companies"])
    deleted = "&filter=" + q("deletedAt[is]:NOT_NULL")
    assert names(rest, deleted) == names(other, deleted)


# -- the `fields` parameter -----------------------------------------------------------------


def test_fields_keeps_the_named_fields_and_id_on_lists_and_reads(rest):
    alpha, _, _ = seed(rest)
    status, body = rest.get("/rest/companies?order_by=name&fields=name,domainName")
    assert status == 200, body
    first = body["data"]["companies"][0]
    assert set(first) == {"id", "name", "domainName"}
    assert set(first["domainName"]) == {"primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"}
    assert body["totalCount"] == 3 and body["pageInfo"]["hasNextPage"] is False
    status, body = rest.get(f"/rest/companies/{alpha['id']}?fields=%20employees%20,,employees")
    assert (status, body) == (200, {"data": {"company": {"id": alpha["id"], "employees": 1}}})


def test_fields_applies_to_creates_updates_and_restores(rest):
    status, body = rest.post("/rest/companies?fields=name", {"name": "acme", "employees": 3})
    assert status == 201 and set(body["data"]["createCompany"]) == {"id", "name"}
    acme = body["data"]["createCompany"]["id"]
    status, body = rest.post("/rest/batch/companies?fields=employees", [{"employees": 1}])
    assert status == 201 and set(body["data"]["createCompanies"][0]) == {"id", "employees"}
    status, body = rest.patch(f"/rest/companies/{acme}?fields=employees", {"employees": 4})
    assert body["data"]["updateCompany"] == {"id": acme, "employees": 4}
    status, body = rest.patch(
        f"/rest/companies?filter={q('name[eq]:acme')}&fields=employees", {"employees": 5}
    )
    assert body["data"]["updateCompanies"] == [{"id": acme, "employees": 5}]
    rest.delete(f"/rest/companies/{acme}?soft_delete=true")
    status, body = rest.call("PATCH", "/rest/restore/companies?fields=deletedAt")
    assert body["data"]["restoreCompanies"] == [{"id": acme, "deletedAt": None}]


def test_fields_on_a_many_to_one_relation_keeps_its_join_column_and_at_depth_1_the_record(rest):
    [acme] = batch(rest, "companies", [{"name": "acme"}])
    [ada] = batch(rest, "people", [{"companyId": acme["id"], "city": "Paris"}])
    _, body = rest.get(f"/rest/people/{ada['id']}?fields=company")
    assert body["data"]["person"] == {"id": ada["id"], "companyId": acme["id"]}
    _, body = rest.get(f"/rest/people/{ada['id']}?fields=companyId,city")
    assert body["data"]["person"] == {"id": ada["id"], "companyId": acme["id"], "city": "Paris"}
    _, body = rest.get(f"/rest/people/{ada['id']}?fields=company&depth=1")
    person = body["data"]["person"]
    assert set(person) == {"id", "companyId", "company"} and person["company"]["name"] == "acme"


def test_fields_names_a_one_to_many_relation_only_with_depth_1(rest):
    [acme] = batch(rest, "companies", [{"name": "acme"}])
    batch(rest, "people", [{"companyId": acme["id"]}])
    status, body = rest.get("/rest/companies?fields=people")
    assert_twenty_error(status, body, 400, "only returned with depth=1: people")
    status, body = rest.get("/rest/companies?fields=people&depth=1")
    assert status == 200, body
    [company] = body["data"]["companies"]
    assert set(company) == {"id", "people"} and len(company["people"]) == 1


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("name,nosuch,other", "Unknown or unreadable fields on 'company': nosuch, other"),
        ("", "'fields' parameter is empty"),
        (" , ", "'fields' parameter is empty"),
    ],
)
def test_bad_fields_are_400_before_anything_is_written(rest, value, fragment):
    for method, path, body in (
        ("GET", "/rest/companies", None),
        ("POST", "/rest/companies", {"name": "new"}),
        ("PATCH", "/rest/companies", {"employees": 8}),
    ):
        status, answer = rest.call(method, f"{path}?fields={q(value)}", body)
        assert_twenty_error(status, answer, 400, fragment)
    _, listed = rest.get("/rest/companies")
    assert listed["totalCount"] == 0
