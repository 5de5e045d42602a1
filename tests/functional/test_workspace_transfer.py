"""Workspace export -> import (chalicelib/transfer/) against moto, checked through the REST API.

The source workspace has the rocket object (every field type, a relation to company), a
self-relation whose targets come later in the file, people with unique emails, an added
index, a changed standard field, soft-deleted records and a live record pointing at a
soft-deleted company.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.auth.api_keys import issue_key
from chalicelib.metadata.registry import load_model
from chalicelib.storage.metadata_store import records_after
from chalicelib.transfer.export import export_workspace
from chalicelib.transfer.fileformat import TransferError
from chalicelib.transfer.workspace_import import Target, import_file
from chalicelib.wiring import record_store
from tests.rocket_model import create_rocket_model, falcon_record
from tests.support import RestClient, Tenant

STAGES = [
    {"value": value, "label": value.title(), "position": n, "color": "red"}
    for n, value in enumerate(["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER", "LOST"])
]
ROCKET_IDS = [f"00000000-0000-4000-8000-0000000000{n:02d}" for n in range(1, 8)]


def _id(body: dict[str, Any], key: str) -> dict[str, Any]:
    return body["data"][key]


def _field_id(rest: RestClient, object_name: str, field_name: str) -> str:
    _, body = rest.get("/rest/metadata/objects")
    obj = next(o for o in body["data"]["objects"] if o["nameSingular"] == object_name)
    return next(f["id"] for f in obj["fields"] if f["name"] == field_name)


def _object_id(rest: RestClient, object_name: str) -> str:
    _, body = rest.get("/rest/metadata/objects")
    return next(o["id"] for o in body["data"]["objects"] if o["nameSingular"] == object_name)


def build_source(rest: RestClient) -> None:
    """The workspace every test exports."""
    rocket_id, _ = create_rocket_model(rest.call)
    status, body = rest.post(
        "/rest/metadata/fields",
        {
            "objectMetadataId": rocket_id,
            "type": "RELATION",
            "name": "predecessor",
            "label": "Predecessor",
            "relationCreationPayload": {
                "type": "MANY_TO_ONE",
                "targetObjectMetadataId": rocket_id,
                "targetFieldLabel": "Successors",
                "targetFieldName": "successors",
            },
        },
    )
    assert status == 201, body
    city = _field_id(rest, "person", "city")
    assert rest.patch(f"/rest/metadata/fields/{city}", {"label": "Town"})[0] == 200
    stage = _field_id(rest, "opportunity", "stage")
    status, body = rest.patch(f"/rest/metadata/fields/{stage}", {"options": STAGES})
    assert status == 200, body
    from chalicelib.metadata.index_admin import add_index

    add_index(record_store(), rest.tenant.workspace_id, "rockets", "thrust")

    companies = [
        {"name": f"Company {n}", "domainName": {"primaryLinkUrl": f"c{n}.test"}} for n in range(3)
    ]
    status, body = rest.post("/rest/batch/companies", companies)
    assert status == 201, body
    company_ids = [c["id"] for c in body["data"]["createCompanies"]]
    people = [
        {
            "name": {"firstName": f"P{n}", "lastName": "Doe"},
            "emails": {"primaryEmail": f"p{n}@example.test"},
            "city": "Paris",
            "companyId": company_ids[n % 3],
        }
        for n in range(5)
    ]
    status, body = rest.post("/rest/batch/people", people)
    assert status == 201, body
    person_ids = [p["id"] for p in body["data"]["createPeople"]]
    rockets = []
    for n, rocket_key in enumerate(ROCKET_IDS):
        record = falcon_record(company_ids[n % 3])
        record.update(
            id=rocket_key,
            name=f"Rocket {n}",
            contact={"primaryEmail": f"r{n}@falcon.test", "additionalEmails": []},
            thrust=1000.0 + 37 * ((n * 5) % 7),
            # Each rocket names the next one, later in id order (and so in the file).
            predecessorId=ROCKET_IDS[n + 1] if n + 1 < len(ROCKET_IDS) else None,
        )
        rockets.append(record)
    # The targets must exist for the API: create them last first.
    for record in reversed(rockets):
        status, body = rest.post("/rest/rockets", record)
        assert status == 201, body
    assert rest.delete(f"/rest/people/{person_ids[1]}?soft_delete=true")[0] == 200
    assert rest.delete(f"/rest/rockets/{ROCKET_IDS[2]}?soft_delete=true")[0] == 200
    # A live record keeps pointing at a company soft-deleted after the link was made.
    assert rest.delete(f"/rest/companies/{company_ids[2]}?soft_delete=true")[0] == 200
    # A destroyed record leaves a tombstone, which is not exported.
    assert rest.delete(f"/rest/people/{person_ids[4]}")[0] == 200


def stored_records(workspace_id: str) -> dict[str, dict[str, Any]]:
    """Every record of every object with records, by object name, then id: body + deletedAt."""
    model = load_model(workspace_id)
    out: dict[str, dict[str, Any]] = {}
    for obj in model.objects:
        records, after = {}, None
        while True:
            page, more = records_after(workspace_id, obj.id, after, 100)
            records |= {r.id: {**r.body, "deletedAt": r.deleted_at} for r in page}
            if not more or not page:
                break
            after = page[-1].id
        if records:
            out[obj.name_singular] = records
    return out


def live_counts(workspace_id: str) -> dict[str, int]:
    model = load_model(workspace_id)
    store = record_store()
    return {obj.name_singular: store.count_live(workspace_id, obj.id) for obj in model.objects}


def client_for(client: Any, workspace_id: str) -> RestClient:
    key = issue_key(workspace_id, "Test key")
    return RestClient(client.http, Tenant(workspace_id, key.token, key.row.key_id))


def pages(rest: RestClient, path: str) -> list[list[str]]:
    """Every page of a listing (2 a page), as lists of ids."""
    out, cursor = [], None
    while True:
        suffix = f"&starting_after={cursor}" if cursor else ""
        status, body = rest.get(f"{path}&limit=2{suffix}")
        assert status == 200, body
        plural = path.split("?")[0].rsplit("/", 1)[-1]
        ids = [r["id"] for r in body["data"][plural]]
        out.append(ids)
        if not body["pageInfo"]["hasNextPage"]:
            return out
        cursor = body["pageInfo"]["endCursor"]


@pytest.fixture
def exported(rest: RestClient, tmp_path: Path) -> Path:
    build_source(rest)
    path = tmp_path / "acme.jsonl.gz"
    export_workspace(rest.tenant.workspace_id, str(path), progress_stream=io.StringIO())
    return path


def _import(path: Path, target: Target, **kw: Any) -> dict[str, Any]:
    return import_file(str(path), target, progress_stream=io.StringIO(), tty=False, **kw)


def test_export_then_import_into_a_new_workspace_gives_equal_records_counts_and_pages(
    exported, rest, client
):
    source = rest.tenant.workspace_id
    result = _import(exported, Target(name="Copy"))
    copy = result["workspaceId"]
    assert result["apiKey"].startswith("crm_")
    assert result["records"] == result["imported"] == 3 + 4 + 7
    assert stored_records(copy) == stored_records(source)
    assert live_counts(copy) == live_counts(source)
    other = client_for(client, copy)
    for path in (
        "/rest/rockets?order_by=thrust[AscNullsFirst]",
        "/rest/rockets?order_by=name[DescNullsLast]",
        "/rest/people?order_by=emails.primaryEmail",
        "/rest/companies?filter=deletedAt[is]:NOT_NULL",
    ):
        assert pages(other, path) == pages(rest, path), path
    _, body = other.get(f"/rest/rockets/{ROCKET_IDS[0]}?depth=1")
    assert body["data"]["rocket"]["predecessor"]["id"] == ROCKET_IDS[1]


def test_uniqueness_is_still_enforced_after_an_import(exported, client):
    copy = _import(exported, Target(name="Copy"))["workspaceId"]
    other = client_for(client, copy)
    status, body = other.post("/rest/people", {"emails": {"primaryEmail": "p0@example.test"}})
    assert status == 409, body
    # The soft-deleted person's email is free, as in the source workspace.
    status, body = other.post("/rest/people", {"emails": {"primaryEmail": "p1@example.test"}})
    assert status == 201, body


def test_the_import_recreates_custom_fields_relations_options_indexes_and_standard_changes(
    exported, rest
):
    copy = _import(exported, Target(name="Copy"))["workspaceId"]
    before, after = load_model(rest.tenant.workspace_id), load_model(copy)
    for name in ("rocket", "person", "company"):
        old, new = before.by_singular[name], after.by_singular[name]
        assert sorted(f.name for f in new.fields) == sorted(f.name for f in old.fields)
        assert {i.path for i in new.indexes} == {i.path for i in old.indexes}
    assert after.by_singular["person"].by_name["city"].label == "Town"
    stage = after.by_singular["opportunity"].by_name["stage"]
    assert [(o.value, o.label) for o in stage.options] == [(o["value"], o["label"]) for o in STAGES]
    status = after.by_singular["rocket"].by_name["status"]
    assert [o.value for o in status.options] == ["DRAFT", "READY", "FLOWN"]


def test_an_import_interrupted_halfway_and_run_again_ends_identical(exported, rest):
    source = rest.tenant.workspace_id

    class Stop(Exception):
        pass

    batches = []

    def stop_after_two() -> None:
        batches.append(1)
        if len(batches) == 2:
            raise Stop

    with pytest.raises(Stop):
        _import(exported, Target(name="Copy"), after_batch=stop_after_two)
    copy = next(ws for ws in _workspace_ids() if ws != source)
    assert stored_records(copy) != stored_records(source)  # half done
    result = _import(exported, Target(workspace_id=copy))
    assert result["skipped"] > 0 and result["imported"] > 0
    assert result["imported"] + result["skipped"] == result["records"]
    assert result["modelChanges"] == 0
    assert stored_records(copy) == stored_records(source)
    assert live_counts(copy) == live_counts(source)
    # A third run changes nothing.
    again = _import(exported, Target(workspace_id=copy))
    assert (again["imported"], again["linked"]) == (0, 0)
    assert stored_records(copy) == stored_records(source)


def test_an_import_interrupted_before_its_links_sets_them_when_resumed(exported, rest):
    source = rest.tenant.workspace_id
    ws = _import_empty_target()

    class Stop(Exception):
        pass

    calls = []

    def stop_at_the_links() -> None:
        calls.append(1)
        # Three record batches (companies, people, rockets): stop before the link pass.
        if len(calls) == 3:
            raise Stop

    with pytest.raises(Stop):
        _import(exported, Target(workspace_id=ws), after_batch=stop_at_the_links)
    unlinked = stored_records(ws)["rocket"][ROCKET_IDS[0]]
    assert unlinked["predecessorId"] is None
    result = _import(exported, Target(workspace_id=ws))
    assert result["linked"] > 0
    assert stored_records(ws) == stored_records(source)


def _import_empty_target() -> str:
    from chalicelib.metadata.provisioning import create_workspace

    return create_workspace("Target").id


def _workspace_ids() -> list[str]:
    from chalicelib.settings import SETTINGS
    from chalicelib.storage.connection import call

    items = call("Scan", {"TableName": SETTINGS.main_table}).get("Items", [])
    return [i["pk"]["S"][3:] for i in items if i["sk"]["S"] == "#WORKSPACE"]


# -- bad input -------------------------------------------------------------------------------


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        return stream.readlines()


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _metadata_items(workspace_id: str) -> int:
    return len(load_model(workspace_id).objects), sum(
        len(o.fields) for o in load_model(workspace_id).objects
    )


def test_a_truncated_gzip_file_fails_naming_the_line_and_creates_no_model(exported, tmp_path):
    cut = tmp_path / "cut.jsonl.gz"
    data = exported.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    target = _import_empty_target()
    with pytest.raises(TransferError, match=r"line \d+: .*(truncated|cut off)"):
        _import(cut, Target(workspace_id=target))


def test_a_file_cut_at_a_line_end_fails_on_the_missing_trailer(exported, tmp_path):
    lines = _lines(exported)
    cut = _write(tmp_path / "cut.jsonl", lines[:-3])
    with pytest.raises(TransferError, match=rf"line {len(lines) - 2}: .*without its trailer"):
        _import(cut, Target(workspace_id=_import_empty_target()))


def test_a_last_line_cut_in_the_middle_is_named(exported, tmp_path):
    lines = _lines(exported)
    cut = _write(tmp_path / "cut.jsonl", [*lines[:-1], lines[-1][:5]])
    with pytest.raises(TransferError, match=rf"line {len(lines)}: the line is cut off"):
        _import(cut, Target(workspace_id=_import_empty_target()))


def test_a_line_that_is_not_json_is_named_and_nothing_of_the_model_is_created(exported, tmp_path):
    lines = _lines(exported)
    lines[2] = "{not json\n"
    bad = _write(tmp_path / "bad.jsonl", lines)
    target = _import_empty_target()
    before = _metadata_items(target)
    with pytest.raises(TransferError, match=r"line 3: the line is not JSON"):
        _import(bad, Target(workspace_id=target))
    assert _metadata_items(target) == before


def test_a_model_entry_that_clashes_with_the_target_fails_before_any_model_change(
    exported, tmp_path, client
):
    target = _import_empty_target()
    other = client_for(client, target)
    rocket = {
        "nameSingular": "rocket",
        "namePlural": "rockets",
        "labelSingular": "Rocket",
        "labelPlural": "Rockets",
    }
    assert other.post("/rest/metadata/objects", rocket)[0] == 201
    rocket_id = _object_id(other, "rocket")
    # Same name as the file's field, another type: a clash.
    status, _ = other.post(
        "/rest/metadata/fields",
        {"objectMetadataId": rocket_id, "type": "TEXT", "name": "stages", "label": "Stages"},
    )
    assert status == 201
    before = _metadata_items(target)
    with pytest.raises(TransferError, match=r"line \d+: field 'rocket.stages' clashes"):
        _import(exported, Target(workspace_id=target))
    assert _metadata_items(target) == before


def test_an_invalid_model_entry_fails_before_any_model_change(exported, tmp_path):
    lines = _lines(exported)
    number = next(n for n, line in enumerate(lines) if '"nameSingular":"rocket"' in line)
    entry = json.loads(lines[number])
    for field in entry["fields"]:
        if field["name"] == "status":
            field["defaultValue"] = "'NOT_AN_OPTION'"
    lines[number] = json.dumps(entry) + "\n"
    bad = _write(tmp_path / "bad.jsonl", lines)
    with pytest.raises(TransferError, match=rf"line {number + 1}: create field 'rocket.status'"):
        _import(bad, Target(name="Never"))
    assert len(_workspace_ids()) == 1  # the new workspace was never created


def test_a_record_that_fails_validation_stops_the_import_at_its_line_and_resume_finishes(
    exported, tmp_path, rest
):
    lines = _lines(exported)
    number = next(n for n, line in enumerate(lines) if '"object":"person"' in line)
    good = lines[number]
    entry = json.loads(good)
    entry["data"]["emails"] = {"primaryEmail": "not an email"}
    lines[number] = json.dumps(entry) + "\n"
    bad = _write(tmp_path / "bad.jsonl", lines)
    target = _import_empty_target()
    with pytest.raises(TransferError, match=rf"line {number + 1}: the record is invalid: .*email"):
        _import(bad, Target(workspace_id=target))
    lines[number] = good
    fixed = _write(tmp_path / "fixed.jsonl", lines)
    result = _import(fixed, Target(workspace_id=target))
    assert result["skipped"] > 0
    assert stored_records(target) == stored_records(rest.tenant.workspace_id)


def test_the_export_holds_no_api_key_token_or_webhook_secret(rest, tmp_path, monkeypatch):
    from tests.functional.webhook_management_support import TARGET, substitute_dns

    substitute_dns(monkeypatch)
    status, body = rest.post(
        "/rest/metadata/webhooks",
        {"targetUrl": TARGET, "operations": ["*.*"], "secret": "s3cr3t-value"},
    )
    assert status == 201, body
    assert rest.post("/rest/companies", {"name": "Acme"})[0] == 201
    path = tmp_path / "plain.jsonl"
    export_workspace(rest.tenant.workspace_id, str(path), progress_stream=io.StringIO())
    text = path.read_text(encoding="utf-8")
    assert rest.tenant.token not in text
    assert rest.tenant.key_id not in text
    assert "s3cr3t-value" not in text and "hooks.example.com" not in text
    assert '"name":"Acme"' in text


# -- CSV import of one object ----------------------------------------------------------------


def _people_csv(path: Path, company_id: str, rows: int) -> dict[int, str]:
    """`rows` people, a few of them bad; returns {line number: what is wrong}."""
    lines = ["name.firstName,name.lastName,emails.primaryEmail,city,companyId,position"]
    bad: dict[int, str] = {}
    for n in range(rows):
        line = n + 2
        email, company, position, extra = f"person{n}@example.test", company_id, str(n), ""
        if n == 10:
            email, bad[line] = "not-an-email", "email"
        elif n == 200:
            email, bad[line] = "person3@example.test", "taken"
        elif n == 500:
            company, bad[line] = "00000000-0000-4000-8000-00000000dead", "companyId"
        elif n == 700:
            position, bad[line] = "first", "position"
        elif n == 900:
            extra, bad[line] = ",surplus", "cells"
        lines.append(f"P{n},Doe,{email},Paris,{company},{position}{extra}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bad


def test_a_csv_import_of_1000_people_imports_the_valid_rows_and_lists_the_bad_ones(rest, tmp_path):
    from chalicelib.transfer.csv_import import import_csv

    _, body = rest.post("/rest/companies", {"name": "Employer"})
    company_id = body["data"]["createCompany"]["id"]
    path = tmp_path / "people.csv"
    bad = _people_csv(path, company_id, 1000)
    ws = rest.tenant.workspace_id
    result = import_csv(ws, "people", str(path), progress_stream=io.StringIO(), tty=False)
    assert result["records"] == 1000
    assert result["imported"] == 1000 - len(bad)
    assert [r["line"] for r in result["rejected"]] == sorted(bad)
    for rejected in result["rejected"]:
        assert bad[rejected["line"]] in " ".join(rejected["messages"]), rejected
    assert live_counts(ws)["person"] == 1000 - len(bad)
    _, body = rest.get("/rest/people?filter=emails.primaryEmail[eq]:person42@example.test")
    person = body["data"]["people"][0]
    assert (person["city"], person["companyId"], person["position"]) == ("Paris", company_id, 42)
    assert person["createdBy"]["source"] == "IMPORT"
    # The same file again: nothing duplicated, the same rows refused.
    again = import_csv(ws, "people", str(path), progress_stream=io.StringIO(), tty=False)
    assert (again["imported"], again["skipped"]) == (0, 1000 - len(bad))
    assert [r["line"] for r in again["rejected"]] == sorted(bad)
    assert live_counts(ws)["person"] == 1000 - len(bad)


def test_a_csv_column_that_is_no_field_fails_before_any_row(rest, tmp_path):
    from chalicelib.transfer.csv_import import import_csv

    path = tmp_path / "people.csv"
    path.write_text("name.firstName,shoeSize\nAda,42\n", encoding="utf-8")
    with pytest.raises(TransferError, match="line 1: column 'shoeSize' is no field of 'person'"):
        import_csv(rest.tenant.workspace_id, "people", str(path), progress_stream=io.StringIO())
    assert live_counts(rest.tenant.workspace_id)["person"] == 0


# -- the CLI -------------------------------------------------------------------------------


def test_the_cli_exports_and_imports_with_the_workspace_create_answer(
    exported, rest, tmp_path, capsys
):
    from chalicelib.admin import main

    out = tmp_path / "again.jsonl"
    assert (
        main(["workspace", "export", "--workspace", rest.tenant.workspace_id, "--out", str(out)])
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"workspaceId": rest.tenant.workspace_id, "file": str(out), "records": 14}
    assert main(["workspace", "import", "--file", str(out), "--name", "Copy"]) == 0
    captured = capsys.readouterr()
    created = json.loads(captured.out)
    assert {"workspaceId", "name", "apiKey", "apiKeyId"} <= set(created)
    assert created["records"] == 14
    # Not a terminal here: plain progress lines, ending with the total.
    assert "import: 14/14 records (100.0 %)" in captured.err
    assert f"resume with --into {created['workspaceId']}" in captured.err
    assert main(["workspace", "import", "--file", str(out), "--into", created["workspaceId"]]) == 0
    resumed = json.loads(capsys.readouterr().out)
    assert set(resumed) >= {"workspaceId", "records"} and resumed["skipped"] == 14


def test_the_cli_reports_a_bad_file_with_its_line_and_a_failing_exit_code(tmp_path, aws, capsys):
    from chalicelib.admin import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind":"header","format":"twenty-crm-workspace","version":1}\nnope\n')
    assert main(["workspace", "import", "--file", str(bad), "--name", "X"]) == 1
    error = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert error["error"] == "IMPORT_FAILED"
    assert error["messages"] == ["line 2: the line is not JSON (Expecting value)"]


def test_a_unique_value_the_target_already_holds_is_named_by_its_line(exported, client):
    target = _import_empty_target()
    other = client_for(client, target)
    status, _ = other.post("/rest/people", {"emails": {"primaryEmail": "p3@example.test"}})
    assert status == 201
    lines = _lines(exported)
    number = next(n for n, line in enumerate(lines) if "p3@example.test" in line)
    entries = [json.loads(line) for line in lines[:number]]
    live_before = [
        e for e in entries if e.get("object") == "person" and e["data"]["deletedAt"] is None
    ]
    with pytest.raises(
        TransferError, match=rf"line {number + 1}: .*'emails.primaryEmail' value 'p3@example.test'"
    ):
        _import(exported, Target(workspace_id=target))
    # The people of the file before it stay imported; nothing after it is written.
    assert live_counts(target)["person"] == 1 + len(live_before)


def test_a_workspace_without_records_round_trips_with_no_model_change(tenant, tmp_path):
    path = tmp_path / "empty.jsonl"
    header = export_workspace(tenant.workspace_id, str(path), progress_stream=io.StringIO())
    assert header["records"] == 0 and set(header["counts"]) >= {"people", "companies"}
    result = _import(path, Target(workspace_id=tenant.workspace_id))
    assert (result["records"], result["imported"], result["modelChanges"]) == (0, 0, 0)
