"""The generated core OpenAPI document, fetched from the real local stack with a key, drives
a fuzzer (schemathesis: no 5xx, no answer the document does not describe) and a client generated
by openapi-python-client (create, read, list with a cursor and delete a custom object's record
through its strict models)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest

from tests.http.local_stack import Stack, http
from tests.http.open_api_fuzz import fuzz
from tests.rocket_model import create_rocket_model, falcon_record

PACKAGE = "crm_core_client"
# The hard stop of the fuzzer's run, whatever the stack does.
FUZZ_SECONDS = 120


@pytest.fixture(scope="module")
def core_document(stack: Stack) -> dict[str, Any]:
    """The core document of the stack's workspace once it holds the custom rocket object."""
    create_rocket_model(stack.call)
    status, document = http("GET", stack.api + "/rest/open-api/core", key=stack.key)
    assert status == 200, document
    assert document["servers"][0]["url"] == stack.api + "/rest"
    return document


@pytest.fixture(scope="module")
def maker_id(stack: Stack, core_document: dict[str, Any]) -> str:
    status, body = stack.call("POST", "/rest/companies", {"name": "SpaceCo"})
    assert status == 201, body
    return body["data"]["createCompany"]["id"]


@pytest.fixture
def generated_client(core_document: dict[str, Any], tmp_path: Path) -> Iterator[ModuleType]:
    """The package openapi-python-client writes for the document, imported from tmp_path."""
    source = tmp_path / "core.json"
    source.write_text(json.dumps(core_document))
    config = tmp_path / "config.json"
    # No formatting hooks: the code is imported, not read, and ruff would cost seconds.
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    result = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate", "--path", str(source),
            "--meta", "none", "--output-path", str(tmp_path / PACKAGE), "--config", str(config),
            "--fail-on-warning",
        ],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, "the generator refused the document:\n" + "\n".join(
        generator_warnings(result.stdout + result.stderr)
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def generator_warnings(output: str) -> list[str]:
    """Each warning of openapi-python-client on one line: what it parsed, and why it gave up."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return [
        f"{line}: {lines[i + 1] if i + 1 < len(lines) else ''}"
        for i, line in enumerate(lines)
        if line.startswith(("WARNING", "ERROR"))
    ] or lines[-20:]


def submodule(package: ModuleType, name: str) -> ModuleType:
    return importlib.import_module(f"{package.__name__}.{name}")


def keys_of(value: Any) -> Any:
    """The shape of a JSON value: its objects' keys at every depth, without the values."""
    if isinstance(value, dict):
        return {key: keys_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys_of(item) for item in value]
    return None


def parsed(response: Any, status: int) -> Any:
    """The model of an answer with its documented status, which must hold every key the server
    sent at every depth (a key the document does not describe would be lost, or left over)."""
    assert response.status_code == status, response.content
    model = response.parsed
    assert model is not None, f"{status} is not documented for this operation"
    assert keys_of(model.to_dict()) == keys_of(json.loads(response.content))
    return model


@pytest.fixture
def client_of_stack(
    stack: Stack, core_document: dict[str, Any], generated_client: ModuleType
) -> Iterator[Any]:
    """The generated client's AuthenticatedClient on the document's server, with the key."""
    with generated_client.AuthenticatedClient(
        base_url=core_document["servers"][0]["url"], token=stack.key,
        raise_on_unexpected_status=True, httpx_args={"trust_env": False},
    ) as client:  # fmt: skip
        yield client


def test_a_generated_client_creates_reads_lists_with_a_cursor_and_deletes_a_custom_record(
    generated_client: ModuleType, client_of_stack: Any, maker_id: str
):
    client = client_of_stack
    api = submodule(generated_client, "api.rockets")
    models = submodule(generated_client, "models")
    for name in ("create_one_rocket", "create_many_rockets", "find_one_rocket",
                 "find_many_rockets", "delete_one_rocket"):  # fmt: skip
        submodule(api, name)

    falcon = models.Rocket.from_dict({**falcon_record(maker_id), "name": "Client Falcon"})
    answer = parsed(api.create_one_rocket.sync_detailed(client=client, body=falcon), 201)
    created = answer.data.create_rocket
    assert isinstance(created, models.RocketForResponse)
    assert (created.name, created.stages, created.maker_id) == ("Client Falcon", 2, UUID(maker_id))
    assert created.launch_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert created.first_flight == date(2010, 6, 4)
    assert created.price.currency_code == "USD"
    assert created.status.value == "READY"
    assert [payload.value for payload in created.payloads] == ["CREW", "CARGO"]

    depth = models.FindOneRocketDepth.VALUE_1
    answer = parsed(api.find_one_rocket.sync_detailed(created.id, client=client, depth=depth), 200)
    assert answer.data.rocket.id == created.id
    assert answer.data.rocket.maker.name == "SpaceCo"  # the relation, embedded by depth=1

    probe = models.Rocket(name="Client Probe", stages=1)
    answer = parsed(api.create_many_rockets.sync_detailed(client=client, body=[probe]), 201)
    (probe_row,) = answer.data.create_rockets

    pages: list[list[str]] = []
    cursor: UUID | None = None
    for _ in range(3):
        kwargs = {"starting_after": cursor} if cursor else {}
        answer = parsed(api.find_many_rockets.sync_detailed(
            client=client, filter_="name[like]:Client %", order_by="name[AscNullsFirst]",
            limit=1, **kwargs,
        ), 200)  # fmt: skip
        pages.append([row.name for row in answer.data.rockets])
        assert answer.total_count == 2
        if not answer.page_info.has_next_page:
            break
        cursor = answer.page_info.end_cursor
        assert isinstance(cursor, UUID)
    assert pages == [["Client Falcon"], ["Client Probe"]]

    for row in (created, probe_row):
        answer = parsed(api.delete_one_rocket.sync_detailed(row.id, client=client), 200)
        assert answer.data.delete_rocket.id == row.id
    gone = parsed(api.find_one_rocket.sync_detailed(created.id, client=client), 404)
    assert (gone.status_code, gone.error) == (404, "NotFoundException")


# Last in the module: the fuzzer may update or delete any record of the workspace. Its run is
# bounded by construction (a fixed number of cases, each with an HTTP timeout); the timeout is
# the hard stop if the stack hangs.
@pytest.mark.timeout(FUZZ_SECONDS)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(
    stack: Stack, core_document: dict[str, Any], maker_id: str
):
    findings = fuzz(core_document, base_url=core_document["servers"][0]["url"], key=stack.key)
    assert findings == [], f"{len(findings)} finding(s):\n\n" + "\n\n".join(findings)
