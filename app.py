"""Chalice entry point: wiring only (blueprints, middleware, the stream and queue handlers)."""

from __future__ import annotations

import gc

# Importing the app allocates ~37,000 objects that live as long as the container and leaves
# almost no garbage (~400 objects over ~90 collections here): the collector's passes during the
# import are ~25 ms of a cold start (bench/coldstart.py, alternating runs) and find nothing.
gc.disable()

# The heavy third-party stack is imported first, from the shallowest frames. On CPython 3.11 a
# call that crosses a boundary of the interpreter's frame stack (16 KB chunks) maps a chunk and
# unmaps it on return, every time (python/cpython#142183, fixed in later 3.13 releases). urllib3
# compiles its IPv6 patterns by deep recursion: reached through chalicelib's import chain
# (routes, endpoint, admission, storage, botocore), it crossed a boundary ~6,000 times from
# `python -c "import app"`, and 600 to 2,500 times from deeper callers; imported here first,
# 2 to 40 times from callers up to 20 frames deeper (~75 ms less of a cold start here, most of it
# page faults). urllib3 comes before botocore, which would import it from deeper down.
# tests/unit/test_import_budget.py checks the order.
import urllib3  # noqa: F401

# isort: split
import botocore.session  # noqa: F401
import pynamodb.models  # noqa: F401
from chalice import Chalice
from chalice.app import DynamoDBEvent, SQSEvent

from chalicelib import streams
from chalicelib.graphql.metadata_routes import metadata_graphql_routes
from chalicelib.graphql.routes import graphql_routes
from chalicelib.rest.api_key_routes import api_key_routes
from chalicelib.rest.changes_routes import changes
from chalicelib.rest.docs_routes import docs
from chalicelib.rest.group_by_routes import group_by
from chalicelib.rest.merge_routes import merges
from chalicelib.rest.metadata_routes import metadata
from chalicelib.rest.middleware import twenty_error_shape
from chalicelib.rest.open_api_routes import open_api
from chalicelib.rest.record_routes import records
from chalicelib.rest.request_limits import request_limits
from chalicelib.rest.request_scope import request_scope
from chalicelib.rest.system_routes import system
from chalicelib.rest.webhook_routes import webhook_routes
from chalicelib.webhooks import queue as webhook_queue

app = Chalice(app_name="twenty-serverless-crm")

# Outermost: the request's state (its log line and rate-limit headers) covers everything; then
# the deadline starts, and the size guard sees the final response.
app.register_middleware(request_scope, "http")
app.register_middleware(request_limits, "http")
app.register_middleware(twenty_error_shape, "http")
app.register_blueprint(system)
app.register_blueprint(docs)
app.register_blueprint(metadata, url_prefix="/rest/metadata")
app.register_blueprint(api_key_routes, url_prefix="/rest/metadata")
app.register_blueprint(webhook_routes, url_prefix="/rest/metadata")
app.register_blueprint(open_api, url_prefix="/rest")
app.register_blueprint(group_by, url_prefix="/rest")
app.register_blueprint(changes, url_prefix="/rest")
app.register_blueprint(records, url_prefix="/rest")
app.register_blueprint(merges, url_prefix="/rest")
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


# Webhook deliveries waiting for an attempt (infra/ points the event source at the real queue).
@app.on_sqs_message(
    queue_arn=webhook_queue.delivery_queue_arn(), batch_size=webhook_queue.BATCH_SIZE
)
def on_webhook_delivery(event: SQSEvent) -> dict[str, object]:
    # Imported here: an API container never delivers, and `import app` is its cold start.
    from chalicelib.webhooks import delivery

    return delivery.handle_queue_batch(event)


# What `import app` created lives as long as the container: kept out of the collector's full
# passes, a full pass of a warm container takes ~7 ms here instead of ~17 (and the first request,
# which allocates botocore's client, runs a few of them). Collection resumes for the requests.
gc.freeze()
gc.enable()
