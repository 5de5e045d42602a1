"""Chalice entry point: wiring only (blueprints and middleware); all code is in chalicelib/."""

from __future__ import annotations

from chalice import Chalice

from chalicelib.rest.middleware import twenty_error_shape
from chalicelib.rest.record_routes import records
from chalicelib.rest.system_routes import system

app = Chalice(app_name="twenty-serverless-crm")

app.register_middleware(twenty_error_shape, "http")
app.register_blueprint(system)
app.register_blueprint(records, url_prefix="/rest")
