"""The lean wire path of the hot reads: requests built and signed here, answers read with one
`json.loads` (orjson, storage/fast_json.py), botocore's events kept.

1. The answer. botocore turns every answer into Python by walking the operation's output
model: for a Query of 61 records that is ~20,000 calls (each item a map of attribute values,
each a structure of type keys), more CPU than the rest of a REST page of 60 records. DynamoDB's
JSON answer already *is* that structure: the walk only converts binary values (base64 text to
bytes) and timestamps, and drops keys the model does not know. So the answers of the item
operations are decoded with `json.loads` when they cannot hold either: only operations whose
outputs have no timestamp, and only answers without a binary attribute value (no record, key
or metadata item has one; the webhook delivery log does, and keeps botocore's parse). Errors
and every other operation keep botocore's parser. `LeanResponseParsers` is installed on the
container's botocore session (storage/connection.py), so every client of the session,
pynamodb's included, reads answers this way.

2. The request. Building a request costs botocore more than DynamoDB's answer does: per call it
resolves the endpoint from its rule set, walks the input model to serialise the parameters,
builds a user agent, and signs through generic header classes (~0.3 ms of CPU per call here;
a nested read makes 130 calls). `call` sends GetItem, Query and BatchGetItem the short way:
the parameters encoded by orjson, SigV4 computed here (checked against botocore's signer in
tests/unit/storage/test_wire.py), and the request handed to the client's own HTTP session (its
pool, timeouts and TLS settings) for the endpoint the client was created with. botocore's
events still fire on the client, in botocore's order and with its arguments:
`provide-client-params` and `before-parameter-build` (observability notes the call there),
`before-call` (the meter and fault injection may answer the call themselves), `before-send`
(where moto answers locally), `after-call` (capacity recorded, calls counted) or
`after-call-error`. Errors are raised as botocore raises them (the client's modeled ClientError
classes, botocore's transport errors) and retried by storage/retry.py as before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any
from urllib.parse import urlsplit

import orjson
from botocore.awsrequest import AWSPreparedRequest, HeadersDict
from botocore.exceptions import NoCredentialsError
from botocore.parsers import JSONParser, ResponseParserFactory
from botocore.utils import lowercase_dict

from chalicelib.storage.connection import shared_connection
from chalicelib.storage.fast_json import loads_short_numbers
from chalicelib.storage.retry import with_retries

# Output shapes made of item attribute values, counts, keys and consumed capacity only.
_ITEM_OUTPUTS = frozenset(
    {
        "GetItemOutput",
        "BatchGetItemOutput",
        "QueryOutput",
        "ScanOutput",
        "TransactGetItemsOutput",
        "PutItemOutput",
        "UpdateItemOutput",
        "DeleteItemOutput",
        "BatchWriteItemOutput",
        "TransactWriteItemsOutput",
    }
)
# A binary ("B") or binary-set ("BS") attribute value: botocore would turn its base64 text into
# bytes. The marker is the key "B" or "BS" and its colon. Inside a string value every quote is
# escaped (`\"B\":`), so it is found only as a type key, or as a map key named "B" or "BS" (a
# harmless false positive: botocore parses). One compiled search, ~53 µs on a quote-heavy answer
# of 100 records here, where two `in` tests took ~130.
_BINARY_MARKER = re.compile(rb'"BS?"(?=\s*:)')


def decodes_directly(status: int, shape_name: str | None, body: bytes) -> bool:
    """Whether `json.loads` of `body` equals what botocore's parser would return (metadata
    aside)."""
    return status < 300 and shape_name in _ITEM_OUTPUTS and _BINARY_MARKER.search(body) is None


def encode_request(params: dict[str, Any]) -> bytes:
    """The JSON body of a request: orjson's compact UTF-8 (DynamoDB reads UTF-8 JSON), 7 µs
    against `json.dumps`'s 100 for a BatchGetItem of 100 keys here. What orjson refuses (a lone
    surrogate, an integer past 64 bits, a key that is not a string) is written by `json.dumps`,
    as before, and DynamoDB answers it as it always did."""
    try:
        return orjson.dumps(params)
    except orjson.JSONEncodeError:
        return json.dumps(params).encode("utf-8")


class LeanJSONParser(JSONParser):
    """botocore's parser of the DynamoDB (JSON) protocol, short-cut for item answers."""

    def parse(self, response: dict[str, Any], shape: Any) -> Any:
        body = response["body"]
        if not body or not decodes_directly(
            response["status_code"], shape.name if shape is not None else None, body
        ):
            return super().parse(response, shape)
        parsed = loads_short_numbers(body)
        # As botocore's parse adds it: callers (and after-call hooks) may read it.
        headers = response["headers"]
        metadata: dict[str, Any] = {}
        if "x-amzn-requestid" in headers:
            metadata["RequestId"] = headers["x-amzn-requestid"]
        metadata["HTTPStatusCode"] = response["status_code"]
        metadata["HTTPHeaders"] = lowercase_dict(headers)
        parsed["ResponseMetadata"] = metadata
        return parsed


class LeanResponseParsers(ResponseParserFactory):
    """botocore's parser factory, with the lean parser for the JSON protocol (DynamoDB's)."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return LeanJSONParser(**self._defaults)
        return super().create_parser(protocol_name)


# -- the request -----------------------------------------------------------------------------

# The hot reads sent the lean way; everything else goes through botocore whole.
LEAN_OPERATIONS = frozenset({"GetItem", "Query", "BatchGetItem"})
_ALGORITHM = "AWS4-HMAC-SHA256"
_SERVICE = "dynamodb"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


class SigV4:
    """AWS Signature Version 4 of a DynamoDB JSON request (POST to `/`, no query string).

    The same signature as botocore's SigV4Auth for the headers DynamoDB requests carry; the
    signing key is derived once per day and secret, not per request."""

    def __init__(self, region: str, host: str) -> None:
        self._region = region
        self._host = host
        self._key: tuple[str, str, bytes] | None = None  # (date, secret, key)

    def _signing_key(self, secret: str, date: str) -> bytes:
        cached = self._key
        if cached is not None and cached[0] == date and cached[1] == secret:
            return cached[2]
        key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), date), self._region), _SERVICE),
                    "aws4_request")  # fmt: skip
        self._key = (date, secret, key)
        return key

    def sign(
        self,
        headers: dict[str, str],
        body: bytes,
        access_key: str,
        secret: str,
        token: str | None,
        timestamp: str,
    ) -> None:
        """Add X-Amz-Date (`timestamp`, e.g. 20261207T103000Z), the session token and the
        Authorization header to `headers` (which hold Content-Type and X-Amz-Target)."""
        headers["X-Amz-Date"] = timestamp
        if token:
            headers["X-Amz-Security-Token"] = token
        # Every header sent is signed except User-Agent (botocore's SigV4 rule), plus Host.
        signed = {name.lower(): " ".join(value.split()) for name, value in headers.items()}
        signed.pop("user-agent", None)
        signed["host"] = self._host
        names = sorted(signed)
        canonical = "\n".join(
            (
                "POST",
                "/",
                "",
                "".join(f"{name}:{signed[name]}\n" for name in names),
                ";".join(names),
                hashlib.sha256(body).hexdigest(),
            )
        )
        date = timestamp[:8]
        scope = f"{date}/{self._region}/{_SERVICE}/aws4_request"
        to_sign = "\n".join(
            (_ALGORITHM, timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest())
        )
        signature = hmac.new(
            self._signing_key(secret, date), to_sign.encode(), hashlib.sha256
        ).hexdigest()
        headers["Authorization"] = (
            f"{_ALGORITHM} Credential={access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )


class LeanSender:
    """The lean path on one botocore client (see the module's docstring)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        meta = client.meta
        self._events = meta.events
        self._service = meta.service_model
        self._service_id = self._service.service_id.hyphenize()
        self._url = meta.endpoint_url.rstrip("/") + "/"
        self._signer = SigV4(meta.region_name, _canonical_host(self._url))
        self._target = self._service.metadata["targetPrefix"] + "."
        self._content_type = f"application/x-amz-json-{self._service.metadata['jsonVersion']}"
        self._parser = LeanJSONParser()
        self._context = {
            "client_region": meta.region_name,
            "client_config": meta.config,
            "has_streaming_input": False,
            "auth_type": "v4",
        }
        self._models: dict[str, Any] = {}

    def _model(self, operation: str) -> Any:
        model = self._models.get(operation)
        if model is None:
            model = self._models[operation] = self._service.operation_model(operation)
        return model

    def send(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        model = self._model(operation)
        events, suffix = self._events, f"{self._service_id}.{operation}"
        context = dict(self._context)
        # As pynamodb's dispatch did for these calls: DynamoDB reports what each call consumed.
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
        # As botocore's `_emit_api_params`: a handler may replace or amend the parameters.
        answers = events.emit(
            f"provide-client-params.{suffix}", params=params, model=model, context=context
        )
        params = next((answer for _, answer in answers if answer is not None), params)
        events.emit(f"before-parameter-build.{suffix}", params=params, model=model, context=context)
        body = encode_request(params)
        request_dict = {
            "url_path": "/",
            "query_string": "",
            "method": "POST",
            "headers": {"X-Amz-Target": self._target + operation},
            "body": body,
            "url": self._url,
            "context": context,
        }
        _, answered = events.emit_until_response(
            f"before-call.{suffix}",
            model=model,
            params=request_dict,
            request_signer=self.client._request_signer,  # noqa: SLF001
            context=context,
        )
        if answered is not None:
            http, parsed = answered
        else:
            try:
                http, parsed = self._exchange(model, suffix, body, operation, context)
            except Exception as exc:
                events.emit(f"after-call-error.{suffix}", exception=exc, context=context)
                raise
        events.emit(
            f"after-call.{suffix}", http_response=http, parsed=parsed, model=model, context=context
        )
        if http.status_code >= 300:
            error = parsed.get("Error", {})
            code = context.get("error_code_override") or error.get("Code")
            raise self.client.exceptions.from_code(code)(parsed, operation)
        return parsed

    def _exchange(
        self, model: Any, suffix: str, body: bytes, operation: str, context: dict[str, Any]
    ) -> tuple[Any, dict[str, Any]]:
        credentials = self.client._request_signer._credentials  # noqa: SLF001
        if credentials is None:
            raise NoCredentialsError()
        frozen = credentials.get_frozen_credentials()
        headers = {"X-Amz-Target": self._target + operation, "Content-Type": self._content_type}
        timestamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self._signer.sign(
            headers, body, frozen.access_key, frozen.secret_key, frozen.token, timestamp
        )
        headers["Content-Length"] = str(len(body))
        request = AWSPreparedRequest(
            "POST", self._url, HeadersDict(headers), body, False, context=context
        )
        responses = self._events.emit(f"before-send.{suffix}", request=request)
        http = next((answer for _, answer in responses if answer is not None), None)
        if http is None:
            http = self.client._endpoint.http_session.send(request)  # noqa: SLF001
        response = {
            "headers": http.headers,
            "status_code": http.status_code,
            "body": http.content,
            "context": context,
        }
        parsed = self._parser.parse(response, model.output_shape)
        if http.status_code >= 300:
            self._add_error_fields(response, parsed)
        parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
        return http, parsed

    def _add_error_fields(self, response: dict[str, Any], parsed: dict[str, Any]) -> None:
        """The members of a modeled error besides its code and message, as botocore's endpoint
        adds them: a failed condition's `Item` (ReturnValuesOnConditionCheckFailure)."""
        code = parsed.get("Error", {}).get("Code")
        shape = self._service.shape_for_error_code(code) if code else None
        if shape is not None:
            parsed.update(self._parser.parse(response, shape))


def _canonical_host(url: str) -> str:
    """The Host header botocore signs: the URL's host, without the scheme's default port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


_sender: LeanSender | None = None


def _sender_for(client: Any) -> LeanSender:
    global _sender
    sender = _sender
    if sender is None or sender.client is not client:
        # pynamodb makes a new client when the old one lost its credentials: follow it.
        sender = _sender = LeanSender(client)
    return sender


def call(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """storage/connection.call, the lean way for GetItem, Query and BatchGetItem: one call,
    retried with backoff while DynamoDB throttles it or fails to answer (storage/retry.py)."""
    if operation not in LEAN_OPERATIONS:
        return with_retries(lambda: shared_connection().dispatch(operation, request))
    return with_retries(lambda: send(operation, request))


def send(operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """One attempt of any single-item or read operation the lean way, errors raised as botocore
    raises them (no retry: the caller's policy decides). The rate limiter's UpdateItem, made by
    every authenticated request, goes this way."""
    return _sender_for(shared_connection().client).send(operation, request)
