"""The base URL a client used: locally from Host, behind API Gateway with https and the stage
(or a custom domain's base path), and never an unsafe Host echoed back."""

from __future__ import annotations

import pytest
from chalice.app import Request

from chalicelib.rest.base_url import request_base_url

ROUTE = "/rest/open-api/core"


def request(headers: dict[str, str], **context: str) -> Request:
    return Request(
        {
            "multiValueQueryStringParameters": None,
            "headers": headers,
            "pathParameters": None,
            "requestContext": {"httpMethod": "GET", "resourcePath": ROUTE, **context},
            "stageVariables": None,
            "body": None,
        }
    )


def test_locally_it_is_http_and_the_host_asked_for():
    local = request({"host": "127.0.0.1:8000"}, path=ROUTE)
    assert request_base_url(local) == "http://127.0.0.1:8000"


def test_on_the_execute_api_host_it_keeps_https_and_the_stage():
    host = "abc123.execute-api.eu-west-1.amazonaws.com"
    gateway = request(
        {"host": host, "x-forwarded-proto": "https"}, path=f"/api{ROUTE}", stage="api"
    )
    assert request_base_url(gateway) == f"https://{host}/api"


def test_on_a_custom_domain_it_keeps_the_base_path_and_nothing_else():
    mapped = request(
        {"host": "crm.example.com", "x-forwarded-proto": "https"}, path=f"/v1{ROUTE}", stage="api"
    )
    assert request_base_url(mapped) == "https://crm.example.com/v1"
    root = request({"host": "crm.example.com", "x-forwarded-proto": "https"}, path=ROUTE)
    assert request_base_url(root) == "https://crm.example.com"


@pytest.mark.parametrize("host", ['evil.test"><script>', "a b", ""])
def test_an_unsafe_or_missing_host_falls_back_to_the_gateways_domain(host):
    found = request({"host": host}, path=ROUTE, domainName="abc.execute-api.test")
    assert request_base_url(found) == "http://abc.execute-api.test"
