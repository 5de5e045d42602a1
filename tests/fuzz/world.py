"""A fuzzed workspace and the one way to talk to it: raw bytes in, (status, text, JSON) out.

The same `FuzzWorld` drives the in-process app (chalice.test.Client over moto) and the real
local stack (run_local.py over loopback sockets): only the transport differs. Requests are sent
as raw bytes so that the fuzzers control every byte of a body and of a query string.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from graphql import GraphQLSchema, build_client_schema, get_introspection_query

from tests.http.local_stack import Stack

# (method, path with query string, body, headers) -> (status, response body).
Transport = Callable[[str, str, bytes | None, dict[str, str]], tuple[int, bytes]]

NOT_JSON = object()
# Loopback only: never let an HTTP(S)_PROXY from the environment see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True, slots=True)
class Answer:
    """One response; `json` is NOT_JSON when the body does not parse."""

    status: int
    text: str
    json: Any

    def __str__(self) -> str:
        return f"{self.status} {self.text[:2000]}"


@dataclass
class FuzzWorld:
    """A workspace to fuzz: its key, the ids of its seeded records, cursors of several lists."""

    transport: Transport
    key: str
    # plural -> ids of records seeded in this workspace.
    seeds: dict[str, list[str]] = field(default_factory=dict)
    # Record ids of another workspace (empty over HTTP, where the stack has one workspace).
    foreign_ids: list[str] = field(default_factory=list)
    # Real cursors: of this list, of other sorts, other objects and another workspace.
    cursors: list[str] = field(default_factory=list)
    _schema: GraphQLSchema | None = None

    def send(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        *,
        key: str | None = "default",
        content_type: str = "application/json",
    ) -> Answer:
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        token = self.key if key == "default" else key
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        status, raw = self.transport(method, path, data, headers)
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(raw) if raw else NOT_JSON
        except ValueError:
            parsed = NOT_JSON
        return Answer(status, text, parsed)

    def rest(self, method: str, path: str, body: Any = None) -> Answer:
        """A JSON request (bodies that are not bytes or text are serialised)."""
        if body is not None and not isinstance(body, bytes | str):
            body = json.dumps(body)
        return self.send(method, path, body)

    def graphql(self, query: str, variables: Any = None) -> Answer:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        return self.send("POST", "/graphql", json.dumps(payload))

    @property
    def schema(self) -> GraphQLSchema:
        """The workspace's core schema as a client sees it: introspected once."""
        if self._schema is None:
            answer = self.graphql(get_introspection_query())
            assert answer.status == 200 and "errors" not in answer.json, answer
            self._schema = build_client_schema(answer.json["data"])
        return self._schema


def query_string(**params: str) -> str:
    """`?a=..&b=..` with every value percent-encoded (so `%`, `&`, `#` and `+` stay values)."""
    if not params:
        return ""
    return "?" + "&".join(f"{name}={url_quote(value)}" for name, value in params.items())


def url_quote(value: str) -> str:
    # A lone surrogate has no UTF-8 form: sent as the bytes Python would write for it, which a
    # server must refuse as invalid UTF-8 rather than fail on.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


# --- transports


def chalice_transport(http: Any) -> Transport:
    """Requests through chalice.test.Client (in-process, moto behind it)."""

    def send(method: str, path: str, body: bytes | None, headers: dict[str, str]):
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["body"] = body
        response = getattr(http, method.lower())(path, **kwargs)
        raw = response.body
        return response.status_code, raw if isinstance(raw, bytes) else str(raw or "").encode()

    return send


def socket_transport(base_url: str) -> Transport:
    """Requests to the local stack over loopback sockets."""

    def send(method: str, path: str, body: bytes | None, headers: dict[str, str]):
        request = urllib.request.Request(base_url + path, data=body, headers=headers, method=method)
        try:
            with _OPENER.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read()

    return send


# --- seeding

_COMPANIES = [
    {
        "name": "Acme",
        "employees": 10,
        "idealCustomerProfile": True,
        "domainName": {"primaryLinkUrl": "https://acme.io"},
        "address": {"addressCity": "Paris"},
    },
    {
        "name": "acme labs",
        "employees": 0,
        "annualRecurringRevenue": {"amountMicros": 1_000_000, "currencyCode": "EUR"},
    },
    {"name": "Globex, Inc", "employees": 250},
    {"name": "", "idealCustomerProfile": False},
    {"name": "Ünïcödé 日本"},
]
_PEOPLE = [
    {
        "name": {"firstName": "Ada", "lastName": "Lovelace"},
        "emails": {"primaryEmail": "ada@example.com"},
        "city": "London",
    },
    {"name": {"firstName": "Grace", "lastName": "Hopper"}, "jobTitle": "Admiral"},
    {"emails": {"primaryEmail": "alan@example.com", "additionalEmails": ["a@b.co"]}},
]


def _ids(answer: Answer, plural: str) -> list[str]:
    assert answer.status == 201, answer
    [records] = answer.json["data"].values()
    return [record["id"] for record in records]


def _page_cursors(world: FuzzWorld, path: str) -> list[str]:
    answer = world.rest("GET", path)
    assert answer.status == 200, answer
    info = answer.json["pageInfo"]
    return [cursor for cursor in (info["startCursor"], info["endCursor"]) if cursor]


def seed(world: FuzzWorld) -> FuzzWorld:
    """A few records of two related objects and cursors of several lists of them."""
    companies = _ids(world.rest("POST", "/rest/batch/companies", _COMPANIES), "companies")
    people = [dict(person, companyId=companies[i]) for i, person in enumerate(_PEOPLE)]
    world.seeds = {
        "companies": companies,
        "people": _ids(world.rest("POST", "/rest/batch/people", people), "people"),
    }
    for path in (
        "/rest/companies?limit=2",
        "/rest/companies?limit=2&order_by=name[DescNullsLast]",
        "/rest/people?limit=1",
    ):
        world.cursors += _page_cursors(world, path)
    return world


# Paths indexed in the in-process world on top of a new workspace's own indexes (createdAt,
# name, join columns...), so that index-served lists of numbers, dates, composite sub-fields
# and select values are fuzzed too. Over HTTP the demo workspace keeps its own indexes only.
INDEXED = {
    "companies": ("employees", "address.addressCity"),
    "people": ("city", "emails.primaryEmail"),
    "opportunities": ("amount.amountMicros", "closeDate"),
}


def seed_world(http: Any) -> FuzzWorld:
    """The in-process world: a seeded workspace with indexes, and another workspace for foreign
    ids and cursors."""
    from chalicelib.metadata.index_admin import add_index
    from chalicelib.wiring import record_store
    from tests.support import make_tenant

    other = seed(FuzzWorld(chalice_transport(http), make_tenant("Other").token))
    tenant = make_tenant("Fuzzed")
    world = seed(FuzzWorld(chalice_transport(http), tenant.token))
    for plural, paths in INDEXED.items():
        for path in paths:
            add_index(record_store(), tenant.workspace_id, plural, path)
    world.foreign_ids = [record for ids in other.seeds.values() for record in ids]
    world.cursors += other.cursors
    return world


@dataclass
class HttpWorld:
    """The local stack's demo workspace, seeded like the in-process one."""

    stack: Stack
    world: FuzzWorld

    @classmethod
    def seeded(cls, stack: Stack) -> HttpWorld:
        return cls(stack, seed(FuzzWorld(socket_transport(stack.api), stack.key)))
