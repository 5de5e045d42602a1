"""The quick way to a large world writes what the API writes: records, guards and counters."""

from __future__ import annotations

from local_stack.seeding import seed_records


def test_seeded_companies_are_counted_listed_and_readable_over_the_api(rest, tenant):
    progress: list[int] = []

    written = seed_records(tenant.workspace_id, "companies", 130, progress=progress.append)

    assert written == 130 and progress == [60, 120, 130]
    status, body = rest.get("/rest/companies?limit=60")
    assert status == 200, body
    assert body["totalCount"] == 130
    assert len(body["data"]["companies"]) == 60
    # Each company took its unique domain: the same one again is refused.
    status, _ = rest.post(
        "/rest/companies",
        {"name": "Again", "domainName": {"primaryLinkUrl": "https://seeded-7.example.com"}},
    )
    assert status == 409
