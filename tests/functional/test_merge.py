"""Merging records through REST (`PATCH /rest/{plural}/merge`) and GraphQL (`merge<Plural>`)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from chalicelib.context import Principal, RequestContext, utc_now_iso
from chalicelib.core.many_commands import MergeRecords
from chalicelib.core.records import RecordService
from chalicelib.errors import TooManyRecordsError
from chalicelib.metadata.registry import load_model
from chalicelib.storage.records import DynamoRecordStore
from tests.functional.graphql_support import GraphQLClient
from tests.support import RestClient, make_tenant

_WRITES = ("TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")


def _create(rest: RestClient, plural: str, records: list[dict[str, Any]]) -> list[str]:
    status, body = rest.post(f"/rest/batch/{plural}", records)
    assert status == 201, body
    return [record["id"] for record in next(iter(body["data"].values()))]


def _merge(rest: RestClient, plural: str, ids: list[str], index: int, **extra: Any):
    return rest.patch(
        f"/rest/{plural}/merge", {"ids": ids, "conflictPriorityIndex": index, **extra}
    )


def _company(rest: RestClient, company_id: str) -> tuple[int, dict[str, Any]]:
    status, body = rest.get(f"/rest/companies/{company_id}")
    return status, body.get("data", {}).get("company")


def _company_ids_of(rest: RestClient, plural: str) -> list[str]:
    _, body = rest.get(f"/rest/{plural}?limit=200")
    return [record["companyId"] for record in body["data"][plural]]


def _rockets_made_by_companies(rest: RestClient) -> None:
    _, body = rest.get("/rest/metadata/objects")
    company = next(o["id"] for o in body["data"]["objects"] if o["nameSingular"] == "company")
    status, body = rest.post("/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    })  # fmt: skip
    assert status == 201, body
    status, body = rest.post("/rest/metadata/fields", {
        "objectMetadataId": body["data"]["createOneObject"]["id"], "type": "RELATION",
        "name": "maker", "label": "Maker",
        "relationCreationPayload": {"type": "MANY_TO_ONE", "targetObjectMetadataId": company,
                                    "targetFieldLabel": "Rockets"},
    })  # fmt: skip
    assert status == 201, body


def _three_companies(rest: RestClient) -> list[str]:
    return _create(rest, "companies", [
        {"name": "", "employees": 10, "domainName": {"primaryLinkUrl": "https://one.io"}},
        {"name": "Two", "employees": None, "address": {"addressCity": "Paris"}},
        {"name": "Three", "employees": 30, "domainName": {"primaryLinkUrl": "https://three.io"},
         "address": {"addressCity": "Rome"}},
    ])  # fmt: skip


def test_the_record_at_the_priority_index_survives_and_wins_conflicting_values(rest):
    ids = _three_companies(rest)
    status, body = _merge(rest, "companies", ids, 1)
    assert status == 200, body
    merged = body["data"]["mergeCompanies"]
    assert merged["id"] == ids[1]
    assert merged["name"] == "Two"  # its own value wins over "Three"
    assert merged["address"]["addressCity"] == "Paris"
    # Its empty values are filled from the others, in the order of ids.
    assert merged["employees"] == 10
    assert merged["domainName"]["primaryLinkUrl"] == "https://one.io"
    assert merged["domainName"]["secondaryLinks"] == [{"url": "https://three.io", "label": ""}]
    assert _company(rest, ids[1])[1] == merged


def test_the_other_records_are_soft_deleted(rest):
    ids = _three_companies(rest)
    assert _merge(rest, "companies", ids, 1)[0] == 200
    assert [_company(rest, i)[0] for i in ids] == [404, 200, 404]
    _, body = rest.get("/rest/companies")
    assert [c["id"] for c in body["data"]["companies"]] == [ids[1]]
    assert body["totalCount"] == 1
    _, body = rest.get("/rest/companies?filter=deletedAt[is]:NOT_NULL")
    assert sorted(c["id"] for c in body["data"]["companies"]) == sorted([ids[0], ids[2]])


def test_records_pointing_at_merged_records_move_to_the_survivor(rest):
    _rockets_made_by_companies(rest)
    ids = _three_companies(rest)
    _create(rest, "people", [{"companyId": ids[0]}, {"companyId": ids[2]}, {"city": "none"}])
    _create(rest, "opportunities", [{"name": "deal", "companyId": ids[2]}])
    _create(rest, "rockets", [{"name": "r1", "makerId": ids[0]}, {"name": "r2", "makerId": ids[1]}])
    assert _merge(rest, "companies", ids, 1)[0] == 200
    assert sorted(_company_ids_of(rest, "people"), key=str) == sorted(
        [ids[1], ids[1], None], key=str
    )
    assert _company_ids_of(rest, "opportunities") == [ids[1]]
    _, body = rest.get("/rest/rockets")
    assert [r["makerId"] for r in body["data"]["rockets"]] == [ids[1], ids[1]]
    _, body = rest.get(f"/rest/companies/{ids[1]}?depth=1")
    assert len(body["data"]["company"]["people"]) == 2


def test_unique_values_of_the_others_are_free_again_and_the_survivors_are_held(rest):
    ids = _three_companies(rest)
    assert _merge(rest, "companies", ids, 1)[0] == 200
    # one.io passed to the survivor with the merge (it had none): still taken, by the survivor.
    status, body = rest.post(
        "/rest/companies", {"domainName": {"primaryLinkUrl": "https://one.io"}}
    )
    assert status == 409, body
    # three.io is only a secondary link now: free for another company.
    status, body = rest.post(
        "/rest/companies", {"domainName": {"primaryLinkUrl": "https://three.io"}}
    )
    assert status == 201, body
    # The survivor holds one.io's guard: changing its domain releases it.
    status, _ = rest.patch(
        f"/rest/companies/{ids[1]}", {"domainName": {"primaryLinkUrl": "https://x.io"}}
    )
    assert status == 200
    status, body = rest.post(
        "/rest/companies", {"domainName": {"primaryLinkUrl": "https://one.io"}}
    )
    assert status == 201, body


def test_restoring_a_merged_record_whose_unique_value_went_to_the_survivor_is_a_conflict(rest):
    ids = _three_companies(rest)
    assert _merge(rest, "companies", ids, 1)[0] == 200
    status, body = rest.patch(f"/rest/restore/companies/{ids[0]}")
    assert status == 409, body


def test_a_dry_run_answers_the_would_be_survivor_and_writes_nothing(rest, meter, limiter_off):
    ids = _three_companies(rest)
    people = _create(rest, "people", [{"companyId": ids[0]}])
    before = [_company(rest, i)[1] for i in ids]
    meter.reset()
    status, body = _merge(rest, "companies", ids, 1, dryRun=True)
    assert status == 200, body
    assert not any(meter.operations[name] for name in _WRITES), meter.operations
    preview = body["data"]["mergeCompanies"]
    # As Twenty answers it: a new id and a deletedAt, so no client cache takes it for the
    # survivor itself; the values are the merge's.
    assert preview["id"] not in ids and preview["deletedAt"] is not None
    assert (preview["name"], preview["employees"]) == ("Two", 10)
    assert [_company(rest, i)[1] for i in ids] == before
    _, body = rest.get(f"/rest/people/{people[0]}")
    assert body["data"]["person"]["companyId"] == ids[0]


def test_a_merge_of_two_records_is_one_transaction_after_a_few_reads(rest, meter, limiter_off):
    ids = _create(rest, "companies", [{"name": "a"}, {"name": "b"}])
    _create(rest, "people", [{"companyId": ids[1]}, {"companyId": ids[1]}])
    meter.reset()
    assert _merge(rest, "companies", ids, 0)[0] == 200
    assert meter.operations["TransactWriteItems"] == 1
    # Admission (1 BatchGetItem), the records (1 BatchGetItem), one join-column index Query per
    # relation pointing at companies (people, opportunities, note and task targets) and the
    # people found (1).
    assert meter.operations["BatchGetItem"] == 3
    assert meter.requests <= 8, meter.operations


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"ids": [str(uuid.uuid4()) for _ in range(10)], "conflictPriorityIndex": 0}, 400, "Maximum 9"),
        ({"ids": [str(uuid.uuid4())], "conflictPriorityIndex": 0}, 400, "At least 2"),
        ({"ids": ["x", "y"], "conflictPriorityIndex": 0}, 400, "not UUIDs"),
        ({"ids": "x", "conflictPriorityIndex": 0}, 400, "array"),
        ({"ids": [str(uuid.uuid4()), str(uuid.uuid4())]}, 400, "conflictPriorityIndex"),
        ({"ids": [str(uuid.uuid4()), str(uuid.uuid4())], "conflictPriorityIndex": 5}, 400, "0-1"),
        ({"ids": [str(uuid.uuid4()), str(uuid.uuid4())], "conflictPriorityIndex": 0,
          "dryRun": "yes"}, 400, "dryRun"),
        ([], 400, "JSON object"),
    ],
)  # fmt: skip
def test_bad_merge_bodies_are_a_400_and_change_nothing(rest, body, status, text):
    got, answer = rest.patch("/rest/companies/merge", body)
    assert got == status and text in answer["messages"][0], answer
    assert answer["statusCode"] == status and answer["error"] == "BadRequestException"


def test_repeated_ids_are_refused(rest):
    ids = _create(rest, "companies", [{"name": "a"}, {"name": "b"}])
    status, body = _merge(rest, "companies", [ids[0], ids[1], ids[0]], 0)
    assert status == 400 and "repeated" in body["messages"][0], body


def test_an_unknown_or_soft_deleted_id_is_a_404_and_nothing_changes(rest):
    ids = _create(rest, "companies", [{"name": "a"}, {"name": "b"}, {"name": "c"}])
    assert rest.delete(f"/rest/companies/{ids[2]}?soft_delete=true")[0] == 200
    for other in (ids[2], str(uuid.uuid4())):
        status, body = _merge(rest, "companies", [ids[0], ids[1], other], 0)
        assert status == 404 and body["error"] == "NotFoundException", body
        assert other in body["messages"][0]
    assert [_company(rest, i)[0] for i in ids[:2]] == [200, 200]


def test_ids_of_another_workspace_are_a_404_and_its_records_are_untouched(client, rest):
    other = RestClient(client.http, make_tenant("Other"))
    theirs = _create(other, "companies", [{"name": "x"}, {"name": "y"}])
    _create(other, "people", [{"companyId": theirs[1]}])
    mine = _create(rest, "companies", [{"name": "mine"}])
    status, body = _merge(rest, "companies", [mine[0], theirs[1]], 0)
    assert status == 404, body
    status, body = _merge(rest, "companies", theirs, 0)
    assert status == 404, body
    assert [_company(other, i)[0] for i in theirs] == [200, 200]
    assert _company_ids_of(other, "people") == [theirs[1]]
    assert _company(rest, mine[0])[0] == 200


def test_a_merge_in_one_workspace_leaves_another_workspaces_records_alone(client, rest):
    other = RestClient(client.http, make_tenant("Other"))
    theirs = _create(
        other, "companies", [{"name": "x", "domainName": {"primaryLinkUrl": "https://s.io"}}]
    )
    _create(other, "people", [{"companyId": theirs[0]}])
    mine = _create(
        rest,
        "companies",
        [{"name": "a"}, {"name": "b", "domainName": {"primaryLinkUrl": "https://s.io"}}],
    )
    assert _merge(rest, "companies", mine, 0)[0] == 200
    assert _company(other, theirs[0])[1]["domainName"]["primaryLinkUrl"] == "https://s.io"
    assert _company_ids_of(other, "people") == [theirs[0]]
    status, _ = other.post("/rest/companies", {"domainName": {"primaryLinkUrl": "https://s.io"}})
    assert status == 409  # their guard is still theirs


def test_depth_1_embeds_the_survivors_relations(rest):
    ids = _create(rest, "companies", [{"name": "a"}, {"name": "b"}])
    _create(rest, "people", [{"companyId": ids[1], "city": "Oslo"}])
    status, body = rest.patch(
        "/rest/companies/merge?depth=1", {"ids": ids, "conflictPriorityIndex": 0}
    )
    assert status == 200, body
    assert [p["city"] for p in body["data"]["mergeCompanies"]["people"]] == ["Oslo"]


def test_a_record_path_still_updates_a_record_beside_the_merge_route(rest):
    [company] = _create(rest, "companies", [{"name": "a"}])
    status, body = rest.patch(f"/rest/companies/{company}", {"name": "b"})
    assert status == 200 and body["data"]["updateCompany"]["name"] == "b"


# -- GraphQL, and the same answers as REST -----------------------------------------------------

_SELECTION = (
    "id name employees deletedAt address { addressCity } "
    "domainName { primaryLinkUrl primaryLinkLabel secondaryLinks }"
)
_MUTATION = (
    "mutation($ids: [UUID!]!, $i: Int!, $dry: Boolean) { "
    f"mergeCompanies(ids: $ids, conflictPriorityIndex: $i, dryRun: $dry) {{ {_SELECTION} }} }}"
)


def _comparable(record: dict[str, Any], ids: list[str], tag: str) -> dict[str, Any]:
    """The record without what differs between two merges of equal data (ids, domain tags)."""
    kept = {k: record[k] for k in ("name", "employees", "domainName")}
    kept["city"] = record["address"]["addressCity"]
    kept["survivor"] = ids.index(record["id"]) if record["id"] in ids else None
    kept["deleted"] = record["deletedAt"] is not None
    return json.loads(json.dumps(kept).replace(tag, "TAG"))


def _equal_companies(rest: RestClient, tag: str) -> list[str]:
    return _create(rest, "companies", [
        {"name": "", "employees": 10, "domainName": {"primaryLinkUrl": f"https://{tag}-1.io"}},
        {"name": "Two", "domainName": {"primaryLinkUrl": f"https://{tag}-2.io", "primaryLinkLabel": "L"}},
        {"name": "Three", "address": {"addressCity": "Rome"}},
    ])  # fmt: skip


@pytest.mark.parametrize("dry_run", [False, True])
def test_graphql_and_rest_merges_give_the_same_record(client, tenant, rest, dry_run):
    gql = GraphQLClient(client.http, tenant)
    rest_ids, gql_ids = _equal_companies(rest, "rest"), _equal_companies(rest, "gql")
    status, body = _merge(rest, "companies", rest_ids, 2, dryRun=dry_run)
    assert status == 200, body
    by_rest = body["data"]["mergeCompanies"]
    by_gql = gql.data(_MUTATION, {"ids": gql_ids, "i": 2, "dry": dry_run})["mergeCompanies"]
    assert _comparable(by_gql, gql_ids, "gql") == _comparable(by_rest, rest_ids, "rest")
    live = [_company(rest, i)[0] for i in gql_ids]
    assert live == ([200, 200, 200] if dry_run else [404, 404, 200])


def test_graphql_moves_related_records_and_resolves_them_on_the_survivor(client, tenant, rest):
    gql = GraphQLClient(client.http, tenant)
    ids = _create(rest, "companies", [{"name": "a"}, {"name": "b"}])
    _create(rest, "people", [{"companyId": ids[0]}, {"companyId": ids[1]}])
    data = gql.data(
        "mutation($ids: [UUID!]!) { mergeCompanies(ids: $ids, conflictPriorityIndex: 1) "
        "{ id people { totalCount } } }",
        {"ids": ids},
    )
    assert data["mergeCompanies"] == {"id": ids[1], "people": {"totalCount": 2}}


@pytest.mark.parametrize(
    ("ids", "index", "code"),
    [
        ([str(uuid.uuid4()) for _ in range(10)], 0, "BAD_USER_INPUT"),
        ([str(uuid.uuid4()), str(uuid.uuid4())], 3, "BAD_USER_INPUT"),
        ([str(uuid.uuid4()), str(uuid.uuid4())], 0, "NOT_FOUND"),
    ],
)
def test_graphql_refuses_bad_merges_with_twentys_codes(client, tenant, aws, ids, index, code):
    gql = GraphQLClient(client.http, tenant)
    error = gql.error(_MUTATION, {"ids": ids, "i": index})
    assert error["extensions"]["code"] == code, error


# -- merges too large for one transaction -----------------------------------------------------


def _big_merge(rest: RestClient, people: int) -> tuple[list[str], list[str]]:
    """Two companies, the second with `people` people: a plan of more than 100 actions."""
    companies = _create(rest, "companies", [
        {"name": "keep"}, {"name": "gone", "domainName": {"primaryLinkUrl": "https://gone.io"}},
    ])  # fmt: skip
    moved: list[str] = []
    for start in range(0, people, 60):
        batch = [{"companyId": companies[1]} for _ in range(min(60, people - start))]
        moved += _create(rest, "people", batch)
    return companies, moved


def _consistent(rest: RestClient, companies: list[str], merged: bool) -> None:
    """Every person points at a live company; counters and guards agree with the records."""
    _, body = rest.get("/rest/companies")
    live = {c["id"] for c in body["data"]["companies"]}
    assert body["totalCount"] == len(live) == (1 if merged else 2)
    people_companies = set(_company_ids_of(rest, "people"))
    assert people_companies <= live
    if merged:
        assert people_companies == {companies[0]}
    status, _ = rest.post("/rest/companies", {"domainName": {"primaryLinkUrl": "https://gone.io"}})
    assert status == 409  # held by the loser before the merge, by the survivor after it


def test_a_merge_too_large_for_one_transaction_lands_whole(rest, meter):
    companies, _ = _big_merge(rest, 130)
    meter.reset()
    status, body = _merge(rest, "companies", companies, 0)
    assert status == 200, body
    assert meter.operations["TransactWriteItems"] == 2
    _consistent(rest, companies, merged=True)


def test_a_large_merge_refused_midway_is_undone_then_retried_on_fresh_reads(rest, meter):
    companies, _ = _big_merge(rest, 130)
    calls = {"n": 0}

    def conflict_on_the_second(name, params):
        if name != "TransactWriteItems":
            return None
        calls["n"] += 1
        if calls["n"] != 2:
            return None
        from botocore.awsrequest import AWSResponse

        reasons = [{"Code": "ConditionalCheckFailed"}] + [{"Code": "None"}] * (
            len(params["TransactItems"]) - 1
        )
        parsed = {
            "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
            "CancellationReasons": reasons,
        }
        return AWSResponse("https://dynamodb.local", 400, {}, None), parsed

    meter.interceptors.append(conflict_on_the_second)
    status, body = _merge(rest, "companies", companies, 0)
    assert status == 200, body
    # first (committed), second (refused), the undo of the first, then the retry's two.
    assert calls["n"] == 5
    _consistent(rest, companies, merged=True)


class _Crash(BaseException):
    """The Lambda stopping mid-request: nothing after it runs, not even the undo."""


def test_a_large_merge_that_stops_midway_leaves_consistent_data_and_finishes_when_resent(
    rest, meter
):
    companies, _ = _big_merge(rest, 130)
    calls = {"n": 0}

    def crash_on_the_second(name, params):
        if name == "TransactWriteItems":
            calls["n"] += 1
            if calls["n"] == 2:
                raise _Crash()
        return None

    meter.interceptors.append(crash_on_the_second)
    with pytest.raises(_Crash):
        _merge(rest, "companies", companies, 0)
    meter.interceptors.clear()
    people = _company_ids_of(rest, "people")
    assert 0 < people.count(companies[0]) < len(people)  # some moved, some not yet
    _consistent(rest, companies, merged=False)
    status, body = _merge(rest, "companies", companies, 0)
    assert status == 200, body
    _consistent(rest, companies, merged=True)


def test_a_merge_that_would_move_too_many_records_is_refused_before_any_write(rest, meter):
    companies, _ = _big_merge(rest, 5)
    service = RecordService(DynamoRecordStore(), batch_max=60, merge_max_moved=4)
    model = load_model(rest.tenant.workspace_id)
    command = MergeRecords(model.by_plural["companies"], tuple(companies), 0, model)
    ctx = RequestContext(
        Principal(rest.tenant.workspace_id, rest.tenant.key_id, "k"), utc_now_iso()
    )
    meter.reset()
    with pytest.raises(TooManyRecordsError, match="would move 5 related records"):
        service.merge(ctx, command)
    assert not any(meter.operations[name] for name in _WRITES)
    _consistent(rest, companies, merged=False)
