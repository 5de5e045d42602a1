"""The base URL a client used to reach this API: scheme, host and, behind API Gateway, the
stage (or custom-domain base path) in front of the app's own routes."""

from __future__ import annotations

import re

from chalice.app import Request

# A host name or address with an optional port; anything else in Host is not echoed back.
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")
_PREFIX = re.compile(r"^(?:/[A-Za-z0-9._~\-]+)*$")


def request_base_url(request: Request) -> str:
    """`https://abc.execute-api.eu-west-1.amazonaws.com/api` behind API Gateway (the stage
    `api`), `http://127.0.0.1:8000` locally: what comes before the route's own path."""
    return f"{_scheme(request)}://{_host(request)}{_prefix(request)}"


def _scheme(request: Request) -> str:
    # API Gateway sets X-Forwarded-Proto (always https); the local stack serves plain http.
    forwarded = (request.headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return forwarded if forwarded in ("http", "https") else "http"


def _host(request: Request) -> str:
    context = request.context or {}
    for candidate in (request.headers.get("host"), context.get("domainName")):
        if candidate and _HOST.match(candidate.strip()):
            return candidate.strip()
    return "localhost"


def _prefix(request: Request) -> str:
    """The path in front of the route: requestContext.path is the path the client asked for
    (`/api/rest/open-api/core`: stage included on the execute-api host, base path on a custom
    domain), resourcePath the route (`/rest/open-api/core`)."""
    context = request.context or {}
    path, route = context.get("path") or "", context.get("resourcePath") or request.path
    if not route or not path.endswith(route):
        return ""
    prefix = path[: len(path) - len(route)].rstrip("/")
    return prefix if _PREFIX.match(prefix) else ""
