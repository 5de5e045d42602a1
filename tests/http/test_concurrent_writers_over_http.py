"""Concurrent writers over HTTP against the real local stack never see internal conflicts.

Sixteen clients upsert one new email at the same moment (REST, REST batch, GraphQL, and all
three mixed): every answer is a success and exactly one person holds the email afterwards. Eight
clients patch different fields of one company at the same moment: every field lands. Each
scenario runs ten times, on a fresh email or company each time.

These rely on the local DynamoDB applying each transaction and conditional write atomically, as
DynamoDB does (the emulator's lock, local_stack/); the app's part is to retry a lost race as an
update and to re-apply an update on the fresh record instead of answering 409.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.http.local_stack import Stack

ROUNDS = 10
UPSERTERS = 16

Answer = tuple[int, Any]


def _at_once(calls: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every call in its own thread, all released together."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Answer]) -> Answer:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def _rest_single(stack: Stack, email: str, i: int) -> Callable[[], Answer]:
    body = {"emails": {"primaryEmail": email}, "jobTitle": f"title {i}"}
    return lambda: stack.call("POST", "/rest/people?upsert=true", body)


def _rest_batch(stack: Stack, email: str, i: int) -> Callable[[], Answer]:
    body = [{"emails": {"primaryEmail": email}, "city": f"city {i}"}]
    return lambda: stack.call("POST", "/rest/batch/people?upsert=true", body)


def _graphql(stack: Stack, email: str, i: int) -> Callable[[], Answer]:
    document = {
        "query": "mutation($d: PersonCreateInput!) { createPerson(data: $d, upsert: true) { id } }",
        "variables": {"d": {"emails": {"primaryEmail": email}, "jobTitle": f"gql {i}"}},
    }
    return lambda: stack.call("POST", "/graphql", document)


KINDS = {"rest": [_rest_single], "batch": [_rest_batch], "graphql": [_graphql]}
KINDS["mixed"] = [_rest_single, _rest_batch, _graphql]


def _succeeded(answer: Answer) -> bool:
    status, body = answer
    if status not in (200, 201):
        return False
    return not (isinstance(body, dict) and body.get("errors"))


def _holders(stack: Stack, email: str) -> list[str]:
    status, body = stack.call("GET", "/rest/people?limit=200")
    assert status == 200, body
    people = body["data"]["people"]
    return [p["id"] for p in people if p["emails"]["primaryEmail"] == email]


@pytest.mark.parametrize("kind", KINDS)
def test_sixteen_concurrent_upserts_of_one_new_email_make_exactly_one_person(stack: Stack, kind):
    makers = KINDS[kind]
    for round_ in range(ROUNDS):
        email = f"{kind}-{round_}-{uuid.uuid4().hex[:8]}@example.com"
        calls = [makers[i % len(makers)](stack, email, i) for i in range(UPSERTERS)]
        answers = _at_once(calls)
        failures = [answer for answer in answers if not _succeeded(answer)]
        assert failures == [], f"round {round_}: {failures[:3]}"
        holders = _holders(stack, email)
        assert len(holders) == 1, f"round {round_}: {len(holders)} people hold {email}"


def _company_changes(round_: int) -> list[dict[str, Any]]:
    return [
        {"name": f"Renamed {round_}"},
        {"domainName": {"primaryLinkUrl": f"https://r{round_}-{uuid.uuid4().hex[:8]}.example.com"}},
        {"employees": 100 + round_},
        {"linkedinLink": {"primaryLinkUrl": f"https://linkedin.com/company/r{round_}"}},
        {"xLink": {"primaryLinkUrl": f"https://x.com/r{round_}"}},
        {
            "annualRecurringRevenue": {
                "amountMicros": 1_000_000 * (round_ + 1),
                "currencyCode": "EUR",
            }
        },
        {"address": {"addressCity": f"City {round_}"}},
        {"idealCustomerProfile": True},
    ]


def _landed(company: dict[str, Any], change: dict[str, Any]) -> bool:
    """Whether every value of `change` (sub-fields of composites included) is in `company`."""
    for name, value in change.items():
        if isinstance(value, dict):
            if any(company[name].get(sub) != sub_value for sub, sub_value in value.items()):
                return False
        elif company[name] != value:
            return False
    return True


def test_eight_concurrent_patches_of_different_fields_of_one_company_all_land(stack: Stack):
    for round_ in range(ROUNDS):
        status, body = stack.call("POST", "/rest/companies", {"name": f"Start {round_}"})
        assert status == 201, body
        path = f"/rest/companies/{body['data']['createCompany']['id']}"
        changes = _company_changes(round_)
        answers = _at_once([lambda c=c, p=path: stack.call("PATCH", p, c) for c in changes])
        assert [status for status, _ in answers] == [200] * len(changes), (round_, answers[:3])
        status, body = stack.call("GET", path)
        company = body["data"]["company"]
        lost = [change for change in changes if not _landed(company, change)]
        assert lost == [], f"round {round_}: lost {lost}"
