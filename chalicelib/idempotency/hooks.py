"""Where REST writes meet their Idempotency-Key (issue 14): `rest/endpoint.py` runs every POST,
PATCH, PUT and DELETE through `guard_rest_write`.

Without the header the write runs as before, with no DynamoDB call added. With it the flow of
guard.py runs around the view: the first answer (a success or a 4xx, both decided) is stored
and answered again to a retry; a 5xx or 429 releases the key so a retry really retries.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from chalice import Response

from chalicelib.context import RequestContext
from chalicelib.errors import CrmError
from chalicelib.idempotency.header import idempotency_key_of
from chalicelib.rest.errors import error_response

JSON = "application/json"


class _Call(Protocol):
    """What the hook needs of rest/endpoint.RestCall (imported from there it would loop)."""

    @property
    def request(self) -> Any: ...

    @property
    def ctx(self) -> RequestContext: ...


def guard_rest_write(call: _Call, run: Callable[[], Response]) -> Response:
    """Run a REST write under its Idempotency-Key, if it has one."""
    key_text = idempotency_key_of(call.request.headers)
    if key_text is None:
        return run()
    # Loaded with the first keyed request: `import app` (the cold start) never needs them.
    from chalicelib.idempotency.fingerprint import fingerprint_of
    from chalicelib.idempotency.guard import REPLAYED_HEADER, RETRYABLE_CODES, begin, settle
    from chalicelib.storage.idempotency import marking_writes

    with marking_writes() as binding:
        replay = begin(call.ctx.principal, key_text, fingerprint_of(call.request), binding)
        if replay is not None:
            headers = {"Content-Type": replay.answer.content_type, REPLAYED_HEADER: "true"}
            return Response(
                body=replay.body.decode("utf-8"),
                status_code=replay.answer.status,
                headers=headers,
            )
        code = None
        try:
            response = run()
        except CrmError as exc:
            code = exc.code
            response = error_response(exc)
        except Exception:
            settle(binding, 500, JSON, b"", retryable=True)
            raise
        status = response.status_code
        retryable = status >= 500 or status == 429 or code in RETRYABLE_CODES
        content_type = _header(response, "Content-Type") or JSON
        settle(binding, status, content_type, _body_bytes(response.body), retryable=retryable)
        return response


def _header(response: Response, name: str) -> str | None:
    for key, value in (response.headers or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _body_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if body is None:
        return b""
    return json.dumps(body, separators=(",", ":")).encode("utf-8")
