"""Two workspaces: no route reaches the other workspace's records."""

from __future__ import annotations

import pytest

from tests.support import RestClient, make_tenant


@pytest.fixture
def other(client, aws):
    return RestClient(client.http, make_tenant("Other"))


def test_every_route_answers_404_for_another_workspaces_record(rest, other):
    _, body = rest.post(
        "/rest/companies", {"name": "Mine", "domainName": {"primaryLinkUrl": "a.io"}}
    )
    mine = body["data"]["createCompany"]
    path = f"/rest/companies/{mine['id']}"
    assert other.get(path)[0] == 404
    assert other.patch(path, {"name": "Stolen"})[0] == 404
    assert other.put(path, {"name": "Stolen"})[0] == 404
    assert other.delete(path + "?soft_delete=true")[0] == 404
    assert other.delete(path)[0] == 404
    assert other.call("PATCH", f"/rest/restore/companies/{mine['id']}")[0] == 404
    assert other.get("/rest/companies")[1]["data"]["companies"] == []
    assert rest.get(path)[1]["data"]["company"] == mine


def test_relations_and_unique_values_are_per_workspace(rest, other):
    _, body = rest.post(
        "/rest/companies", {"name": "Mine", "domainName": {"primaryLinkUrl": "a.io"}}
    )
    mine = body["data"]["createCompany"]
    status, _ = other.post("/rest/people", {"companyId": mine["id"]})
    assert status == 400
    # The same unique value is free in another workspace.
    status, _ = other.post("/rest/companies", {"domainName": {"primaryLinkUrl": "a.io"}})
    assert status == 201


def test_upsert_with_another_workspaces_id_never_touches_it(rest, other):
    _, body = rest.post("/rest/companies", {"name": "Mine"})
    mine = body["data"]["createCompany"]
    status, body = other.post("/rest/companies?upsert=true", {"id": mine["id"], "name": "Theirs"})
    assert status == 201
    assert rest.get(f"/rest/companies/{mine['id']}")[1]["data"]["company"]["name"] == "Mine"
    assert other.get("/rest/companies")[1]["totalCount"] == 1


def test_missing_unknown_revoked_and_expired_keys_are_401(client, rest):
    from chalicelib.auth.api_keys import issue_key, revoke_key

    def status_with(headers):
        return client.http.get("/rest/companies", headers=headers)

    response = status_with({})
    assert response.status_code == 401
    assert response.json_body["error"] == "UnauthorizedException"
    assert status_with({"Authorization": "Bearer nope"}).status_code == 401
    assert status_with({"Authorization": "Basic abc"}).status_code == 401
    workspace_id = rest.tenant.workspace_id
    revoked = issue_key(workspace_id, "to revoke")
    assert status_with({"Authorization": f"Bearer {revoked.token}"}).status_code == 200
    revoke_key(revoked.row.key_id)
    assert status_with({"Authorization": f"Bearer {revoked.token}"}).status_code == 401
    expired = issue_key(workspace_id, "old", expires_at="2001-01-01T00:00:00.000Z")
    response = status_with({"Authorization": f"Bearer {expired.token}"})
    assert response.status_code == 401
    assert "expired" in response.json_body["messages"][0]
