"""Lost races, made deterministic: a competing request commits between a command's read and its
write, and the command reads again instead of answering 409.

`interleave` runs a competitor to completion in another thread just before the calling thread's
next TransactWriteItems reaches the table (a `before-send` handler on the shared DynamoDB
client), so one request always loses the race it would lose only sometimes under load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from tests.functional.graphql_support import GraphQLClient

EMAIL = "race@example.com"
_EVENT = "before-send.dynamodb.TransactWriteItems"


@pytest.fixture
def interleave(aws: None) -> Iterator[Callable[..., None]]:
    from chalicelib.storage.connection import shared_connection

    events = shared_connection().client.meta.events
    handlers = []

    def install(competitor: Callable[[], object], times: int = 1) -> None:
        me, left = threading.get_ident(), [times]

        def handler(**_: object) -> None:
            if threading.get_ident() != me or not left[0]:
                return
            left[0] -= 1
            worker = threading.Thread(target=competitor)
            worker.start()
            worker.join()

        events.register_first(_EVENT, handler)
        handlers.append(handler)

    yield install
    for handler in handlers:
        events.unregister(_EVENT, handler)


@pytest.fixture
def gql(client, tenant) -> GraphQLClient:
    return GraphQLClient(client.http, tenant)


def _people(rest) -> list[dict]:
    status, body = rest.get("/rest/people?limit=200")
    assert status == 200, body
    assert body["totalCount"] == len(body["data"]["people"])
    return body["data"]["people"]


def _create_winner(rest, answers: list) -> Callable[[], None]:
    def competitor() -> None:
        answers.append(
            rest.post("/rest/people", {"emails": {"primaryEmail": EMAIL}, "jobTitle": "CTO"})
        )

    return competitor


def _assert_one_person_with_both_changes(rest, answers) -> None:
    [(status, created)] = answers
    assert status == 201, created
    [person] = _people(rest)
    assert person["id"] == created["data"]["createPerson"]["id"]
    assert person["emails"]["primaryEmail"] == EMAIL
    assert (person["jobTitle"], person["city"]) == ("CTO", "Paris")


def test_a_rest_upsert_that_loses_the_race_to_create_updates_the_winners_record(rest, interleave):
    answers: list = []
    interleave(_create_winner(rest, answers))
    status, body = rest.post(
        "/rest/people?upsert=true", {"emails": {"primaryEmail": EMAIL}, "city": "Paris"}
    )
    assert status == 201, body
    _assert_one_person_with_both_changes(rest, answers)


def test_a_batch_upsert_that_loses_the_race_updates_the_winners_record(rest, interleave):
    answers: list = []
    interleave(_create_winner(rest, answers))
    batch = [
        {"emails": {"primaryEmail": EMAIL}, "city": "Paris"},
        {"emails": {"primaryEmail": "other@example.com"}},
    ]
    status, body = rest.post("/rest/batch/people?upsert=true", batch)
    assert status == 201, body
    assert len(_people(rest)) == 2
    [winner] = [p for p in _people(rest) if p["emails"]["primaryEmail"] == EMAIL]
    assert (winner["jobTitle"], winner["city"]) == ("CTO", "Paris")


def test_a_graphql_upsert_that_loses_the_race_updates_the_winners_record(rest, gql, interleave):
    answers: list = []
    interleave(_create_winner(rest, answers))
    data = gql.data(
        "mutation($d: PersonCreateInput!) { createPerson(data: $d, upsert: true) { id city } }",
        {"d": {"emails": {"primaryEmail": EMAIL}, "city": "Paris"}},
    )
    _assert_one_person_with_both_changes(rest, answers)
    assert data["createPerson"]["id"] == answers[0][1]["data"]["createPerson"]["id"]


def test_an_upsert_on_a_given_id_that_loses_the_race_updates_that_record(rest, interleave):
    record_id = "5b2f8a0e-3c1d-4e6f-9a7b-1c2d3e4f5a6b"
    answers: list = []
    interleave(
        lambda: answers.append(rest.post("/rest/companies", {"id": record_id, "name": "First"}))
    )
    status, body = rest.post("/rest/companies?upsert=true", {"id": record_id, "employees": 9})
    assert status == 201, body
    assert answers[0][0] == 201
    company = rest.get(f"/rest/companies/{record_id}")[1]["data"]["company"]
    assert (company["name"], company["employees"]) == ("First", 9)


def test_a_create_without_upsert_that_loses_the_race_is_still_a_409(rest, interleave):
    answers: list = []
    interleave(_create_winner(rest, answers))
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": EMAIL}})
    assert status == 409, body
    assert body["code"] == "DUPLICATE_ENTRY"
    assert len(_people(rest)) == 1


def test_an_upsert_whose_new_value_was_taken_by_another_record_meanwhile_is_refused(
    rest, interleave
):
    # Updating A to an email that record B took after our read: after the re-read the upsert
    # matches two records, a real conflict (Twenty's 400), not a silent merge.
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": "a@example.com"}})
    a_id = body["data"]["createPerson"]["id"]
    answers: list = []
    interleave(_create_winner(rest, answers))
    status, body = rest.post(
        "/rest/people?upsert=true", {"id": a_id, "emails": {"primaryEmail": EMAIL}}
    )
    assert status == 400, body
    assert body["code"] == "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"
    assert len(_people(rest)) == 2


def test_two_inputs_of_one_upsert_may_not_update_the_same_record(rest):
    rest.post("/rest/people", {"emails": {"primaryEmail": EMAIL}})
    status, body = rest.post(
        "/rest/batch/people?upsert=true",
        [
            {"emails": {"primaryEmail": EMAIL}, "city": "A"},
            {"emails": {"primaryEmail": EMAIL}, "city": "B"},
        ],
    )
    assert status == 400, body
    assert body["code"] == "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"


def test_an_update_that_loses_twenty_races_in_a_row_still_lands_with_every_field(rest, interleave):
    status, body = rest.post("/rest/companies", {"name": "Start", "employees": 0})
    company_id = body["data"]["createCompany"]["id"]
    path = f"/rest/companies/{company_id}"
    answers: list = []
    counter = iter(range(1, 100))
    interleave(lambda: answers.append(rest.patch(path, {"employees": next(counter)})), times=20)
    status, body = rest.patch(path, {"name": "Renamed"})
    assert status == 200, body
    assert [s for s, _ in answers] == [200] * 20
    company = rest.get(path)[1]["data"]["company"]
    assert (company["name"], company["employees"]) == ("Renamed", 20)


def test_the_last_writer_of_one_field_wins(rest, interleave):
    status, body = rest.post("/rest/companies", {"name": "Start"})
    path = f"/rest/companies/{body['data']['createCompany']['id']}"
    interleave(lambda: rest.patch(path, {"name": "Competitor"}))
    assert rest.patch(path, {"name": "Mine"})[0] == 200
    assert rest.get(path)[1]["data"]["company"]["name"] == "Mine"


def test_graphql_update_many_that_loses_a_race_applies_to_the_fresh_records(rest, gql, interleave):
    ids = [
        rest.post("/rest/companies", {"name": f"c{i}"})[1]["data"]["createCompany"]["id"]
        for i in range(3)
    ]
    interleave(lambda: rest.patch(f"/rest/companies/{ids[1]}", {"name": "renamed"}))
    data = gql.data(
        "mutation($ids: [UUID!]) { updateCompanies(filter: {id: {in: $ids}}, data: {employees: 7}) { id } }",
        {"ids": ids},
    )
    assert len(data["updateCompanies"]) == 3
    companies = {c["id"]: c for c in rest.get("/rest/companies")[1]["data"]["companies"]}
    assert [companies[i]["employees"] for i in ids] == [7, 7, 7]
    assert companies[ids[1]]["name"] == "renamed"
