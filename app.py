"""Chalice entry point: wiring only (blueprints, middleware, the stream handler)."""

from __future__ import annotations

from chalice import Chalice
from chalice.app import DynamoDBEvent

from chalicelib import streams
from chalicelib.graphql.metadata_routes import metadata_graphql_routes
from chalicelib.graphql.routes import graphql_routes
from chalicelib.rest.metadata_routes import metadata
from chalicelib.rest.middleware import twenty_error_shape
from chalicelib.rest.record_routes import records
from chalicelib.rest.request_limits import request_limits
from chalicelib.rest.system_routes import system

app = Chalice(app_name="twenty-serverless-crm")

# Outermost: the deadline starts first, and the size guard sees the final response.
app.register_middleware(request_limits, "http")
app.register_middleware(twenty_error_shape, "http")
app.register_blueprint(system)
app.register_blueprint(metadata, url_prefix="/rest/metadata")
app.register_blueprint(records, url_prefix="/rest")
app.register_blueprint(graphql_routes)
app.register_blueprint(metadata_graphql_routes)


# The main table's stream (infra/ points the event source at the real table's StreamArn).
@app.on_dynamodb_record(
    stream_arn=streams.main_table_stream_arn(),
    batch_size=streams.STREAM_BATCH_SIZE,
    starting_position="LATEST",
)
def on_main_table_change(event: DynamoDBEvent) -> dict[str, object]:
    return streams.handle_stream_batch(event)
