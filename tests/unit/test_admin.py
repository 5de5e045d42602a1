"""The operator CLI (`python -m chalicelib.admin`) against moto's in-process DynamoDB."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from chalicelib.admin import main
from chalicelib.auth.api_keys import authenticate
from chalicelib.context import utc_now_iso
from chalicelib.errors import AuthenticationError
from chalicelib.storage import api_keys as key_store


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    """Run the CLI; returns (exit code, parsed stdout or None, raw stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else None), captured.err


def create_workspace(capsys: pytest.CaptureFixture[str], name: str = "Acme") -> dict[str, Any]:
    code, out, err = run_cli(capsys, "workspace", "create", "--name", name)
    assert code == 0, err
    return out


def test_workspace_create_prints_the_new_workspace_and_a_key_that_authenticates(aws, capsys):
    out = create_workspace(capsys)
    assert out["name"] == "Acme"
    assert uuid.UUID(out["workspaceId"])
    assert out["apiKey"].startswith("crm_")
    principal = authenticate("Bearer " + out["apiKey"], now=utc_now_iso())
    assert principal.workspace_id == out["workspaceId"]
    assert principal.key_id == out["apiKeyId"]
    assert principal.key_name == "Default key"


def test_workspace_create_names_the_first_key_after_the_key_name_option(aws, capsys):
    code, out, _ = run_cli(
        capsys, "workspace", "create", "--name", "Globex", "--key-name", "Zapier"
    )
    assert code == 0
    assert authenticate("Bearer " + out["apiKey"], now=utc_now_iso()).key_name == "Zapier"


def test_two_workspaces_get_different_ids_and_keys_that_each_resolve_to_their_own(aws, capsys):
    first, second = create_workspace(capsys, "One"), create_workspace(capsys, "Two")
    assert first["workspaceId"] != second["workspaceId"]
    now = utc_now_iso()
    assert authenticate("Bearer " + first["apiKey"], now=now).workspace_id == first["workspaceId"]
    assert authenticate("Bearer " + second["apiKey"], now=now).workspace_id == second["workspaceId"]


def test_apikey_create_issues_another_working_key_with_a_normalised_expiry(aws, capsys):
    workspace = create_workspace(capsys)
    code, out, err = run_cli(
        capsys,
        "apikey",
        "create",
        "--workspace",
        workspace["workspaceId"],
        "--name",
        "CI",
        "--expires",
        "2030-01-01T00:00:00Z",
    )
    assert code == 0, err
    assert out["expiresAt"] == "2030-01-01T00:00:00.000Z"
    assert out["name"] == "CI"
    assert out["apiKey"] != workspace["apiKey"]
    assert out["apiKeyId"] != workspace["apiKeyId"]
    principal = authenticate("Bearer " + out["apiKey"], now="2029-12-31T23:59:59.999Z")
    assert principal.workspace_id == workspace["workspaceId"]
    assert principal.key_name == "CI"
    # The stored expiry is the normalised one, so it compares with request times.
    assert key_store.find_by_token(out["apiKey"]).expires_at == "2030-01-01T00:00:00.000Z"
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate("Bearer " + out["apiKey"], now="2030-01-01T00:00:00.000Z")
    # Issuing a second key leaves the first one working.
    assert (
        authenticate("Bearer " + workspace["apiKey"], now=utc_now_iso()).key_name == "Default key"
    )


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2030-01-01T02:00:00+02:00", "2030-01-01T00:00:00.000Z"),
        ("2030-06-15T12:30:00", "2030-06-15T12:30:00.000Z"),
        ("2030-06-15T12:30:00.123456Z", "2030-06-15T12:30:00.123Z"),
        ("2030-06-15", "2030-06-15T00:00:00.000Z"),
    ],
)
def test_apikey_create_converts_any_iso_8601_expiry_to_utc_milliseconds(aws, capsys, given, stored):
    workspace = create_workspace(capsys)
    code, out, err = run_cli(
        capsys,
        "apikey",
        "create",
        "--workspace",
        workspace["workspaceId"],
        "--name",
        "N",
        "--expires",
        given,
    )
    assert code == 0, err
    assert out["expiresAt"] == stored
    assert key_store.find_by_token(out["apiKey"]).expires_at == stored


def test_apikey_create_without_expiry_issues_a_key_that_never_expires(aws, capsys):
    workspace = create_workspace(capsys)
    code, out, _ = run_cli(
        capsys, "apikey", "create", "--workspace", workspace["workspaceId"], "--name", "Forever"
    )
    assert code == 0
    assert out["expiresAt"] is None
    assert (
        authenticate("Bearer " + out["apiKey"], now="2999-01-01T00:00:00.000Z").key_name
        == "Forever"
    )


def test_apikey_create_refuses_a_malformed_expiry_with_a_usage_error(aws, capsys):
    workspace = create_workspace(capsys)
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "apikey",
                "create",
                "--workspace",
                workspace["workspaceId"],
                "--name",
                "N",
                "--expires",
                "next tuesday",
            ]
        )
    assert exit_info.value.code == 2
    assert "not an ISO 8601 date-time: next tuesday" in capsys.readouterr().err


def test_apikey_create_for_an_unknown_workspace_exits_1_with_an_error_on_stderr(aws, capsys):
    unknown = str(uuid.uuid4())
    code, out, err = run_cli(capsys, "apikey", "create", "--workspace", unknown, "--name", "N")
    assert code == 1
    assert out is None
    error = json.loads(err)
    assert error["messages"] == [f"No workspace with id '{unknown}'"]
    assert error["error"]
    # Nothing was issued for the missing workspace.
    from chalicelib.storage.models import ApiKeyItem

    assert list(ApiKeyItem.by_workspace.query(unknown)) == []


def test_apikey_create_issues_a_full_key_unless_a_scope_is_given(aws, capsys):
    workspace = create_workspace(capsys)
    ws = workspace["workspaceId"]
    code, out, err = run_cli(capsys, "apikey", "create", "--workspace", ws, "--name", "Default")
    assert code == 0, err
    assert out["scope"] == "full"
    assert authenticate("Bearer " + out["apiKey"], now=utc_now_iso()).scope == "full"
    for scope in ("read", "metadata"):
        code, out, err = run_cli(
            capsys, "apikey", "create", "--workspace", ws, "--name", scope, "--scope", scope
        )
        assert code == 0, err
        assert out["scope"] == scope
        assert authenticate("Bearer " + out["apiKey"], now=utc_now_iso()).scope == scope
        # The same item the API manages: it lists the key with its scope.
        assert key_store.find_by_token(out["apiKey"]).scope == scope


def test_apikey_create_refuses_an_unknown_scope_with_a_usage_error(aws, capsys):
    workspace = create_workspace(capsys)
    with pytest.raises(SystemExit) as exit_info:
        main(["apikey", "create", "--workspace", workspace["workspaceId"], "--name", "N",
              "--scope", "admin"])  # fmt: skip
    assert exit_info.value.code == 2
    assert "invalid choice: 'admin'" in capsys.readouterr().err


def test_apikey_revoke_makes_the_key_fail_authentication_on_the_next_call(aws, capsys):
    workspace = create_workspace(capsys)
    header = "Bearer " + workspace["apiKey"]
    assert authenticate(header, now=utc_now_iso()).workspace_id == workspace["workspaceId"]

    code, out, err = run_cli(capsys, "apikey", "revoke", "--id", workspace["apiKeyId"])
    assert code == 0, err
    assert out["apiKeyId"] == workspace["apiKeyId"]
    assert out["workspaceId"] == workspace["workspaceId"]
    assert out["revokedAt"].endswith("Z")
    with pytest.raises(AuthenticationError, match="revoked"):
        authenticate(header, now=utc_now_iso())


def test_apikey_revoke_leaves_the_other_keys_of_the_workspace_working(aws, capsys):
    workspace = create_workspace(capsys)
    _, second, _ = run_cli(
        capsys, "apikey", "create", "--workspace", workspace["workspaceId"], "--name", "Second"
    )
    assert run_cli(capsys, "apikey", "revoke", "--id", workspace["apiKeyId"])[0] == 0
    assert authenticate("Bearer " + second["apiKey"], now=utc_now_iso()).key_name == "Second"


def test_apikey_revoke_of_an_unknown_id_exits_1_with_not_found_on_stderr(aws, capsys):
    unknown = str(uuid.uuid4())
    code, out, err = run_cli(capsys, "apikey", "revoke", "--id", unknown)
    assert code == 1
    assert out is None
    assert json.loads(err) == {
        "error": "NOT_FOUND",
        "messages": [f"No API key with id '{unknown}'"],
    }


def test_a_key_created_with_an_expiry_in_the_past_is_refused(aws, capsys):
    workspace = create_workspace(capsys)
    code, out, err = run_cli(
        capsys,
        "apikey",
        "create",
        "--workspace",
        workspace["workspaceId"],
        "--name",
        "Stale",
        "--expires",
        "2020-01-01T00:00:00Z",
    )
    assert code == 0, err
    assert out["expiresAt"] == "2020-01-01T00:00:00.000Z"
    with pytest.raises(AuthenticationError, match="expired"):
        authenticate("Bearer " + out["apiKey"], now=utc_now_iso())


def test_index_add_gives_the_path_a_ready_slot_and_refuses_an_unknown_object(aws, capsys):
    from chalicelib.metadata.registry import load_model

    workspace = create_workspace(capsys)
    code, out, err = run_cli(
        capsys,
        "index",
        "add",
        "--workspace",
        workspace["workspaceId"],
        "--object",
        "companies",
        "--path",
        "employees",
    )
    assert code == 0, err
    assert out["path"] == "employees" and out["ready"] is True
    companies = load_model(workspace["workspaceId"]).by_plural["companies"]
    assert {(i.path, i.slot, i.ready) for i in companies.indexes} >= {
        ("employees", out["slot"], True)
    }
    code, _, err = run_cli(
        capsys,
        "index",
        "add",
        "--workspace",
        workspace["workspaceId"],
        "--object",
        "rockets",
        "--path",
        "name",
    )
    assert code == 1 and "rockets" in err


def test_jobs_run_finishes_what_a_metadata_change_left_pending(aws, capsys):
    from chalicelib.context import Principal, RequestContext
    from chalicelib.metadata.service import MetadataService
    from chalicelib.storage.metadata_store import pending_jobs
    from chalicelib.wiring import record_store

    out = create_workspace(capsys)
    workspace_id = out["workspaceId"]
    ctx = RequestContext(Principal(workspace_id, out["apiKeyId"], "k"), utc_now_iso())
    hurried = MetadataService(record_store(), job_budget_seconds=0, scan_cap=100, job_step=1)
    rocket = hurried.create_object(ctx, {
        "nameSingular": "rocket", "namePlural": "rockets",
        "labelSingular": "Rocket", "labelPlural": "Rockets",
    }).object  # fmt: skip
    hurried.update_object(ctx, rocket.id, {"isActive": False})
    hurried.delete_object(ctx, rocket.id)
    assert pending_jobs(workspace_id)
    code, result, _ = run_cli(capsys, "jobs", "run", "--workspace", workspace_id)
    assert (code, result) == (0, {"workspaceId": workspace_id, "done": True, "pending": 0})
    code, _, err = run_cli(capsys, "jobs", "run", "--workspace", str(uuid.uuid4()))
    assert code == 1 and "NOT_FOUND" in err
