"""infra/print_admin_env.py turns `cdk deploy`'s outputs into the admin CLI's environment."""

from __future__ import annotations

import json
import shlex

import pytest

from infra import print_admin_env

OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/api/",
    "MainTableName": "crm-dev-MainTable74195DAB-1ABC",
    "KeysTableName": "crm-dev-KeysTableDD857A22-2DEF",
    "Region": "eu-west-1",
}


@pytest.fixture
def outputs_file(tmp_path):
    path = tmp_path / "outputs-dev.json"
    path.write_text(json.dumps({"crm-dev": OUTPUTS}))
    return path


def exported(lines):
    """The variables a shell would have after running the export lines."""
    values = {}
    for line in lines:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            values[name] = shlex.split(value)[0]
    return values


def test_the_exports_point_the_admin_cli_at_the_deployed_tables_and_region(outputs_file, capsys):
    assert print_admin_env.main(["--stage", "dev", "--outputs", str(outputs_file)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert exported(lines) == {
        "AWS_REGION": "eu-west-1",
        "CRM_MAIN_TABLE": OUTPUTS["MainTableName"],
        "CRM_KEYS_TABLE": OUTPUTS["KeysTableName"],
    }
    # A local-stack endpoint left in the shell must not redirect the CLI.
    assert lines[0] == "unset AWS_ENDPOINT_URL_DYNAMODB AWS_ENDPOINT_URL"


def test_the_instructions_show_the_api_url_and_the_workspace_command(outputs_file, capsys):
    print_admin_env.main(["--stage", "dev", "--outputs", str(outputs_file), "--instructions"])
    text = capsys.readouterr().out
    assert OUTPUTS["ApiUrl"] in text
    assert "python -m chalicelib.admin workspace create --name" in text


def test_a_stage_that_was_never_deployed_is_explained(tmp_path):
    with pytest.raises(SystemExit, match="make deploy STAGE=qa"):
        print_admin_env.main(["--stage", "qa", "--outputs", str(tmp_path / "missing.json")])
