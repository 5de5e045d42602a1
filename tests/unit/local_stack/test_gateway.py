"""Chalice's local gateway, patched: an unknown path is Twenty's 404 and quotes no header."""

from __future__ import annotations

import json

import pytest
from chalice import Chalice
from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException

from chalicelib.rest.errors import error_body
from local_stack.gateway import install

KEY = "crm_secret_key_0123456789"


@pytest.fixture
def gateway() -> LocalGateway:
    install()
    app = Chalice(app_name="gateway-test")

    @app.route("/things/{thing_id}", methods=["POST"])
    def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    return LocalGateway(app, Config())


def refusal(gateway: LocalGateway, method: str, path: str) -> LocalGatewayException:
    headers = {"authorization": f"Bearer {KEY}", "cookie": "session=abc"}
    with pytest.raises(LocalGatewayException) as raised:
        gateway.handle_request(method, path, headers, None)
    return raised.value


@pytest.mark.parametrize("path", ["/", "/nope", "/things", "/things/1/more"])
def test_an_unknown_path_is_a_404_in_twentys_error_shape(gateway, path):
    error = refusal(gateway, "GET", path)
    assert error.CODE == 404
    assert error.headers == {"Content-Type": "application/json"}
    assert json.loads(error.body) == error_body(404, [f"Cannot GET {path}"], "ROUTE_NOT_FOUND")


def test_the_answer_quotes_neither_the_authorization_header_nor_the_query_string(gateway):
    error = refusal(gateway, "DELETE", f"/nope?token={KEY}&x=1")
    assert json.loads(error.body)["messages"] == ["Cannot DELETE /nope"]
    assert KEY not in error.body.decode() and "session" not in error.body.decode()


def test_known_paths_still_reach_the_app_even_with_an_unsupported_method(gateway):
    served = gateway.handle_request("POST", "/things/7", {}, b"")
    assert served["statusCode"] == 200 and json.loads(served["body"]) == {"id": "7"}
    # A known path with another method is the app's own 405, as before.
    assert gateway.handle_request("GET", "/things/7", {}, None)["statusCode"] == 405


def test_installing_twice_wraps_the_gateway_once():
    install()
    patched = LocalGateway.handle_request
    install()
    assert LocalGateway.handle_request is patched
