"""Per-item batch results: `POST /rest/batch/{plural}?partial=true` and GraphQL's
`create<Plural>(data, partial: true)` write every valid record and report each refused one by
its index; the default stays all or nothing."""

from __future__ import annotations

import pytest

from tests.functional.graphql_support import GraphQLClient
from tests.functional.test_rest_records import assert_twenty_error, create
from tests.functional.test_write_integrity import _error, fail_first, people

MISSING_ID = "8c1a4f7e-0b7e-4d5f-9a35-6b7c2d1e0f99"


@pytest.fixture
def gql(client, tenant) -> GraphQLClient:
    return GraphQLClient(client.http, tenant)


def people_count(rest) -> int:
    return rest.get("/rest/people")[1]["totalCount"]


def listed_people(rest) -> list[dict]:
    return rest.get("/rest/people?limit=200")[1]["data"]["people"]


def errors_by_index(body) -> dict[int, dict]:
    return {error["index"]: error for error in body["errors"]}


@pytest.fixture
def world(rest):
    """An existing person holding ada@example.com, a company, and a soft-deleted company."""
    ada = create(rest, "people", {"emails": {"primaryEmail": "ada@example.com"}})
    acme = create(rest, "companies", {"name": "Acme"})
    gone = create(rest, "companies", {"name": "Gone"})
    assert rest.delete(f"/rest/companies/{gone['id']}?soft_delete=true")[0] == 200
    return {"ada": ada, "acme": acme, "gone": gone}


def mixed_people(world) -> list[dict]:
    """Index: 0 valid, 1 bad value, 2 unknown field, 3 email held by an existing person,
    4 valid, 5 the email of record 4 again, 6 a company that does not exist, 7 a soft-deleted
    company, 8 valid with a company, 9 not an object."""
    return [
        {"name": {"firstName": "Grace"}, "emails": {"primaryEmail": "grace@example.com"}},
        {"avatarUrl": 12},
        {"shoeSize": 44},
        {"emails": {"primaryEmail": "ada@example.com"}},
        {"emails": {"primaryEmail": "linus@example.com"}, "city": "Helsinki"},
        {"emails": {"primaryEmail": "linus@example.com"}, "city": "Portland"},
        {"companyId": MISSING_ID},
        {"companyId": world["gone"]["id"]},
        {"jobTitle": "CTO", "companyId": world["acme"]["id"]},
        "not a record",
    ]


# -- REST -----------------------------------------------------------------------------------


def test_partial_batch_writes_every_valid_record_and_reports_the_others_by_index(rest, world):
    status, body = rest.post("/rest/batch/people?partial=true", mixed_people(world))
    assert status == 207, body
    answered = body["data"]["createPeople"]
    assert len(answered) == 10
    written = {i for i, record in enumerate(answered) if record is not None}
    assert written == {0, 4, 8}
    errors = errors_by_index(body)
    assert sorted(errors) == [1, 2, 3, 5, 6, 7, 9]
    expected = {
        1: ("INVALID_FIELD_VALUE", "avatarUrl"),
        2: ("UNKNOWN_FIELD", "shoeSize"),
        3: ("DUPLICATE_ENTRY", "emails.primaryEmail"),
        5: ("DUPLICATE_ENTRY", "emails.primaryEmail"),
        6: ("RELATION_TARGET_NOT_FOUND", "companyId"),
        7: ("RELATION_TARGET_NOT_FOUND", "companyId"),
        9: ("INVALID_FIELD_VALUE", None),
    }
    for index, (code, field) in expected.items():
        assert errors[index]["code"] == code, errors[index]
        assert errors[index].get("field") == field, errors[index]
        assert errors[index]["messages"] and all(
            isinstance(m, str) for m in errors[index]["messages"]
        )
    assert "record 4 of this batch" in errors[5]["messages"][0]
    assert MISSING_ID in errors[6]["messages"][0]
    # The first of two records with the same unique value keeps it.
    assert answered[4]["city"] == "Helsinki"
    # Each written record reads back exactly as echoed; the counter counts them.
    for record in (answered[i] for i in written):
        assert rest.get(f"/rest/people/{record['id']}")[1]["data"]["person"] == record
    assert people_count(rest) == 4  # ada and the three written
    assert len(listed_people(rest)) == 4


def test_uniqueness_is_still_enforced_after_a_partial_batch(rest, world):
    rest.post("/rest/batch/people?partial=true", mixed_people(world))
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": "linus@example.com"}})
    assert_twenty_error(status, body, 409, "emails.primaryEmail")
    status, body = rest.post(
        "/rest/batch/people?partial=true", [{"emails": {"primaryEmail": "grace@example.com"}}]
    )
    assert status == 207 and body["data"]["createPeople"] == [None], body
    assert errors_by_index(body)[0]["code"] == "DUPLICATE_ENTRY"
    assert people_count(rest) == 4


def test_the_default_batch_stays_all_or_nothing(rest, world):
    status, body = rest.post("/rest/batch/people", mixed_people(world))
    assert_twenty_error(status, body, 400, "Record 1")
    assert people_count(rest) == 1
    valid_but_taken = [{"jobTitle": "x"}, {"emails": {"primaryEmail": "ada@example.com"}}]
    status, body = rest.post("/rest/batch/people", valid_but_taken)
    assert_twenty_error(status, body, 409, "emails.primaryEmail")
    status, body = rest.post("/rest/batch/people?partial=false", valid_but_taken)
    assert_twenty_error(status, body, 409, "emails.primaryEmail")
    assert people_count(rest) == 1


@pytest.mark.parametrize("value", ["yes", "maybe", "2", "TRUE!"])
def test_a_partial_value_other_than_true_or_false_is_refused_and_writes_nothing(rest, value):
    status, body = rest.post(f"/rest/batch/people?partial={value}", [{"jobTitle": "x"}])
    assert_twenty_error(status, body, 400, "'partial' must be true or false")
    assert body["code"] == "INVALID_QUERY_PARAM"
    assert people_count(rest) == 0


def test_a_batch_of_valid_records_answers_207_with_no_errors_at_the_default_batchs_cost(
    rest, meter
):
    status, default = rest.post("/rest/batch/people", people(30, "d"))
    assert status == 201
    meter.reset()
    status, body = rest.post("/rest/batch/people?partial=true", people(30, "p"))
    partial_calls = dict(meter.operations)
    assert status == 207, body
    assert body["errors"] == []
    answered = body["data"]["createPeople"]
    assert [p["emails"]["primaryEmail"] for p in answered] == [
        f"p{i}@example.com" for i in range(30)
    ]
    # The same record shape as the default batch's echo.
    assert [set(p) for p in answered] == [set(p) for p in default["data"]["createPeople"]]
    meter.reset()
    rest.post("/rest/batch/people", people(30, "q"))
    assert partial_calls == dict(meter.operations)


def test_a_refused_record_in_a_later_transaction_leaves_the_others_written(rest, meter):
    """60 people need two transactions; record 55 collides in the second one after the first
    committed: the executor undoes the first, and the 59 others are written in the next round."""
    existing = create(rest, "people", {"emails": {"primaryEmail": "p55@example.com"}})
    status, body = rest.post("/rest/batch/people?partial=true", people(60))
    assert status == 207, body
    answered = body["data"]["createPeople"]
    assert answered[55] is None
    assert all(record is not None for i, record in enumerate(answered) if i != 55)
    assert [e["index"] for e in body["errors"]] == [55]
    ids = {p["id"] for p in listed_people(rest)}
    assert ids == {existing["id"]} | {r["id"] for r in answered if r is not None}
    assert people_count(rest) == 60


def test_partial_batch_with_fields_echoes_only_those_fields(rest):
    status, body = rest.post(
        "/rest/batch/people?partial=true&fields=jobTitle", [{"jobTitle": "a"}, {"nope": 1}]
    )
    assert status == 207, body
    assert body["data"]["createPeople"][1] is None
    assert set(body["data"]["createPeople"][0]) == {"id", "jobTitle"}


def test_a_batch_where_every_record_is_refused_writes_nothing(rest, world, meter):
    meter.reset()
    status, body = rest.post(
        "/rest/batch/people?partial=true", [{"nope": 1}, {"avatarUrl": 1}, {"city": 3}]
    )
    assert status == 207, body
    assert body["data"]["createPeople"] == [None, None, None]
    assert [e["index"] for e in body["errors"]] == [0, 1, 2]
    assert meter.operations["TransactWriteItems"] == 0
    assert people_count(rest) == 1


def test_ids_taken_by_an_existing_record_or_an_earlier_input_are_refused_alone(rest, world):
    ada_id = world["ada"]["id"]
    fresh = "2b4c6d8e-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
    status, body = rest.post(
        "/rest/batch/people?partial=true",
        [{"id": ada_id}, {"id": fresh, "city": "one"}, {"id": fresh, "city": "two"}],
    )
    assert status == 207, body
    answered = body["data"]["createPeople"]
    assert answered[0] is None and answered[2] is None
    assert answered[1]["id"] == fresh and answered[1]["city"] == "one"
    errors = errors_by_index(body)
    assert errors[0]["code"] == errors[2]["code"] == "DUPLICATE_ENTRY"
    assert errors[0]["field"] == errors[2]["field"] == "id"
    assert people_count(rest) == 2


def test_a_record_too_large_to_store_is_refused_alone(rest):
    huge = "x" * 420_000
    status, body = rest.post(
        "/rest/batch/notes?partial=true",
        [{"title": "small"}, {"title": "big", "bodyV2": {"markdown": huge}}],
    )
    assert status == 207, body
    assert body["data"]["createNotes"][0]["title"] == "small"
    assert body["data"]["createNotes"][1] is None
    [error] = body["errors"]
    assert error["index"] == 1 and error["code"] == "RECORD_TOO_LARGE"
    assert not error["messages"][0].startswith("Record ")
    assert rest.get("/rest/notes")[1]["totalCount"] == 1


def test_partial_upsert_updates_matches_and_refuses_ambiguous_inputs_alone(rest, world):
    bob = create(rest, "people", {"emails": {"primaryEmail": "bob@example.com"}, "city": "Oslo"})
    status, body = rest.post(
        "/rest/batch/people?upsert=true&partial=true",
        [
            {"emails": {"primaryEmail": "ada@example.com"}, "city": "Paris"},  # updates ada
            {"id": bob["id"], "emails": {"primaryEmail": "ada@example.com"}},  # two matches
            {"emails": {"primaryEmail": "ada@example.com"}, "city": "Rome"},  # ada again
            {"emails": {"primaryEmail": "new@example.com"}, "companyId": MISSING_ID},
            {"emails": {"primaryEmail": "new2@example.com"}, "city": "Lima"},  # created
        ],
    )
    assert status == 207, body
    answered = body["data"]["createPeople"]
    assert answered[0]["id"] == world["ada"]["id"] and answered[0]["city"] == "Paris"
    assert answered[1] is None and answered[2] is None and answered[3] is None
    assert answered[4]["city"] == "Lima"
    errors = errors_by_index(body)
    assert errors[1]["code"] == errors[2]["code"] == "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"
    assert errors[3]["code"] == "RELATION_TARGET_NOT_FOUND"
    assert rest.get(f"/rest/people/{bob['id']}")[1]["data"]["person"]["city"] == "Oslo"
    assert people_count(rest) == 3


def test_more_records_than_the_batch_maximum_fail_the_whole_request(rest):
    status, body = rest.post("/rest/batch/people?partial=true", [{"city": "x"}] * 61)
    assert_twenty_error(status, body, 400, "60")
    status, body = rest.post("/rest/batch/people?partial=true", [])
    assert_twenty_error(status, body, 400, "must not be empty")
    assert people_count(rest) == 0


def test_storage_unavailable_fails_the_whole_request_with_nothing_written(rest, world, meter):
    """The first round is refused for a duplicate (nothing kept); every later write is
    throttled until the retries run out: 503, and not one record of the batch is stored."""
    calls = {"n": 0}

    def throttle_after_the_first(name, params):
        if name != "TransactWriteItems":
            return None
        calls["n"] += 1
        return None if calls["n"] == 1 else _error("ThrottlingException")

    batch = [*people(3), {"emails": {"primaryEmail": "ada@example.com"}}]
    meter.interceptors.append(throttle_after_the_first)
    try:
        status, body = rest.post("/rest/batch/people?partial=true", batch)
    finally:
        meter.interceptors.remove(throttle_after_the_first)
    assert status == 503, body
    assert body["code"] == "STORAGE_UNAVAILABLE"
    assert calls["n"] > 2
    assert people_count(rest) == 1
    assert [p["id"] for p in listed_people(rest)] == [world["ada"]["id"]]
    status, body = rest.post("/rest/batch/people?partial=true", batch)
    assert status == 207 and [e["index"] for e in body["errors"]] == [3], body


def test_a_throttled_first_write_is_retried_as_in_the_default_batch(rest, meter):
    fail_first(meter, "TransactWriteItems", 2, lambda params: _error("ThrottlingException"))
    status, body = rest.post("/rest/batch/people?partial=true", people(5))
    assert status == 207 and body["errors"] == [], body
    assert people_count(rest) == 5


# -- GraphQL --------------------------------------------------------------------------------

CREATE_PEOPLE = """
mutation Create($data: [PersonCreateInput!]!, $partial: Boolean, $upsert: Boolean) {
  createPeople(data: $data, partial: $partial, upsert: $upsert) { id city emails { primaryEmail } }
}
"""


def test_graphql_partial_batch_returns_nulls_in_place_and_one_error_per_refused_item(
    rest, gql, world
):
    data = [
        {"city": "A", "emails": {"primaryEmail": "a@example.com"}},
        {"emails": {"primaryEmail": "ada@example.com"}},
        {"city": "C", "emails": {"primaryEmail": "a@example.com"}},
        {"city": "D", "companyId": MISSING_ID},
        {"city": "E", "companyId": world["acme"]["id"]},
    ]
    status, body = gql(CREATE_PEOPLE, {"data": data, "partial": True})
    assert status == 200, body
    answered = body["data"]["createPeople"]
    assert [p and p["city"] for p in answered] == ["A", None, None, None, "E"]
    by_index = {e["extensions"]["index"]: e for e in body["errors"]}
    assert sorted(by_index) == [1, 2, 3]
    for index, error in by_index.items():
        assert error["path"] == ["createPeople", index]
        assert error["message"]
    assert by_index[1]["extensions"]["code"] == "CONFLICT"
    assert by_index[1]["extensions"]["subCode"] == "DUPLICATE_ENTRY"
    assert by_index[1]["extensions"]["field"] == "emails.primaryEmail"
    assert by_index[2]["extensions"]["subCode"] == "DUPLICATE_ENTRY"
    assert by_index[3]["extensions"]["code"] == "BAD_USER_INPUT"
    assert by_index[3]["extensions"]["subCode"] == "RELATION_TARGET_NOT_FOUND"
    # REST reads back what GraphQL wrote.
    for record in (answered[0], answered[4]):
        assert rest.get(f"/rest/people/{record['id']}")[1]["data"]["person"]["id"] == record["id"]
    assert people_count(rest) == 3


def test_graphql_batch_without_partial_stays_all_or_nothing(rest, gql, world):
    data = [{"city": "A"}, {"emails": {"primaryEmail": "ada@example.com"}}]
    for variables in ({"data": data}, {"data": data, "partial": False}):
        status, body = gql(CREATE_PEOPLE, variables)
        assert status == 200
        assert body["data"] is None
        [error] = body["errors"]
        assert error["path"] == ["createPeople"]
        assert error["extensions"]["subCode"] == "DUPLICATE_ENTRY"
    assert people_count(rest) == 1


def test_graphql_partial_errors_follow_the_alias_and_leave_other_fields_alone(gql, world):
    query = """
    mutation {
      first: createPeople(partial: true, data: [{city: "X"}, {emails: {primaryEmail: "ada@example.com"}}]) { city }
      second: createCompanies(data: [{name: "Fine"}]) { name }
    }
    """
    status, body = gql(query)
    assert status == 200, body
    assert body["data"] == {"first": [{"city": "X"}, None], "second": [{"name": "Fine"}]}
    [error] = body["errors"]
    assert error["path"] == ["first", 1] and error["extensions"]["index"] == 1


def test_graphql_partial_upsert_refuses_ambiguous_inputs_alone(gql, world):
    data = [
        {"emails": {"primaryEmail": "ada@example.com"}, "city": "Paris"},
        {"emails": {"primaryEmail": "ada@example.com"}, "city": "Rome"},
    ]
    status, body = gql(CREATE_PEOPLE, {"data": data, "partial": True, "upsert": True})
    assert status == 200, body
    answered = body["data"]["createPeople"]
    assert answered[0] == {
        "id": world["ada"]["id"],
        "city": "Paris",
        "emails": {"primaryEmail": "ada@example.com"},
    }
    assert answered[1] is None
    [error] = body["errors"]
    assert error["extensions"]["subCode"] == "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"


def test_the_schema_documents_the_partial_argument_of_batch_creates_only(gql):
    data = gql.data(
        '{ __type(name: "Mutation") { fields { name args { name defaultValue description } } } }'
    )
    fields = {f["name"]: {a["name"]: a for a in f["args"]} for f in data["__type"]["fields"]}
    partial = fields["createPeople"]["partial"]
    assert partial["defaultValue"] == "false"
    assert "null" in partial["description"] and "index" in partial["description"]
    assert "partial" not in fields["createPerson"]
    assert "partial" not in fields["updatePeople"]


def test_a_record_pointing_at_a_refused_record_of_the_same_batch_is_refused_too(rest):
    """A self-relation (company -> parent company): the parent's create is refused, so the
    child's relation target will not exist; a parent that is written carries its child."""
    _, objects = rest.get("/rest/metadata/objects")
    company_object = next(o for o in objects["data"]["objects"] if o["nameSingular"] == "company")
    status, body = rest.post("/rest/metadata/fields", {
        "objectMetadataId": company_object["id"], "type": "RELATION",
        "name": "parentCompany", "label": "Parent company",
        "relationCreationPayload": {"type": "MANY_TO_ONE",
                                    "targetObjectMetadataId": company_object["id"],
                                    "targetFieldLabel": "Subsidiaries"},
    })  # fmt: skip
    assert status == 201, body
    create(rest, "companies", {"domainName": {"primaryLinkUrl": "https://taken.io"}})
    refused_parent, kept_parent = (
        "3f0e3c1a-5b2d-4e6f-8a9b-0c1d2e3f4a5b",
        "4a1f4d2b-6c3e-4f7a-9b0c-1d2e3f4a5b6c",
    )
    status, body = rest.post(
        "/rest/batch/companies?partial=true",
        [
            {"id": refused_parent, "domainName": {"primaryLinkUrl": "https://taken.io"}},
            {"name": "orphan", "parentCompanyId": refused_parent},
            {"id": kept_parent, "name": "parent"},
            {"name": "child", "parentCompanyId": kept_parent},
        ],
    )
    assert status == 207, body
    answered = body["data"]["createCompanies"]
    assert answered[0] is None and answered[1] is None
    assert answered[2]["id"] == kept_parent and answered[3]["parentCompanyId"] == kept_parent
    errors = errors_by_index(body)
    assert errors[0]["code"] == "DUPLICATE_ENTRY"
    assert errors[1]["code"] == "RELATION_TARGET_NOT_FOUND"
    assert errors[1]["field"] == "parentCompanyId"
    assert rest.get("/rest/companies")[1]["totalCount"] == 3


def test_a_partial_upsert_that_loses_a_race_for_a_new_value_updates_the_winner(rest, meter):
    """Between the upsert's read and its write another request creates a person with the same
    email: the write is refused, the next round matches that person and updates it."""
    state = {"raced": False}

    def create_the_same_email_first(name, params):
        if name == "TransactWriteItems" and not state["raced"]:
            state["raced"] = True  # the nested create below passes through here too
            winner = create(rest, "people", {"emails": {"primaryEmail": "race@example.com"}})
            state["winner"] = winner["id"]
        return None

    meter.interceptors.append(create_the_same_email_first)
    try:
        status, body = rest.post(
            "/rest/batch/people?upsert=true&partial=true",
            [{"emails": {"primaryEmail": "race@example.com"}, "city": "Lagos"}, {"city": "Accra"}],
        )
    finally:
        meter.interceptors.remove(create_the_same_email_first)
    assert status == 207, body
    assert body["errors"] == []
    [updated, created] = body["data"]["createPeople"]
    assert updated["id"] == state["winner"] and updated["city"] == "Lagos"
    assert created["city"] == "Accra"
    assert people_count(rest) == 2


def test_records_refused_by_the_table_cost_one_more_read_and_write_round(rest, world, meter):
    meter.reset()
    rest.post("/rest/batch/people?partial=true", people(5, "clean"))
    clean = dict(meter.operations)
    meter.reset()
    batch = [*people(5), {"emails": {"primaryEmail": "ada@example.com"}}, {"companyId": MISSING_ID}]
    status, body = rest.post("/rest/batch/people?partial=true", batch)
    assert status == 207 and [e["index"] for e in body["errors"]] == [5, 6], body
    # The refused write, then one read of the guards and one of the ids and relation targets.
    assert meter.operations["TransactWriteItems"] == clean["TransactWriteItems"] + 1
    assert meter.operations["BatchGetItem"] == clean.get("BatchGetItem", 0) + 2
    assert meter.requests == sum(clean.values()) + 3, (clean, meter.operations)


def test_a_partial_batch_retried_with_its_idempotency_key_replays_the_207(rest, world):
    headers = {**rest.tenant.headers, "Idempotency-Key": "partial-batch-1"}
    batch = [{"city": "Oslo"}, {"emails": {"primaryEmail": "ada@example.com"}}]
    first = rest.call("POST", "/rest/batch/people?partial=true", batch, headers=headers)
    again = rest.call("POST", "/rest/batch/people?partial=true", batch, headers=headers)
    assert first[0] == again[0] == 207
    assert again[1] == first[1]
    assert people_count(rest) == 2
