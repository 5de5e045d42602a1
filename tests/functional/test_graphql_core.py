"""POST /graphql: every core operation on a standard object, upsert, batch limits, soft delete."""

from __future__ import annotations

import pytest

from tests.functional.graphql_support import (
    COMPANY_FIELDS,
    GraphQLClient,
    create_companies,
    fill,
    names,
)


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


def count(gql, filter="{}"):
    return gql.data(f"{{ companies(filter: {filter}) {{ totalCount }} }}")["companies"][
        "totalCount"
    ]


def test_create_one_returns_the_selected_fields(gql):
    data = gql.data(
        'mutation { createCompany(data: {name: "Acme", employees: 10, '
        'domainName: {primaryLinkUrl: "https://acme.io"}}) { '
        + COMPANY_FIELDS
        + " createdBy { source name } } }"
    )
    company = data["createCompany"]
    assert company["name"] == "Acme" and company["employees"] == 10
    assert company["domainName"] == {"primaryLinkUrl": "https://acme.io"}
    assert company["deletedAt"] is None
    assert company["createdBy"] == {"source": "API", "name": "Acme key"}


def test_find_many_filters_sorts_and_counts(gql):
    create_companies(gql, [{"name": n, "employees": e} for n, e in [("b", 5), ("a", 20), ("c", 1)]])
    data = gql.data(
        "{ companies(filter: {employees: {gte: 5}}, orderBy: [{name: DescNullsLast}]) "
        "{ totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { name } } } }"
    )
    assert names(data["companies"]) == ["b", "a"]
    assert data["companies"]["totalCount"] == 2
    assert data["companies"]["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False}


def test_find_many_pages_forward_and_backward_with_opaque_cursors(gql):
    create_companies(gql, [{"name": f"c{i:02d}"} for i in range(7)])
    query = (
        "query($after: String, $before: String, $first: Int, $last: Int) { companies("
        "orderBy: [{name: AscNullsFirst}], first: $first, last: $last, after: $after, "
        "before: $before) { pageInfo { startCursor endCursor hasNextPage hasPreviousPage } "
        "edges { cursor node { name } } } }"
    )
    seen, after = [], None
    while True:
        page = gql.data(query, {"first": 3, "after": after})["companies"]
        seen += names(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"c{i:02d}" for i in range(7)]
    last = gql.data(query, {"last": 2})["companies"]
    assert names(last) == ["c05", "c06"]
    assert last["pageInfo"]["hasPreviousPage"] is True and last["pageInfo"]["hasNextPage"] is False
    before = gql.data(query, {"last": 2, "before": last["pageInfo"]["startCursor"]})["companies"]
    assert names(before) == ["c03", "c04"]


def test_find_one_by_id_or_by_filter_and_not_found(gql):
    [acme] = create_companies(gql, [{"name": "Acme"}])
    by_id = gql.data(fill('{ company(filter: {id: {eq: "%s"}}) { name } }', acme["id"]))
    assert by_id == {"company": {"name": "Acme"}}
    by_name = gql.data('{ company(filter: {name: {ilike: "ac%"}}) { id } }')
    assert by_name["company"]["id"] == acme["id"]
    status, body = gql('{ company(filter: {name: {eq: "Nobody"}}) { id } }')
    assert status == 200 and body["data"] == {"company": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["errors"][0]["path"] == ["company"]


def test_update_one_and_update_many_by_filter(gql):
    a, b, _ = create_companies(gql, [{"name": "a"}, {"name": "b"}, {"name": "keep"}])
    one = gql.data(
        fill('mutation { updateCompany(id: "%s", data: {employees: 3}) { id employees } }', a["id"])
    )
    assert one["updateCompany"] == {"id": a["id"], "employees": 3}
    many = gql.data(
        'mutation { updateCompanies(filter: {name: {in: ["a", "b"]}}, data: {employees: 9}) '
        "{ id employees } }"
    )
    assert sorted((r["id"], r["employees"]) for r in many["updateCompanies"]) == sorted(
        [(a["id"], 9), (b["id"], 9)]
    )
    assert count(gql, "{employees: {eq: 9}}") == 2


def test_soft_delete_restore_and_destroy_one(gql):
    [acme] = create_companies(gql, [{"name": "Acme"}])
    deleted = gql.data(fill('mutation { deleteCompany(id: "%s") { id deletedAt } }', acme["id"]))
    assert deleted["deleteCompany"]["deletedAt"] is not None
    assert count(gql) == 0
    assert count(gql, "{deletedAt: {is: NOT_NULL}}") == 1
    restored = gql.data(fill('mutation { restoreCompany(id: "%s") { id deletedAt } }', acme["id"]))
    assert restored["restoreCompany"] == {"id": acme["id"], "deletedAt": None}
    destroyed = gql.data(fill('mutation { destroyCompany(id: "%s") { id name } }', acme["id"]))
    assert destroyed["destroyCompany"] == {"id": acme["id"], "name": "Acme"}
    assert count(gql, "{or: [{deletedAt: {is: NULL}}, {deletedAt: {is: NOT_NULL}}]}") == 0
    error = gql.error(fill('mutation { deleteCompany(id: "%s") { id } }', acme["id"]))
    assert error["extensions"]["code"] == "NOT_FOUND"


def test_delete_restore_and_destroy_many_by_filter(gql):
    create_companies(gql, [{"name": f"x{i}"} for i in range(4)] + [{"name": "keep"}])
    deleted = gql.data('mutation { deleteCompanies(filter: {name: {like: "x%"}}) { deletedAt } }')
    assert len(deleted["deleteCompanies"]) == 4
    assert all(r["deletedAt"] for r in deleted["deleteCompanies"])
    assert count(gql) == 1
    restored = gql.data(
        'mutation { restoreCompanies(filter: {name: {in: ["x0", "x1"]}}) { name } }'
    )
    assert sorted(r["name"] for r in restored["restoreCompanies"]) == ["x0", "x1"]
    assert count(gql) == 3
    # destroy reaches live and soft-deleted records alike
    destroyed = gql.data('mutation { destroyCompanies(filter: {name: {like: "x%"}}) { name } }')
    assert len(destroyed["destroyCompanies"]) == 4
    assert count(gql, "{or: [{deletedAt: {is: NULL}}, {deletedAt: {is: NOT_NULL}}]}") == 1


def test_upsert_matches_on_domain_name_primary_link_url(gql):
    [first] = create_companies(gql, [{"name": "Old", "domainName": {"primaryLinkUrl": "acme.io"}}])
    upserted = create_companies(
        gql,
        [
            {"name": "New", "domainName": {"primaryLinkUrl": "acme.io"}},
            {"name": "Other", "domainName": {"primaryLinkUrl": "other.io"}},
        ],
        upsert=True,
    )
    assert upserted[0]["id"] == first["id"] and upserted[0]["name"] == "New"
    assert upserted[1]["id"] != first["id"]
    assert count(gql) == 2


def test_upsert_matches_on_emails_primary_email(gql):
    query = (
        "mutation($d: PersonCreateInput!) { createPerson(data: $d, upsert: true) "
        "{ id jobTitle emails { primaryEmail } } }"
    )
    person = {"emails": {"primaryEmail": "ada@example.com"}, "jobTitle": "Engineer"}
    first = gql.data(query, {"d": person})["createPerson"]
    second = gql.data(query, {"d": {**person, "jobTitle": "Countess"}})["createPerson"]
    assert second == {**first, "jobTitle": "Countess"}


def test_upsert_matching_several_records_is_bad_input_naming_them(gql):
    a, b = create_companies(
        gql,
        [
            {"name": "a", "domainName": {"primaryLinkUrl": "a.io"}},
            {"name": "b", "domainName": {"primaryLinkUrl": "b.io"}},
        ],
    )
    status, body = gql(
        "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d, upsert: true) { id } }",
        {"d": [{"id": a["id"], "domainName": {"primaryLinkUrl": "b.io"}}]},
    )
    error = body["errors"][0]
    assert status == 200 and error["extensions"]["code"] == "BAD_USER_INPUT"
    assert a["id"] in error["message"] and b["id"] in error["message"]


def test_a_unique_violation_without_upsert_is_refused(gql):
    create_companies(gql, [{"name": "a", "domainName": {"primaryLinkUrl": "a.io"}}])
    status, body = gql(
        'mutation { createCompany(data: {domainName: {primaryLinkUrl: "a.io"}}) { id } }'
    )
    assert body["errors"][0]["extensions"]["code"] in ("CONFLICT", "BAD_USER_INPUT")
    assert count(gql) == 1


def test_sixty_one_records_are_bad_input_and_nothing_is_written(gql):
    status, body = gql(
        "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }",
        {"d": [{"name": f"c{i}"} for i in range(61)]},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert count(gql) == 0


def test_many_mutations_over_sixty_records_change_nothing(gql):
    create_companies(gql, [{"name": f"c{i}"} for i in range(60)])
    create_companies(gql, [{"name": "c60"}])
    for mutation in (
        'updateCompanies(filter: {name: {like: "c%"}}, data: {employees: 1})',
        'deleteCompanies(filter: {name: {like: "c%"}})',
        'destroyCompanies(filter: {name: {like: "c%"}})',
    ):
        error = gql.error("mutation { " + mutation + " { id } }")
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "61" in error["message"] and "60" in error["message"]
    assert count(gql, '{name: {like: "c%"}}') == 61
    assert count(gql, "{employees: {eq: 1}}") == 0


def test_restore_many_over_sixty_records_changes_nothing(gql):
    create_companies(gql, [{"name": f"c{i}"} for i in range(60)])
    create_companies(gql, [{"name": "c60"}])
    # 61 soft-deleted records, in two deletes of at most 60
    gql.data('mutation { deleteCompanies(filter: {name: {eq: "c0"}}) { id } }')
    gql.data('mutation { deleteCompanies(filter: {name: {neq: "c0"}}) { id } }')
    error = gql.error("mutation { restoreCompanies(filter: {}) { id } }")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert count(gql) == 0


def test_find_duplicates_by_criteria_and_unique_fields(gql):
    acme, _, _ = create_companies(
        gql,
        [
            {"name": "Acme", "domainName": {"primaryLinkUrl": "acme.io"}},
            {"name": "Acme"},
            {"name": "Globex", "domainName": {"primaryLinkUrl": "acme.io/x"}},
        ],
    )
    data = gql.data(
        fill(
            '{ companyDuplicates(ids: ["%s"], data: [{name: "Globex"}, {name: "Nobody"}]) '
            "{ totalCount edges { node { name } } } }",
            acme["id"],
        )
    )
    found = data["companyDuplicates"]
    assert [names(c) for c in found] == [["Acme"], ["Globex"], []]
    assert [c["totalCount"] for c in found] == [1, 1, 0]


def test_several_root_fields_aliases_fragments_variables_and_operation_name(gql):
    create_companies(gql, [{"name": "a", "employees": 1}, {"name": "b", "employees": 2}])
    document = """
      fragment Named on Company { name }
      query Small($n: Int) { small: companies(filter: {employees: {lte: $n}}) {
        edges { node { ...Named } } } }
      query Both { big: companies(filter: {employees: {gt: 1}}) { edges { node { ...Named } } }
                   all: companies { totalCount } }
    """
    status, body = gql(document, {"n": 1}, "Small")
    assert status == 200 and names(body["data"]["small"]) == ["a"]
    status, body = gql(document, operation_name="Both")
    assert names(body["data"]["big"]) == ["b"] and body["data"]["all"]["totalCount"] == 2


def test_introspection_is_served_to_authenticated_callers(gql):
    from graphql import get_introspection_query

    first = gql.data(get_introspection_query())
    again = gql.data(get_introspection_query())
    assert first == again
    type_names = {t["name"] for t in first["__schema"]["types"]}
    assert {"Company", "CompanyConnection", "CompanyFilterInput", "OrderByDirection"} <= type_names


def test_partial_data_comes_with_the_errors_of_the_failed_fields(gql):
    create_companies(gql, [{"name": "a"}])
    status, body = gql(
        '{ companies { totalCount } missing: company(filter: {name: {eq: "zzz"}}) { id } }'
    )
    assert status == 200
    assert body["data"] == {"companies": {"totalCount": 1}, "missing": None}
    assert body["errors"][0]["path"] == ["missing"]
