"""GET /docs, /playground and their assets through the Chalice app: no key, strict headers."""

from __future__ import annotations

import json
import re

import pytest

PAGES = ("/docs", "/playground")
CONTENT_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml; charset=utf-8",
}


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(docs/assets/[^"]+)"', html)


@pytest.mark.parametrize("path", PAGES)
def test_a_page_is_served_without_a_key_under_a_strict_content_security_policy(client, path):
    response = client.http.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = dict(
        directive.split(" ", 1)
        for directive in response.headers["Content-Security-Policy"].split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<title>" in response.body.decode() and "Twenty" in response.body.decode()


@pytest.mark.parametrize("path", PAGES)
def test_every_asset_a_page_names_is_served_with_its_type_and_a_long_cache(client, path):
    urls = asset_urls(client.http.get(path).body.decode())
    assert len(urls) >= 4
    for url in urls:
        response = client.http.get("/" + url)
        assert response.status_code == 200, url
        expected_type = CONTENT_TYPES[url.rsplit(".", 1)[1]]
        assert response.headers["Content-Type"] == expected_type, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.body, url


def test_an_asset_outside_the_catalogue_is_a_404_in_twentys_error_shape(client):
    response = client.http.get("/docs/assets/swagger-ui-dist-5.36.0/LICENSE")
    assert response.status_code == 404
    assert json.loads(response.body) == {
        "statusCode": 404,
        "error": "NotFoundException",
        "messages": ["Cannot GET /docs/assets/swagger-ui-dist-5.36.0/LICENSE"],
        "code": "ROUTE_NOT_FOUND",
    }


def test_a_page_ignores_a_key_and_needs_none(client):
    # A bad key changes nothing: the page holds no data and asks for the key itself.
    response = client.http.get("/docs", headers={"Authorization": "Bearer not-a-key"})
    assert response.status_code == 200
