"""What makes two requests "the same request" for an Idempotency-Key."""

from __future__ import annotations

import hashlib
import json

from chalice.app import Request


def fingerprint_of(request: Request) -> str:
    """SHA-256 of the method, the path (route and its parameters), the query string and the
    body's exact bytes.

    Byte-exact on the body: a retry resends what it sent, and any other rule (key order,
    spacing) would be a guess at which differences do not matter. The route pattern and its
    parameters name the path whatever stage prefix API Gateway puts in front of it.
    """
    query = request.query_params
    line = json.dumps(
        [
            request.method,
            request.path,
            sorted((request.uri_params or {}).items()),
            sorted((name, query.getlist(name)) for name in query) if query else [],
        ],
        separators=(",", ":"),
    )
    digest = hashlib.sha256(line.encode())
    digest.update(b"\n")
    digest.update(request.raw_body or b"")
    return digest.hexdigest()
