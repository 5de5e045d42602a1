import json


def test_can_create_and_read_a_company(client, tenant):
    created = client.http.post("/rest/companies", headers=tenant.headers, body=json.dumps({"name": "Acme"}))
    print(created.status_code, created.body[:2000])
    assert created.status_code == 201
    record = json.loads(created.body)["data"]["createCompany"]
    got = client.http.get(f"/rest/companies/{record['id']}", headers=tenant.headers)
    print(got.body)
    assert json.loads(got.body)["data"]["company"]["name"] == "Acme"
    listed = client.http.get("/rest/companies", headers=tenant.headers)
    print(listed.body)
    assert json.loads(listed.body)["totalCount"] == 1
