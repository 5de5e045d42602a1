"""Unauthenticated operational routes."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.rest.endpoint import json_response

system = Blueprint(__name__)


@system.route("/healthz", methods=["GET"])
def healthz() -> Response:
    return json_response({"status": "ok"})
