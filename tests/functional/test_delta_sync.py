"""Delta sync over REST and GraphQL: `GET /rest/changes/{plural}` and `<plural>Changes`."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib import wiring
from chalicelib.auth.api_keys import issue_key
from chalicelib.core.changes import SyncToken
from chalicelib.storage import keys
from chalicelib.storage.models import TOMBSTONE_SECONDS
from tests.functional.graphql_support import GraphQLClient
from tests.support import RestClient, Tenant, make_tenant


@pytest.fixture
def settled(monkeypatch):
    """Hand out every committed change at once (moto's index has no lag to wait for)."""
    monkeypatch.setattr(wiring.change_feed(), "settle_seconds", 0)


def sync(rest, since=None, limit=None, plural="companies"):
    query = [f"since={quote(since)}"] if since is not None else []
    query += [f"limit={limit}"] if limit is not None else []
    status, body = rest.get(f"/rest/changes/{plural}" + ("?" + "&".join(query) if query else ""))
    assert status == 200, body
    return body


def follow(rest, since=None, limit=None, plural="companies"):
    """Every change after `since` (all pages), and the token to continue from."""
    changes = []
    while True:
        body = sync(rest, since, limit, plural)
        changes += body["data"]["changes"]
        since = body["nextSyncToken"]
        if not body["hasMore"]:
            return changes, since


def create(rest, name, **values):
    status, body = rest.post("/rest/companies", {"name": name, **values})
    assert status == 201, body
    return body["data"]["createCompany"]


def current_token(rest):
    return follow(rest)[1]


def operations(changes):
    return [(change["operation"], change["id"]) for change in changes]


# -- each operation -------------------------------------------------------------------------------


def test_a_first_sync_without_a_token_lists_every_record_and_soft_deleted_ones_as_deleted(
    rest, settled
):
    kept, trashed = create(rest, "Kept"), create(rest, "Trashed")
    assert rest.delete(f"/rest/companies/{trashed['id']}?soft_delete=true")[0] == 200

    changes, _ = follow(rest)

    by_id = {change["id"]: change for change in changes}
    assert by_id[kept["id"]] == {"operation": "created", "id": kept["id"], "record": kept}
    assert by_id[trashed["id"]]["operation"] == "deleted"
    assert by_id[trashed["id"]]["record"]["deletedAt"] is not None


def test_a_record_created_after_the_token_comes_as_created_in_its_get_form(rest, settled):
    token = current_token(rest)
    record = create(rest, "Acme", employees=12)

    body = sync(rest, token)

    assert body["data"]["changes"] == [
        {"operation": "created", "id": record["id"], "record": record}
    ]
    assert body["hasMore"] is False
    assert rest.get(f"/rest/companies/{record['id']}")[1]["data"]["company"] == record


def test_an_update_soft_delete_restore_and_destroy_each_come_as_what_they_are(rest, settled):
    record = create(rest, "Acme")
    rid = record["id"]
    path = f"/rest/companies/{rid}"

    token = current_token(rest)
    rest.patch(path, {"employees": 5})
    (updated,), token = follow(rest, token)
    assert updated["operation"] == "updated" and updated["record"]["employees"] == 5

    rest.delete(path + "?soft_delete=true")
    (deleted,), token = follow(rest, token)
    assert deleted["operation"] == "deleted" and deleted["record"]["deletedAt"] is not None

    rest.patch(f"/rest/restore/companies/{rid}")
    (restored,), token = follow(rest, token)
    assert restored["operation"] == "restored" and restored["record"]["deletedAt"] is None

    rest.delete(path)
    (destroyed,), token = follow(rest, token)
    assert destroyed == {"operation": "destroyed", "id": rid, "record": None}

    assert follow(rest, token)[0] == []


def test_a_record_changed_several_times_comes_once_in_its_latest_state_oldest_change_first(
    rest, settled
):
    first, second = create(rest, "First"), create(rest, "Second")
    token = current_token(rest)
    rest.patch(f"/rest/companies/{first['id']}", {"employees": 1})
    rest.patch(f"/rest/companies/{second['id']}", {"employees": 2})
    rest.patch(f"/rest/companies/{first['id']}", {"employees": 3})

    changes, _ = follow(rest, token)

    assert operations(changes) == [("updated", second["id"]), ("updated", first["id"])]
    assert changes[1]["record"]["employees"] == 3


def test_a_record_created_and_changed_since_the_token_is_still_created(rest, settled):
    token = current_token(rest)
    record = create(rest, "New")
    rest.patch(f"/rest/companies/{record['id']}", {"employees": 7})

    (change,), _ = follow(rest, token)

    assert change["operation"] == "created" and change["record"]["employees"] == 7


def test_many_record_writes_batches_and_upserts_are_changes_too(rest, settled):
    a, b = create(rest, "A"), create(rest, "B")
    token = current_token(rest)
    status, _ = rest.patch("/rest/companies?filter=name[in]:[A,B]", {"employees": 9})
    assert status == 200
    status, body = rest.post("/rest/batch/companies", [{"name": "C"}, {"name": "D"}])
    assert status == 201
    created = {r["id"] for r in body["data"]["createCompanies"]}

    changes, _ = follow(rest, token)

    assert {(op, rid) for op, rid in operations(changes)} == {
        ("updated", a["id"]),
        ("updated", b["id"]),
    } | {("created", rid) for rid in created}


def test_pages_follow_each_other_without_gaps_or_repeats(rest, settled):
    token = current_token(rest)
    status, body = rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(7)])
    assert status == 201

    first = sync(rest, token, limit=3)
    assert len(first["data"]["changes"]) == 3 and first["hasMore"] is True
    rest_of_them, _ = follow(rest, first["nextSyncToken"], limit=3)

    seen = [c["id"] for c in first["data"]["changes"] + rest_of_them]
    assert sorted(seen) == sorted(r["id"] for r in body["data"]["createCompanies"])
    assert len(set(seen)) == 7


def test_a_first_sync_in_pages_then_continues_with_the_changes(rest, settled):
    rest.post("/rest/batch/companies", [{"name": f"c{i}"} for i in range(5)])
    first = sync(rest, limit=2)
    assert len(first["data"]["changes"]) == 2 and first["hasMore"] is True
    later = create(rest, "Later")

    changes, token = follow(rest, first["nextSyncToken"], limit=2)

    # The listing goes on in id order, then the changes since it started come (the new record
    # possibly twice: once listed, once as a change; never missed).
    assert {c["id"] for c in changes} >= {later["id"]}
    assert len({c["id"] for c in first["data"]["changes"] + changes}) == 6
    assert follow(rest, token)[0] == []


# -- the settle horizon ---------------------------------------------------------------------------


def test_a_change_younger_than_the_settle_time_waits_for_the_next_call(rest, monkeypatch):
    feed = wiring.change_feed()
    monkeypatch.setattr(feed, "settle_seconds", 0)
    token = current_token(rest)
    monkeypatch.setattr(feed, "settle_seconds", 60)
    record = create(rest, "Just now")

    held_back = sync(rest, token)
    assert held_back["data"]["changes"] == [] and held_back["hasMore"] is False

    monkeypatch.setattr(feed, "settle_seconds", 0)
    changes, _ = follow(rest, held_back["nextSyncToken"])
    assert operations(changes) == [("created", record["id"])]


# -- tokens and limits ----------------------------------------------------------------------------


def error_of(rest, path):
    status, body = rest.get(path)
    return status, body["code"], body["messages"][0]


def test_a_token_of_six_days_ago_is_still_good(rest, tenant):
    old = keys.change_stamp(time.time() - 6 * 24 * 3600)
    token = SyncToken(tenant.workspace_id, _object_id(rest, "companies"), old).encode()
    assert rest.get(f"/rest/changes/companies?since={token}")[0] == 200


def test_a_token_older_than_the_tombstones_is_gone_with_410(rest, tenant):
    object_id = _object_id(rest, "companies")
    old = keys.change_stamp(time.time() - TOMBSTONE_SECONDS)
    token = SyncToken(tenant.workspace_id, object_id, old).encode()

    status, code, message = error_of(rest, f"/rest/changes/companies?since={token}")

    assert (status, code) == (410, "SYNC_TOKEN_EXPIRED")
    assert "full sync" in message


def _object_id(rest, plural):
    status, body = rest.get("/rest/metadata/objects?limit=100")
    assert status == 200, body
    return next(o["id"] for o in body["data"]["objects"] if o["namePlural"] == plural)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "WzEsIng",  # valid base64, no checksum
        "%00",
        "A" * 3000,
    ],
)
def test_a_token_that_is_not_ours_is_a_400(rest, token):
    status, code, _ = error_of(rest, f"/rest/changes/companies?since={quote(token)}")
    assert (status, code) == (400, "INVALID_SYNC_TOKEN")


def test_an_altered_token_is_a_400(rest, settled):
    token = current_token(rest)
    altered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    status, code, _ = error_of(rest, f"/rest/changes/companies?since={altered}")
    assert (status, code) == (400, "INVALID_SYNC_TOKEN")


def test_a_token_of_another_object_or_workspace_is_a_400(rest, client, settled):
    people_token = follow(rest, plural="people")[1]
    status, code, message = error_of(rest, f"/rest/changes/companies?since={people_token}")
    assert (status, code) == (400, "INVALID_SYNC_TOKEN") and "companies" in message

    other = RestClient(client.http, make_tenant("Other"))
    foreign = current_token(other)
    status, code, _ = error_of(rest, f"/rest/changes/companies?since={foreign}")
    assert (status, code) == (400, "INVALID_SYNC_TOKEN")


@pytest.mark.parametrize("limit", ["abc", "-1", "0", "1.5"])
def test_a_bad_limit_is_a_400(rest, limit):
    status, code, _ = error_of(rest, f"/rest/changes/companies?limit={limit}")
    assert (status, code) == (400, "INVALID_QUERY_PARAM")


def test_an_unknown_object_is_a_400_like_every_record_route(rest):
    status, body = rest.get("/rest/changes/spaceships")
    assert (status, body["code"]) == (400, "OBJECT_METADATA_NOT_FOUND")
    assert (status, body) == rest.get("/rest/spaceships")


def test_a_read_key_may_sync(rest, client, settled):
    issued = issue_key(rest.tenant.workspace_id, "reader", scope="read")
    reader = RestClient(
        client.http, Tenant(rest.tenant.workspace_id, issued.token, issued.row.key_id)
    )
    record = create(rest, "Visible")
    changes, _ = follow(reader)
    assert ("created", record["id"]) in operations(changes)


# -- cost -----------------------------------------------------------------------------------------


def record_calls(meter):
    """The DynamoDB calls on record items or the changes index (not auth, not the model)."""
    seen = []

    def note(operation, params):
        if operation == "Query" and params.get("IndexName") == "changes":
            seen.append(("Query", params))
        elif operation == "BatchGetItem":
            requested = next(iter(params["RequestItems"].values()))["Keys"]
            if all("#REC#" in key["pk"]["S"] for key in requested):
                seen.append(("BatchGetItem", params))
        return None

    meter.interceptors.append(note)
    return seen


def test_a_delta_of_60_changes_costs_one_index_query_and_one_batch_read(rest, meter, settled):
    rest.post("/rest/batch/companies", [{"name": f"old{i}"} for i in range(100)])
    token = current_token(rest)
    rest.post("/rest/batch/companies", [{"name": f"new{i}"} for i in range(60)])
    calls = record_calls(meter)
    meter.reset()

    body = sync(rest, token, limit=60)

    assert len(body["data"]["changes"]) == 60 and body["hasMore"] is False
    assert [operation for operation, _ in calls] == ["Query", "BatchGetItem"]
    batch_keys = next(iter(calls[1][1]["RequestItems"].values()))["Keys"]
    assert len(batch_keys) == 60
    # The 100 records written before the token are never read.
    assert meter.items_by_operation["Query"] <= 61


def test_destroyed_records_are_reported_without_reading_them(rest, meter, settled):
    doomed = [create(rest, f"d{i}") for i in range(3)]
    token = current_token(rest)
    for record in doomed:
        assert rest.delete(f"/rest/companies/{record['id']}")[0] == 200
    calls = record_calls(meter)

    changes, _ = follow(rest, token)

    assert {c["operation"] for c in changes} == {"destroyed"}
    assert [operation for operation, _ in calls] == ["Query"]


# -- GraphQL --------------------------------------------------------------------------------------

CHANGES = """
query Changes($since: String, $first: Int) {
  companiesChanges(since: $since, first: $first) {
    changes { operation id record { id name employees } }
    nextSyncToken
    hasMore
  }
}
"""


def test_graphql_serves_the_same_changes_and_tokens_as_rest(rest, client, tenant, settled):
    graphql = GraphQLClient(client.http, tenant)
    token = current_token(rest)
    record = create(rest, "Graph", employees=3)
    rest.delete(f"/rest/companies/{create(rest, 'Gone')['id']}")

    page = graphql.data(CHANGES, {"since": token, "first": 10})["companiesChanges"]

    assert page["hasMore"] is False
    assert page["changes"][0] == {
        "operation": "created",
        "id": record["id"],
        "record": {"id": record["id"], "name": "Graph", "employees": 3},
    }
    assert page["changes"][1]["operation"] == "destroyed"
    assert page["changes"][1]["record"] is None
    assert sync(rest, page["nextSyncToken"])["data"]["changes"] == []


def test_graphql_refuses_a_foreign_token_with_the_sync_token_code(client, tenant, settled):
    graphql = GraphQLClient(client.http, tenant)
    error = graphql.error(CHANGES, {"since": "garbage"})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "subCode": "INVALID_SYNC_TOKEN"}


# -- the property: following tokens rebuilds exactly the live records -----------------------------

steps = st.lists(
    st.tuples(
        st.sampled_from(["create", "batch", "update", "update_many", "soft", "restore", "destroy"]),
        st.integers(0, 50),
        st.booleans(),  # sync after this step?
        st.integers(1, 4),  # page size of that sync
    ),
    min_size=1,
    max_size=14,
)


class Mirror:
    """What a client following the tokens holds: live records, and soft-deleted ones apart."""

    def __init__(self) -> None:
        self.live: dict[str, dict] = {}
        self.trash: dict[str, dict] = {}
        self.token: str | None = None

    def catch_up(self, rest, limit) -> None:
        changes, self.token = follow(rest, self.token, limit)
        for change in changes:
            rid, record = change["id"], change["record"]
            self.live.pop(rid, None)
            self.trash.pop(rid, None)
            if change["operation"] == "deleted":
                self.trash[rid] = record
            elif change["operation"] != "destroyed":
                self.live[rid] = record


def pick(records: list[dict], number: int) -> dict | None:
    return records[number % len(records)] if records else None


def apply_step(rest, action: str, number: int) -> None:
    _, listed = rest.get("/rest/companies?limit=200")
    live = listed["data"]["companies"]
    _, trashed = rest.get("/rest/companies?limit=200&filter=deletedAt[is]:NOT_NULL")
    trash = trashed["data"]["companies"]
    target = pick(live, number)
    if action == "create" or (target is None and action != "restore"):
        create(rest, f"n{number}", employees=number)
    elif action == "batch":
        rest.post("/rest/batch/companies", [{"name": f"b{number}-{i}"} for i in range(3)])
    elif action == "update":
        rest.patch(f"/rest/companies/{target['id']}", {"employees": number})
    elif action == "update_many":
        rest.patch("/rest/companies?filter=employees[lte]:25", {"name": f"m{number}"})
    elif action == "soft":
        rest.delete(f"/rest/companies/{target['id']}?soft_delete=true")
    elif action == "destroy":
        victim = pick(live + trash, number)
        rest.delete(f"/rest/companies/{victim['id']}")
    elif action == "restore" and trash:
        rest.patch(f"/rest/restore/companies/{pick(trash, number)['id']}")


def assert_mirrors(rest, mirror: Mirror) -> None:
    _, listed = rest.get("/rest/companies?limit=200")
    _, trashed = rest.get("/rest/companies?limit=200&filter=deletedAt[is]:NOT_NULL")
    assert mirror.live == {r["id"]: r for r in listed["data"]["companies"]}
    assert mirror.trash == {r["id"]: r for r in trashed["data"]["companies"]}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(plan=steps, first_limit=st.integers(1, 5))
def test_following_the_tokens_rebuilds_exactly_the_live_records(client, settled, plan, first_limit):
    rest = RestClient(client.http, make_tenant("Mirror"))
    mirror = Mirror()
    mirror.catch_up(rest, first_limit)
    assert_mirrors(rest, mirror)
    for action, number, sync_now, limit in plan:
        apply_step(rest, action, number)
        if sync_now:
            mirror.catch_up(rest, limit)
            assert_mirrors(rest, mirror)
    mirror.catch_up(rest, 60)
    assert_mirrors(rest, mirror)


# -- names the feature takes ----------------------------------------------------------------------


def new_object(singular, plural):
    return {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": f"{singular} label",
        "labelPlural": f"{plural} label",
    }


@pytest.mark.parametrize(
    ("singular", "plural", "clash"),
    [
        ("companiesChange", "companiesChanges", "companiesChanges"),  # companies' changes query
        ("companyChange", "companyChangeItems", "CompanyChange"),  # companies' change type
        ("change", "changes", "'changes'"),  # the REST segment /rest/changes
    ],
)
def test_an_object_whose_names_clash_with_the_changes_api_is_refused(rest, singular, plural, clash):
    status, body = rest.post("/rest/metadata/objects", new_object(singular, plural))
    assert (status, body["code"]) == (400, "METADATA_VALIDATION_FAILED"), body
    assert any(clash in message for message in body["messages"]), body["messages"]


def test_the_core_openapi_document_describes_the_changes_route(rest):
    status, document = rest.get("/rest/open-api/core")
    assert status == 200
    operation = document["paths"]["/changes/companies"]["get"]
    assert operation["operationId"] == "changesCompanies"
    assert {p.get("name") for p in operation["parameters"]} >= {"since"}
    assert {"200", "400", "410"} <= set(operation["responses"])


# -- model changes --------------------------------------------------------------------------------


def test_a_renamed_field_comes_as_an_update_of_each_record_in_its_new_shape(rest, settled):
    status, body = rest.post(
        "/rest/metadata/fields",
        {
            "objectMetadataId": _object_id(rest, "companies"),
            "type": "TEXT",
            "name": "tier",
            "label": "Tier",
        },
    )
    assert status == 201, body
    field_id = next(iter(body["data"].values()))["id"]
    record = create(rest, "Tiered", tier="gold")
    token = current_token(rest)

    status, _ = rest.patch(f"/rest/metadata/fields/{field_id}", {"name": "level"})
    assert status == 200

    (change,), _ = follow(rest, token)
    assert change["operation"] == "updated" and change["id"] == record["id"]
    assert change["record"]["level"] == "gold" and "tier" not in change["record"]
