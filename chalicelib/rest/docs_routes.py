"""GET /docs (REST documentation), GET /playground (GraphQL) and their assets; no key needed.

The pages hold no data: they fetch the workspace's OpenAPI documents and run GraphQL queries
with the key the user types into them (`rest/docs_pages.py`, `rest/docs_assets.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from chalice import Blueprint, Response

from chalicelib.errors import CrmError
from chalicelib.rest.errors import error_response, unexpected_error_response

docs = Blueprint(__name__)


def _answer(build: Callable[[], Response]) -> Response:
    try:
        return build()
    except CrmError as exc:
        return error_response(exc)
    except Exception:  # noqa: BLE001 - the API never leaks a traceback
        return unexpected_error_response()


# The pages' modules are imported on first use: they stay out of every other request's start.


def _page(name: str) -> Response:
    from chalicelib.rest.docs_pages import PAGE_HEADERS, page_html

    return Response(body=page_html(name), headers=dict(PAGE_HEADERS))


def _asset(folder: str, name: str) -> Response:
    from chalicelib.rest.docs_assets import IMMUTABLE, find_asset

    asset = find_asset(folder, name)
    headers = {
        "Content-Type": asset.content_type,
        "Cache-Control": IMMUTABLE,
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body=asset.body, headers=headers)


@docs.route("/docs", methods=["GET"])
def docs_page() -> Response:
    return _answer(lambda: _page("docs"))


@docs.route("/playground", methods=["GET"])
def playground_page() -> Response:
    return _answer(lambda: _page("playground"))


@docs.route("/docs/assets/{folder}/{name}", methods=["GET"])
def docs_asset(folder: str, name: str) -> Response:
    return _answer(lambda: _asset(folder, name))
