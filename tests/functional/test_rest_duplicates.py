"""POST /rest/{plural}/duplicates: Twenty's envelope, one entry per given id then input record."""

from __future__ import annotations

import pytest

from chalicelib.settings import SETTINGS
from tests.functional.graphql_support import GraphQLClient, fill
from tests.functional.test_rest_records import assert_twenty_error
from tests.support import RestClient, cursor_record, make_tenant


@pytest.fixture
def other(client, aws):
    return RestClient(client.http, make_tenant("Other"))


def batch(rest, plural, records):
    status, body = rest.post(f"/rest/batch/{plural}", records)
    assert status == 201, body
    return next(iter(body["data"].values()))


def duplicates(rest, body, plural="companies", query=""):
    status, answer = rest.post(f"/rest/{plural}/duplicates{query}", body)
    assert status == 200, answer
    return answer["data"]


def found_names(entries, key="companyDuplicates"):
    return [[record["name"] for record in entry[key]] for entry in entries]


@pytest.fixture
def companies(rest):
    return batch(
        rest,
        "companies",
        [
            {"name": "Acme", "domainName": {"primaryLinkUrl": "acme.io"}},
            {"name": "Acme"},
            {"name": "Globex", "domainName": {"primaryLinkUrl": "acme.io/x"}},
        ],
    )


def test_duplicates_of_input_records_come_one_entry_per_input(rest, companies):
    entries = duplicates(rest, {"data": [{"name": "Globex"}, {"name": "Acme"}, {"name": "None"}]})
    assert found_names(entries) == [["Globex"], ["Acme", "Acme"], []]
    assert [entry["totalCount"] for entry in entries] == [1, 2, 0]
    assert set(entries[0]) == {"companyDuplicates", "totalCount", "pageInfo"}
    info = entries[0]["pageInfo"]
    assert info["hasNextPage"] is False and info["hasPreviousPage"] is False
    assert info["startCursor"] == info["endCursor"] == companies[2]["id"]
    assert entries[2]["pageInfo"]["startCursor"] is None


def test_duplicates_of_existing_records_leave_the_record_itself_out(rest, companies):
    acme, other_acme, _ = companies
    entries = duplicates(rest, {"ids": [acme["id"]]})
    assert [[r["id"] for r in e["companyDuplicates"]] for e in entries] == [[other_acme["id"]]]
    # Every field of the record, as a list shows it.
    assert set(entries[0]["companyDuplicates"][0]) == set(acme)


def test_ids_and_data_together_answer_the_ids_first(rest, companies):
    entries = duplicates(rest, {"ids": [companies[2]["id"]], "data": [{"name": "Acme"}]})
    assert found_names(entries) == [[], ["Acme", "Acme"]]


def test_people_duplicates_use_their_own_key_and_criteria(rest):
    batch(
        rest,
        "people",
        [
            {"name": {"firstName": "Ada", "lastName": "L"}},
            {"emails": {"primaryEmail": "ada@x.io"}},
        ],
    )
    entries = duplicates(
        rest,
        {
            "data": [
                {
                    "name": {"firstName": "Ada", "lastName": "L"},
                    "emails": {"primaryEmail": "ada@x.io"},
                }
            ]
        },
        plural="people",
    )
    assert [entry["totalCount"] for entry in entries] == [2]
    assert list(entries[0])[0] == "personDuplicates"


def test_depth_1_embeds_the_relations_of_the_duplicates(rest):
    [acme] = batch(rest, "companies", [{"name": "Acme"}])
    batch(rest, "people", [{"emails": {"primaryEmail": "a@x.io"}, "companyId": acme["id"]}])
    probe = {"data": [{"emails": {"primaryEmail": "a@x.io"}}]}
    [entry] = duplicates(rest, probe, plural="people")
    assert "company" not in entry["personDuplicates"][0]
    [entry] = duplicates(rest, probe, plural="people", query="?depth=1")
    assert entry["personDuplicates"][0]["company"]["name"] == "Acme"
    status, body = rest.post("/rest/people/duplicates?depth=2", probe)
    assert_twenty_error(status, body, 400, "Allowed values are 0, 1")


def test_rest_and_graphql_find_the_same_duplicates(client, rest, tenant, companies):
    gql = GraphQLClient(client.http, tenant)
    query = fill(
        '{ companyDuplicates(ids: ["%s"], data: [{name: "Globex"}, {name: "Nobody"}]) '
        "{ totalCount edges { cursor node { id } } pageInfo { startCursor endCursor } } }",
        companies[0]["id"],
    )
    over_graphql = gql.data(query)["companyDuplicates"]
    over_rest = duplicates(
        rest, {"ids": [companies[0]["id"]], "data": [{"name": "Globex"}, {"name": "Nobody"}]}
    )
    assert [[r["id"] for r in e["companyDuplicates"]] for e in over_rest] == [
        [edge["node"]["id"] for edge in c["edges"]] for c in over_graphql
    ]
    assert [e["totalCount"] for e in over_rest] == [c["totalCount"] for c in over_graphql]
    # The same records' cursors: ids over REST, opaque (wrapping those ids) over GraphQL.
    assert [e["pageInfo"]["endCursor"] for e in over_rest] == [
        cursor_record(c["pageInfo"]["endCursor"]) for c in over_graphql
    ]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, 'either "data" or "ids"'),
        ({"data": []}, 'either "data" or "ids"'),
        ([], '"ids" and/or "data"'),
        ({"ids": "x"}, '"ids" must be an array'),
        ({"data": {"name": "Acme"}}, '"data" must be an array'),
        ({"ids": ["not-a-uuid"]}, "record ids (UUIDs)"),
        ({"ids": [7]}, "record ids (UUIDs)"),
        ({"data": [{"nosuch": 1}]}, "nosuch"),
    ],
)
def test_bad_bodies_are_400(rest, body, fragment):
    status, answer = rest.post("/rest/companies/duplicates", body)
    assert_twenty_error(status, answer, 400, fragment)


def test_an_unknown_id_is_404(rest):
    status, body = rest.post(
        "/rest/companies/duplicates", {"ids": ["6f1c7b7e-7c1a-4c55-9d3b-0d2a1a6f1e01"]}
    )
    assert_twenty_error(status, body, 404)


def test_more_inputs_than_the_batch_maximum_are_400(rest):
    many = [{"name": f"c{i}"} for i in range(SETTINGS.batch_max_records + 1)]
    status, body = rest.post("/rest/companies/duplicates", {"data": many})
    assert_twenty_error(status, body, 400, str(SETTINGS.batch_max_records))


def test_duplicates_never_reach_the_single_record_route(rest, companies):
    # GET of the literal path is not a read of a record whose id is "duplicates".
    status, body = rest.get("/rest/companies/duplicates")
    assert status == 405, body
    status, body = rest.post("/rest/companies/duplicates", {"data": [{"name": "Acme"}]})
    assert status == 200 and "companyDuplicates" in body["data"][0]


def test_duplicates_never_come_from_another_workspace(rest, other, companies):
    entries = duplicates(other, {"data": [{"name": "Acme"}, {"name": "Globex"}]})
    assert found_names(entries) == [[], []]
    status, body = other.post("/rest/companies/duplicates", {"ids": [companies[0]["id"]]})
    assert_twenty_error(status, body, 404)
