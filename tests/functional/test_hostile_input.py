"""Hostile or careless input answers a clear 4xx, never a 500 (issue 17, finding 3).

Lone surrogates, invalid UTF-8, deep nesting and non-JSON numbers are refused by the one JSON
decoder, in REST bodies (records and metadata), GraphQL bodies and variables, and cursors; a
record that would pass DynamoDB's 400 KB item limit is refused before anything is written, for
create, update, upsert and batch, in REST and GraphQL.
"""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.settings import SETTINGS
from chalicelib.storage.item_limits import MAX_RECORD_BYTES, encode_body
from tests.functional.graphql_support import GraphQLClient, fill

DEPTH = SETTINGS.max_json_depth
OVERSIZED_NAME = "x" * 420_000
# 140 KB of UTF-8 in four fields; JSON-escaped in the stored document it takes ~420 KB.
ACCENTED = "é" * 17_500
ACCENTED_COMPANY = {
    "name": ACCENTED,
    "address": {"addressStreet1": ACCENTED, "addressCity": ACCENTED},
    "linkedinLink": {"primaryLinkLabel": ACCENTED},
}


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def company_count(rest) -> int:
    status, body = rest.get("/rest/companies?limit=1")
    assert status == 200
    return body["totalCount"]


def create_company(rest, name="Acme") -> str:
    status, body = rest.post("/rest/companies", {"name": name})
    assert status == 201, body
    return body["data"]["createCompany"]["id"]


def gql_codes(body):
    return [(e["extensions"]["code"], e["extensions"].get("subCode")) for e in body["errors"]]


# -- REST: the JSON decoder --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "raw", "problem"),
    [
        ("/rest/companies", '{"name": "\\ud800"}', "a string at 'name' holds a lone UTF-16"),
        ("/rest/companies", '{"\\udfff": "x"}', "a key holds a lone UTF-16 surrogate"),
        ("/rest/batch/companies", '[{"name": "a"}, {"name": "b\\udbff"}]', "at '[1].name'"),
        ("/rest/metadata/objects", '{"nameSingular": "\\ud800"}', "at 'nameSingular'"),
        ("/rest/companies", b'{"name": "\xff"}', "not valid UTF-8 (byte 10"),
        ("/rest/companies", '{"name": "a", "employees": NaN}', "NaN is not a JSON value"),
        ("/rest/companies", '{"name": "a", "employees": 1e400}', "number 1e400 is out of range"),
        ("/rest/companies", '{"name": "x", "a": ' + nested(1000) + "}", "nested deeper"),
        ("/rest/batch/companies", "[" * 1000 + "]" * 1000, "nested deeper"),
        ("/rest/metadata/objects", '{"a":' * 1000 + "1" + "}" * 1000, "nested deeper"),
    ],
)
def test_bad_json_in_a_rest_body_is_400_naming_the_problem(rest, path, raw, problem):
    status, body = rest.post(path, raw)
    assert status == 400, body
    assert body["code"] == "INVALID_REQUEST_BODY" and body["error"] == "BadRequestException"
    assert problem in body["messages"][0]
    assert company_count(rest) == 0


def test_patching_with_a_surrogate_or_a_deep_body_changes_nothing(rest):
    record = create_company(rest)
    for raw in ('{"name": "\\udc00"}', '{"name": ' + nested(DEPTH + 1) + "}"):
        status, body = rest.patch(f"/rest/companies/{record}", raw)
        assert status == 400 and body["code"] == "INVALID_REQUEST_BODY", body
    assert rest.get(f"/rest/companies/{record}")[1]["data"]["company"]["name"] == "Acme"


def test_a_body_at_the_depth_limit_is_decoded(rest):
    # The body object and DEPTH - 1 arrays: decoded, then refused by coercion (not a string).
    status, body = rest.post("/rest/companies", '{"name": ' + nested(DEPTH - 1) + "}")
    assert status == 400 and body["code"] == "BAD_REQUEST", body
    assert body["messages"][0].startswith("Invalid value for field 'name'")


def test_a_paired_surrogate_escape_is_ordinary_text(rest):
    status, body = rest.post("/rest/companies", '{"name": "smile \\ud83d\\ude00"}')
    assert status == 201 and body["data"]["createCompany"]["name"] == "smile 😀"


def test_a_deeply_nested_cursor_is_a_bad_query_parameter(rest):
    cursor = base64.urlsafe_b64encode(nested(100_000).encode()).decode().rstrip("=")
    status, body = rest.get(f"/rest/companies?starting_after={cursor}")
    assert status == 400 and body["code"] == "INVALID_QUERY_PARAM"
    assert body["messages"] == ["'starting_after' is not a valid cursor"]


# -- REST: DynamoDB's item limit -------------------------------------------------------------


def assert_too_large(status, body, *fields):
    assert status == 413, body
    assert body["code"] == "RECORD_TOO_LARGE" and body["error"] == "PayloadTooLargeException"
    for message in body["messages"]:
        assert "400 KB item limit" in message
    for field in fields:
        assert f"'{field}' (" in " ".join(body["messages"])


def test_a_record_over_the_item_limit_is_413_naming_the_field(rest):
    status, body = rest.post("/rest/companies", {"name": OVERSIZED_NAME})
    assert_too_large(status, body, "name")
    assert body["messages"][0].startswith("Too large to store: the record would take 42")
    assert company_count(rest) == 0


def test_140_kb_of_accented_text_is_measured_as_stored(rest):
    status, body = rest.post("/rest/companies", ACCENTED_COMPANY)
    # The stored document escapes non-ASCII characters (é takes 6 bytes), so 140 KB of UTF-8
    # takes ~420 KB; were it stored unescaped, the same record would fit.
    if len(encode_body(ACCENTED_COMPANY).encode()) > MAX_RECORD_BYTES:
        assert_too_large(status, body, "address", "name", "linkedinLink")
        assert company_count(rest) == 0
    else:
        assert status == 201, body


def test_a_record_just_under_the_limit_is_stored_read_soft_deleted_and_destroyed(rest):
    name = "y" * (MAX_RECORD_BYTES - 4_000)
    record = create_company(rest, name)
    assert rest.get(f"/rest/companies/{record}")[1]["data"]["company"]["name"] == name
    assert rest.delete(f"/rest/companies/{record}?soft_delete=true")[0] == 200
    assert rest.patch(f"/rest/restore/companies/{record}")[0] == 200
    assert rest.delete(f"/rest/companies/{record}")[0] == 200


def test_an_update_over_the_limit_is_413_and_leaves_the_record_unchanged(rest):
    record = create_company(rest)
    for method in ("patch", "put"):
        status, body = getattr(rest, method)(f"/rest/companies/{record}", {"name": OVERSIZED_NAME})
        assert_too_large(status, body, "name")
    assert rest.get(f"/rest/companies/{record}")[1]["data"]["company"]["name"] == "Acme"


def test_an_upsert_over_the_limit_is_413_whether_it_creates_or_updates(rest):
    record = create_company(rest)
    status, body = rest.post("/rest/companies?upsert=true", {"id": record, "name": OVERSIZED_NAME})
    assert_too_large(status, body, "name")
    status, body = rest.post("/rest/companies?upsert=true", {"name": OVERSIZED_NAME})
    assert_too_large(status, body, "name")
    assert company_count(rest) == 1


def test_a_batch_names_every_oversized_record_and_writes_nothing(rest):
    records = [{"name": "a"}, {"name": OVERSIZED_NAME}, {"name": "b"}, ACCENTED_COMPANY]
    status, body = rest.post("/rest/batch/companies", records)
    assert_too_large(status, body, "name")
    prefixes = [message.split(":")[0] for message in body["messages"]]
    assert prefixes[0] == "Record 1" and set(prefixes) <= {"Record 1", "Record 3"}
    assert company_count(rest) == 0


# -- GraphQL ---------------------------------------------------------------------------------

CREATE_MANY = "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }"
UPDATE_ONE = (
    "mutation($id: UUID!, $d: CompanyUpdateInput!) { updateCompany(id: $id, data: $d) { id } }"
)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ('{"query": "{ companies { totalCount } }", "variables": ' + nested(1000) + "}", "nested"),
        (
            '{"query": "{ companies { totalCount } }", "x": '
            + '{"a":' * 1000
            + "1"
            + "}" * 1000
            + "}",
            "nested",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested deeper"),
        (
            '{"query": "{ companies(filter: {name: {eq: \\"\\ud800\\"}}) { totalCount } }"}',
            "at 'query'",
        ),
        (
            json.dumps({"query": CREATE_MANY}).rstrip("}")
            + ', "variables": {"d": [{"name": "\\ud800"}]}}',
            "at 'variables.d[0].name'",
        ),
        (b'{"query": "{ companies { totalCount } }", "x": "\xc3"}', "not valid UTF-8"),
        ('{"query": "{ companies { totalCount } }", "variables": {"n": NaN}}', "NaN"),
    ],
)
def test_bad_json_in_a_graphql_body_is_400_bad_user_input(gql, raw, problem):
    status, body = gql.raw(raw)
    assert status == 400, body
    assert gql_codes(body) == [("BAD_USER_INPUT", None)]
    assert body["errors"][0]["message"].startswith("Invalid JSON body: ")
    assert problem in body["errors"][0]["message"]


def test_a_deeply_nested_literal_in_the_query_text_is_a_parse_failure(gql):
    query = (
        'mutation { createCompany(data: {name: "x", address: '
        + "{a:" * 1000
        + "1"
        + "}" * 1000
        + "}) { id } }"
    )
    status, body = gql(query)
    assert status == 400 and gql_codes(body) == [("GRAPHQL_PARSE_FAILED", None)]


def test_a_deeply_nested_cursor_is_bad_user_input(gql):
    # 1,000 deep: a 100,000-deep cursor would already pass the GraphQL query's length limit.
    cursor = base64.urlsafe_b64encode(nested(1000).encode()).decode().rstrip("=")
    status, body = gql(fill('{ companies(after: "%s") { totalCount } }', cursor))
    assert gql_codes(body) == [("BAD_USER_INPUT", "INVALID_QUERY_PARAM")]


def test_graphql_records_over_the_item_limit_are_refused_by_position(gql, rest):
    status, body = gql(CREATE_MANY, {"d": [{"name": "a"}, {"name": OVERSIZED_NAME}]})
    assert status == 200 and gql_codes(body) == [("BAD_USER_INPUT", "RECORD_TOO_LARGE")]
    assert body["errors"][0]["message"].startswith("Record 1: Too large to store")
    assert "'name' (" in body["errors"][0]["message"]
    assert company_count(rest) == 0


def test_a_graphql_update_over_the_item_limit_is_refused(gql, rest):
    record = create_company(rest)
    status, body = gql(UPDATE_ONE, {"id": record, "d": {"name": OVERSIZED_NAME}})
    assert gql_codes(body) == [("BAD_USER_INPUT", "RECORD_TOO_LARGE")]
    assert body["errors"][0]["message"].startswith("Too large to store")
    assert rest.get(f"/rest/companies/{record}")[1]["data"]["company"]["name"] == "Acme"


# -- long text in an index -------------------------------------------------------------------
# Index keys hold at most 300 bytes of a text: longer values that share their first 300 bytes
# share a key prefix. Filters on them must still be exact (the records decide), not the keys.

SHARED = "Acme " + "x" * 400


@pytest.mark.parametrize("method", ["rest", "graphql"])
def test_long_names_sharing_their_indexed_part_are_told_apart_by_filters(rest, gql, method):
    low, high = SHARED + " alpha", SHARED + " omega"
    ids = {name: create_company(rest, name) for name in (low, high)}

    def matches(condition: str, graphql_filter: dict) -> tuple[set[str], int]:
        if method == "rest":
            status, body = rest.get(f"/rest/companies?filter=name[{condition}")
            assert status == 200, body
            return {c["id"] for c in body["data"]["companies"]}, body["totalCount"]
        query = "query($f: CompanyFilterInput) { companies(filter: $f) { totalCount edges { node { id } } } }"
        data = gql.data(query, {"f": {"name": graphql_filter}})["companies"]
        return {e["node"]["id"] for e in data["edges"]}, data["totalCount"]

    assert matches(f"eq]:{low}", {"eq": low}) == ({ids[low]}, 1)
    assert matches(f"eq]:{SHARED}", {"eq": SHARED}) == (set(), 0)
    assert matches(f"lt]:{high}", {"lt": high}) == ({ids[low]}, 1)
    assert matches(f"gt]:{low}", {"gt": low}) == ({ids[high]}, 1)
    assert matches(f"gte]:{low}", {"gte": low}) == ({ids[low], ids[high]}, 2)


def test_a_huge_limit_is_clamped_and_a_non_ascii_digit_refused(rest):
    create_company(rest)
    status, body = rest.get("/rest/companies?limit=" + "9" * 5000)
    assert status == 200 and len(body["data"]["companies"]) == 1
    status, body = rest.get("/rest/companies?limit=0000000001")
    assert status == 200 and len(body["data"]["companies"]) == 1
    status, body = rest.get("/rest/companies?limit=²")
    assert status == 400 and body["code"] == "INVALID_QUERY_PARAM", body
