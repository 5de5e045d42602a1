"""REST Core routes through the Chalice test client against moto."""

from __future__ import annotations

import pytest

STANDARD_PLURALS = [
    ("companies", "company"),
    ("people", "person"),
    ("opportunities", "opportunity"),
    ("notes", "note"),
    ("tasks", "task"),
    ("noteTargets", "noteTarget"),
    ("taskTargets", "taskTarget"),
    ("workspaceMembers", "workspaceMember"),
]
SYSTEM_FIELDS = {"id", "createdAt", "updatedAt", "deletedAt", "position", "createdBy", "updatedBy"}


def assert_twenty_error(status, body, expected_status, *fragments):
    assert status == expected_status, body
    assert body["statusCode"] == expected_status
    assert isinstance(body["error"], str) and body["error"].endswith("Exception")
    assert isinstance(body["messages"], list) and len(body["messages"]) >= 1
    assert isinstance(body["code"], str)
    text = " ".join(body["messages"])
    for fragment in fragments:
        assert fragment in text, text


def create(rest, plural, body):
    status, response = rest.post(f"/rest/{plural}", body)
    assert status == 201, response
    return next(iter(response["data"].values()))


@pytest.mark.parametrize(("plural", "singular"), STANDARD_PLURALS)
def test_every_standard_object_can_be_created_read_and_listed(rest, plural, singular):
    created = create(rest, plural, {})
    assert set(created) >= SYSTEM_FIELDS
    status, got = rest.get(f"/rest/{plural}/{created['id']}")
    assert status == 200
    assert got == {"data": {singular: created}}
    status, listed = rest.get(f"/rest/{plural}")
    assert status == 200
    assert listed["data"][plural] == [created]
    assert listed["totalCount"] == 1


def test_create_returns_every_field_with_composites_whole_and_nulls(rest):
    company = create(rest, "companies", {"name": "Acme", "employees": 10})
    assert company["name"] == "Acme"
    assert company["employees"] == 10 and isinstance(company["employees"], int)
    assert company["accountOwnerId"] is None
    assert company["deletedAt"] is None
    assert set(company["domainName"]) == {"primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"}
    assert set(company["annualRecurringRevenue"]) == {"amountMicros", "currencyCode"}
    assert company["idealCustomerProfile"] is False
    assert company["createdAt"] == company["updatedAt"]
    assert company["createdAt"].endswith("Z")


def test_create_sets_created_by_and_updated_by_to_the_api_key_actor(rest):
    company = create(rest, "companies", {"name": "Acme"})
    actor = {"source": "API", "name": "Acme key", "workspaceMemberId": None, "context": {}}
    assert company["createdBy"] == actor
    assert company["updatedBy"] == actor


def test_currency_amount_micros_is_a_json_number(rest):
    company = create(
        rest,
        "companies",
        {"annualRecurringRevenue": {"amountMicros": 1500000000, "currencyCode": "EUR"}},
    )
    assert company["annualRecurringRevenue"] == {"amountMicros": 1500000000, "currencyCode": "EUR"}


def test_client_may_choose_the_record_id(rest):
    chosen = "8c1a4f7e-0b7e-4d5f-9a35-6b7c2d1e0f99"
    assert create(rest, "companies", {"id": chosen, "name": "Chosen"})["id"] == chosen
    status, body = rest.post("/rest/companies", {"id": chosen})
    assert_twenty_error(status, body, 409, chosen)


def test_update_changes_fields_merges_composites_and_bumps_updated_at(rest):
    person = create(
        rest, "people", {"name": {"firstName": "Ada", "lastName": "Byron"}, "jobTitle": "Analyst"}
    )
    status, body = rest.patch(f"/rest/people/{person['id']}", {"name": {"lastName": "Lovelace"}})
    assert status == 200, body
    updated = body["data"]["updatePerson"]
    assert updated["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert updated["jobTitle"] == "Analyst"
    assert updated["updatedAt"] >= person["updatedAt"]
    assert updated["createdAt"] == person["createdAt"]
    status, got = rest.get(f"/rest/people/{person['id']}")
    assert got["data"]["person"] == updated


def test_put_is_an_alias_of_patch(rest):
    company = create(rest, "companies", {"name": "Old"})
    status, body = rest.put(f"/rest/companies/{company['id']}", {"name": "New"})
    assert status == 200
    assert body["data"]["updateCompany"]["name"] == "New"


def test_delete_destroys_the_record_for_good(rest):
    company = create(rest, "companies", {"name": "Gone"})
    status, body = rest.delete(f"/rest/companies/{company['id']}")
    assert status == 200
    assert body == {"data": {"deleteCompany": {"id": company["id"]}}}
    status, body = rest.get(f"/rest/companies/{company['id']}")
    assert_twenty_error(status, body, 404, "Record not found")
    status, body = rest.call("PATCH", f"/rest/restore/companies/{company['id']}")
    assert_twenty_error(status, body, 404)


def test_soft_delete_hides_the_record_until_it_is_restored(rest):
    kept = create(rest, "companies", {"name": "Kept"})
    hidden = create(rest, "companies", {"name": "Hidden"})
    status, body = rest.delete(f"/rest/companies/{hidden['id']}?soft_delete=true")
    assert status == 200
    assert body["data"]["deleteCompany"]["id"] == hidden["id"]
    assert rest.get(f"/rest/companies/{hidden['id']}")[0] == 404
    status, listed = rest.get("/rest/companies")
    assert [c["id"] for c in listed["data"]["companies"]] == [kept["id"]]
    assert listed["totalCount"] == 1
    status, body = rest.call("PATCH", f"/rest/restore/companies/{hidden['id']}")
    assert status == 200, body
    restored = body["data"]["restoreCompany"]
    assert restored["id"] == hidden["id"] and restored["deletedAt"] is None
    assert rest.get("/rest/companies")[1]["totalCount"] == 2


def test_soft_deleting_twice_is_not_found(rest):
    company = create(rest, "companies", {"name": "Twice"})
    assert rest.delete(f"/rest/companies/{company['id']}?soft_delete=true")[0] == 200
    status, body = rest.delete(f"/rest/companies/{company['id']}?soft_delete=true")
    assert_twenty_error(status, body, 404)


def test_list_pages_forward_and_backward_by_id(rest):
    status, body = rest.post("/rest/batch/companies", [{"name": f"C{i}"} for i in range(7)])
    assert status == 201
    ids = sorted(c["id"] for c in body["data"]["createCompanies"])
    status, first = rest.get("/rest/companies?limit=3")
    assert [c["id"] for c in first["data"]["companies"]] == ids[:3]
    assert first["totalCount"] == 7
    info = first["pageInfo"]
    assert (info["hasNextPage"], info["hasPreviousPage"]) == (True, False)
    assert (info["startCursor"], info["endCursor"]) == (ids[0], ids[2])
    _, second = rest.get(f"/rest/companies?limit=3&starting_after={info['endCursor']}")
    assert [c["id"] for c in second["data"]["companies"]] == ids[3:6]
    # A record id works as a cursor too (what a client that builds its own cursors sends).
    _, second = rest.get(f"/rest/companies?limit=3&starting_after={ids[2]}")
    assert [c["id"] for c in second["data"]["companies"]] == ids[3:6]
    _, last = rest.get(f"/rest/companies?limit=3&starting_after={ids[5]}")
    assert [c["id"] for c in last["data"]["companies"]] == ids[6:]
    assert last["pageInfo"]["hasNextPage"] is False
    _, back = rest.get(f"/rest/companies?limit=3&ending_before={ids[3]}")
    assert [c["id"] for c in back["data"]["companies"]] == ids[:3]
    assert back["pageInfo"]["hasPreviousPage"] is False
    assert back["pageInfo"]["hasNextPage"] is True


def test_list_page_stays_full_when_soft_deleted_records_are_interleaved(rest):
    _, body = rest.post("/rest/batch/companies", [{"name": f"C{i}"} for i in range(10)])
    ids = sorted(c["id"] for c in body["data"]["createCompanies"])
    for record_id in ids[1:8:2]:
        rest.delete(f"/rest/companies/{record_id}?soft_delete=true")
    _, page = rest.get("/rest/companies?limit=5")
    live = [i for i in ids if i not in ids[1:8:2]]
    assert [c["id"] for c in page["data"]["companies"]] == live[:5]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["totalCount"] == 6


def test_limit_is_clamped_to_the_maximum_and_checked(rest):
    create(rest, "companies", {"name": "One"})
    assert rest.get("/rest/companies?limit=5000")[0] == 200
    status, body = rest.get("/rest/companies?limit=abc")
    assert_twenty_error(status, body, 400, "limit 'abc' is invalid")
    status, body = rest.get("/rest/companies?limit=-1")
    assert_twenty_error(status, body, 400)


def test_cursors_must_be_uuids_and_not_both_directions(rest):
    status, body = rest.get("/rest/companies?starting_after=not-a-uuid")
    assert_twenty_error(status, body, 400, "starting_after")
    cursor = "8c1a4f7e-0b7e-4d5f-9a35-6b7c2d1e0f99"
    status, body = rest.get(f"/rest/companies?starting_after={cursor}&ending_before={cursor}")
    assert_twenty_error(status, body, 400)


def test_batch_create_returns_every_record_in_order(rest):
    status, body = rest.post("/rest/batch/people", [{"jobTitle": f"J{i}"} for i in range(3)])
    assert status == 201
    people = body["data"]["createPeople"]
    assert [p["jobTitle"] for p in people] == ["J0", "J1", "J2"]


def test_batch_of_61_records_is_refused_and_writes_nothing(rest):
    status, body = rest.post("/rest/batch/companies", [{"name": str(i)} for i in range(61)])
    assert_twenty_error(status, body, 400, "60")
    assert rest.get("/rest/companies")[1]["totalCount"] == 0


def test_batch_with_one_bad_record_writes_nothing_and_names_it(rest):
    records = [{"name": "ok"}, {"name": "ok too"}, {"employees": "many"}]
    status, body = rest.post("/rest/batch/companies", records)
    assert_twenty_error(status, body, 400, "Record 2", "employees")
    assert rest.get("/rest/companies")[1]["data"]["companies"] == []


def test_batch_body_must_be_a_non_empty_array(rest):
    status, body = rest.post("/rest/batch/companies", {"name": "x"})
    assert_twenty_error(status, body, 400, "Body must be an array")
    status, body = rest.post("/rest/batch/companies", [])
    assert_twenty_error(status, body, 400, "must not be empty")


def test_duplicate_unique_value_is_a_conflict_naming_the_field(rest):
    create(rest, "people", {"emails": {"primaryEmail": "ada@example.com"}})
    status, body = rest.post("/rest/people", {"emails": {"primaryEmail": "ada@example.com"}})
    assert_twenty_error(status, body, 409, "emails.primaryEmail")
    status, body = rest.post(
        "/rest/batch/companies",
        [{"domainName": {"primaryLinkUrl": "https://a.io"}}] * 2,
    )
    assert_twenty_error(status, body, 400, "domainName.primaryLinkUrl")


def test_upsert_updates_the_record_matched_by_a_unique_field(rest):
    ada = create(rest, "people", {"emails": {"primaryEmail": "ada@example.com"}, "city": "London"})
    status, body = rest.post(
        "/rest/batch/people?upsert=true",
        [
            {"emails": {"primaryEmail": "ada@example.com"}, "city": "Paris"},
            {"emails": {"primaryEmail": "grace@example.com"}, "city": "NYC"},
        ],
    )
    assert status == 201, body
    upserted = body["data"]["createPeople"]
    assert upserted[0]["id"] == ada["id"] and upserted[0]["city"] == "Paris"
    assert upserted[1]["id"] != ada["id"]
    assert rest.get("/rest/people")[1]["totalCount"] == 2


def test_upsert_matches_on_id_for_a_single_create(rest):
    company = create(rest, "companies", {"name": "Before"})
    status, body = rest.post("/rest/companies?upsert=true", {"id": company["id"], "name": "After"})
    assert status == 201
    assert body["data"]["createCompany"]["name"] == "After"
    assert rest.get("/rest/companies")[1]["totalCount"] == 1


def test_upsert_matching_two_records_is_refused(rest):
    one = create(rest, "people", {"emails": {"primaryEmail": "one@example.com"}})
    create(rest, "people", {"emails": {"primaryEmail": "two@example.com"}})
    status, body = rest.post(
        "/rest/people?upsert=true",
        {"id": one["id"], "emails": {"primaryEmail": "two@example.com"}},
    )
    assert_twenty_error(status, body, 400)
    assert body["code"] == "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"


def test_a_unique_value_is_free_again_after_soft_delete_and_taken_back_on_restore(rest):
    first = create(rest, "people", {"emails": {"primaryEmail": "x@example.com"}})
    rest.delete(f"/rest/people/{first['id']}?soft_delete=true")
    second = create(rest, "people", {"emails": {"primaryEmail": "x@example.com"}})
    status, body = rest.call("PATCH", f"/rest/restore/people/{first['id']}")
    assert_twenty_error(status, body, 409, "emails.primaryEmail")
    rest.delete(f"/rest/people/{second['id']}")
    assert rest.call("PATCH", f"/rest/restore/people/{first['id']}")[0] == 200


def test_join_column_must_reference_a_live_record_of_the_target_object(rest):
    company = create(rest, "companies", {"name": "Acme"})
    person = create(rest, "people", {"companyId": company["id"]})
    assert person["companyId"] == company["id"]
    missing = "8c1a4f7e-0b7e-4d5f-9a35-6b7c2d1e0f99"
    status, body = rest.post("/rest/people", {"companyId": missing})
    assert_twenty_error(status, body, 400, "companyId", missing)
    status, body = rest.post("/rest/people", {"companyId": person["id"]})
    assert_twenty_error(status, body, 400, "companyId")
    rest.delete(f"/rest/companies/{company['id']}?soft_delete=true")
    status, body = rest.patch(f"/rest/people/{person['id']}", {"companyId": company["id"]})
    assert_twenty_error(status, body, 400, "companyId")


def test_relation_field_itself_is_not_writable(rest):
    status, body = rest.post("/rest/people", {"company": {"name": "x"}})
    assert_twenty_error(status, body, 400, "companyId")


@pytest.mark.parametrize("field", ["createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy"])
def test_server_owned_fields_are_refused_by_name(rest, field):
    status, body = rest.post("/rest/companies", {field: None})
    assert_twenty_error(status, body, 400, field)
    company = create(rest, "companies", {})
    status, body = rest.patch(f"/rest/companies/{company['id']}", {field: None})
    assert_twenty_error(status, body, 400, field)


def test_id_cannot_change_on_update(rest):
    company = create(rest, "companies", {})
    status, body = rest.patch(
        f"/rest/companies/{company['id']}", {"id": "8c1a4f7e-0b7e-4d5f-9a35-6b7c2d1e0f99"}
    )
    assert_twenty_error(status, body, 400, "id")


def test_unknown_field_is_refused_by_name(rest):
    status, body = rest.post("/rest/companies", {"nmae": "typo"})
    assert_twenty_error(status, body, 400, "nmae")


def test_bad_values_are_refused_with_the_field_named(rest):
    cases = [
        ("companies", {"employees": "ten"}, "employees"),
        ("companies", {"employees": 1.5}, "employees"),
        ("companies", {"idealCustomerProfile": "yes"}, "idealCustomerProfile"),
        ("companies", {"domainName": {"url": "x"}}, "domainName"),
        ("opportunities", {"stage": "WON"}, "stage"),
        ("opportunities", {"closeDate": "tomorrow"}, "closeDate"),
        ("people", {"emails": {"primaryEmail": 5}}, "emails"),
        ("tasks", {"status": None, "dueAt": "2024-13-45"}, "dueAt"),
    ]
    for plural, body_in, field in cases:
        status, body = rest.post(f"/rest/{plural}", body_in)
        assert_twenty_error(status, body, 400, field)


def test_singular_path_suggests_the_plural(rest):
    status, body = rest.get("/rest/company")
    assert_twenty_error(status, body, 400, "Did you mean 'companies'?")
    status, body = rest.get("/rest/rockets")
    assert_twenty_error(status, body, 400, "rockets")


def test_bad_record_id_and_unknown_record(rest):
    status, body = rest.get("/rest/companies/not-a-uuid")
    assert_twenty_error(status, body, 400, "not-a-uuid")
    unknown = "8c1a4f7e-0b7e-4d5f-9a35-6b7c2d1e0f99"
    for method in ("GET", "PATCH", "DELETE"):
        status, body = rest.call(method, f"/rest/companies/{unknown}", {"name": "x"})
        assert_twenty_error(status, body, 404, "Record not found")


def test_bad_json_and_wrong_body_types_are_400(rest):
    status, body = rest.post("/rest/companies", "{not json")
    assert_twenty_error(status, body, 400, "JSON")
    status, body = rest.post("/rest/companies", "[1, 2]")
    assert_twenty_error(status, body, 400)
    status, body = rest.post("/rest/companies", "")
    assert_twenty_error(status, body, 400)


def test_body_over_the_size_limit_is_413(rest):
    huge = '{"name": "' + "x" * (6 * 1024 * 1024) + '"}'
    status, body = rest.post("/rest/companies", huge)
    assert_twenty_error(status, body, 413)


def test_unsupported_method_and_media_type_use_the_twenty_error_shape(rest):
    status, body = rest.post("/rest/companies/8c1a4f7e-0b7e-4d5f-9a35-6b7c2d1e0f99", {})
    assert_twenty_error(status, body, 405)
    headers = {**rest.tenant.headers, "Content-Type": "text/plain"}
    status, body = rest.post("/rest/companies", "name", headers=headers)
    assert_twenty_error(status, body, 415)


def test_health_answers_without_a_key(client):
    response = client.http.get("/healthz")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}
