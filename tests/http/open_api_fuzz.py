"""Schemathesis through its Python API: every operation of an OpenAPI document gets a few
schema-valid and a few schema-invalid requests, from a fixed seed, sent to a running server; each
answer must not be a 5xx and must be one the document describes (status code, content type,
body schema). Findings are collected, one per operation and mode, as readable text with a curl
command that replays them, rather than stopping at the first."""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# Cases per operation and mode: 13 operations per object, ten objects in the tests' workspace
# (the standard ones and a custom one), so about 470 requests: 15-40 s on the local stack.
EXAMPLES = 2
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Deterministic runs: the same cases in CI as on a laptop, no example database between runs, no
# shrinking (a finding is reported as found, with its curl command).
_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def fuzz(document: dict[str, Any], *, base_url: str, key: str) -> list[str]:
    """Every finding of one run over the whole document (an empty list when all is well)."""
    schema = schemathesis.openapi.from_dict(document)
    headers = {"Authorization": f"Bearer {key}"}
    findings: list[str] = []
    with requests.Session() as session:
        session.trust_env = False  # loopback only: never through an HTTP(S)_PROXY
        for result in schema.get_all_operations():
            try:
                operation = result.ok()
            except Exception:  # noqa: BLE001 - an operation the fuzzer cannot read is a finding
                findings.append(f"unreadable operation: {result.err()}")
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                finding = _run(operation, mode, base_url, headers, session)
                if finding is not None:
                    findings.append(finding)
    return findings


def _run(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    session: requests.Session,
) -> str | None:
    """The first finding of `operation` in `mode`, or None."""
    found: list[str] = []

    @_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        if found:
            return
        response = case.call(base_url=base_url, headers=headers, session=session, timeout=15)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as failures:
            found.append(f"[{mode.value}] {operation.label}\n{failures}")

    try:
        send()
    except Unsatisfiable:  # nothing to send in this mode (say, no input to make invalid)
        return None
    return found[0] if found else None
