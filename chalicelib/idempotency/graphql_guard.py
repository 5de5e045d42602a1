"""The Idempotency-Key on GraphQL (POST /graphql and POST /metadata): a request whose selected
operation is a mutation runs under its key, as a REST write does (hooks.py).

The key is claimed in the endpoint's `prepare`, once the document is parsed (mutation or not)
and the API key authenticated; a replay or a refusal is answered from there
(`graphql/http.PreparedAnswer`), before the schema is validated or anything runs. The answer
(the HTTP status and body GraphQL gave) is stored after the response is built. Queries, and
requests without the header, are untouched: no DynamoDB call is added.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from chalice import Response
from chalice.app import Request

from chalicelib import errors
from chalicelib.context import Principal
from chalicelib.graphql.errors import crm_error_entry
from chalicelib.graphql.execution import GraphQLResponse
from chalicelib.graphql.http import PreparedAnswer, respond
from chalicelib.idempotency.fingerprint import fingerprint_of
from chalicelib.idempotency.guard import REPLAYED_HEADER, RETRYABLE_CODES, begin, settle
from chalicelib.idempotency.header import HEADER, idempotency_key_of
from chalicelib.storage.idempotency import Binding, marking_writes

# HTTP statuses of the key's own refusals, as REST gives them: they are about the HTTP request
# (like a 413), not about the operation, so they are not 200-with-errors.
_STATUS_BY_ERROR: tuple[tuple[type[errors.CrmError], int], ...] = (
    (errors.InvalidIdempotencyKeyError, 400),
    (errors.IdempotencyKeyReusedError, 422),
    (errors.ConflictError, 409),
)
# Codes of GraphQL errors that say "nothing was decided, try again" (graphql/errors.py).
_RETRYABLE_GRAPHQL_CODES = frozenset({"TIMEOUT", "INTERNAL_SERVER_ERROR"})


class GraphQLIdempotency:
    """One GraphQL HTTP request's Idempotency-Key: `serving` around the request, `claim` in
    its `prepare`."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self._binding: Binding | None = None

    @contextmanager
    def _marking(self) -> Iterator[Binding]:
        with marking_writes() as binding:
            self._binding = binding
            try:
                yield binding
            finally:
                self._binding = None

    def serve(self, answer: Callable[[], Response]) -> Response:
        """`answer()` (the endpoint's serve_graphql), its answer stored if a key was claimed."""
        if self._request.headers.get(HEADER) is None:
            return answer()
        with self._marking() as binding:
            response = answer()
            if binding.claim is not None:
                status = response.status_code
                body = _body_bytes(response.body)
                retryable = status >= 500 or status == 429 or _only_retryable_errors(body)
                settle(binding, status, "application/json", body, retryable=retryable)
            return response

    def claim(self, principal: Principal, writes: bool) -> None:
        """Claim the key of a mutation (after authentication); raises `PreparedAnswer` when
        the request must not run: a replay, a bad or reused key, a key in use."""
        if not writes or self._binding is None:
            return
        try:
            key_text = idempotency_key_of(self._request.headers)
            assert key_text is not None  # _binding is only set when the header is present
            replay = begin(principal, key_text, fingerprint_of(self._request), self._binding)
        except errors.CrmError as exc:
            raise PreparedAnswer(_refusal(exc)) from exc
        if replay is not None:
            headers = {"Content-Type": replay.answer.content_type, REPLAYED_HEADER: "true"}
            raise PreparedAnswer(
                Response(
                    body=replay.body.decode("utf-8"),
                    status_code=replay.answer.status,
                    headers=headers,
                )
            )


def _refusal(error: errors.CrmError) -> Response:
    status = next((s for cls, s in _STATUS_BY_ERROR if isinstance(error, cls)), 400)
    response = respond(GraphQLResponse(status, {"errors": [crm_error_entry(error)]}))
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _body_bytes(body: object) -> bytes:
    if isinstance(body, bytes):
        return body
    return str(body or "").encode("utf-8")


def _only_retryable_errors(body: bytes) -> bool:
    """Whether the answer carries errors and every one says "try again" (a storage timeout,
    throttling, an internal error): the mutations that failed decided nothing."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    found = parsed.get("errors") if isinstance(parsed, dict) else None
    if not found:
        return False
    for error in found:
        extensions = error.get("extensions") or {}
        if not (
            extensions.get("code") in _RETRYABLE_GRAPHQL_CODES
            or extensions.get("subCode") in RETRYABLE_CODES
        ):
            return False
    return True
