"""GraphQL cases (issue #5): a page of 60 people with 10 fields, companies with their people and
account owner nested, and a 60-record createCompanies; each against raw boto3 doing the same
minimal DynamoDB calls and building the same JSON answer. Also the schema build times.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bench.baseline import RawDynamo, _key
from bench.cases import BATCH_SIZE, LIST_LIMIT, Call, Case, http
from bench.world import World
from chalicelib.metadata.model import FieldDef, FieldType, ObjectDef, SelectOption
from chalicelib.storage import keys

# Ten fields of a person, and how GraphQL selects them (composites whole).
PEOPLE_FIELDS = {
    "id": "",
    "name": "{ firstName lastName }",
    "emails": "{ primaryEmail additionalEmails }",
    "jobTitle": "",
    "city": "",
    "companyId": "",
    "createdAt": "",
    "updatedAt": "",
    "position": "",
    "linkedinLink": "{ primaryLinkUrl primaryLinkLabel secondaryLinks }",
}
_SELECTION = " ".join(f"{name} {sub}".strip() for name, sub in PEOPLE_FIELDS.items())
PEOPLE_QUERY = (
    f"query {{ people(first: {LIST_LIMIT}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
    f"edges {{ cursor node {{ {_SELECTION} }} }} }} }}"
)
NESTED_QUERY = (
    f"query {{ companies(first: {LIST_LIMIT}) {{ totalCount edges {{ node {{ id name "
    "accountOwner { id name { firstName lastName } } "
    "people(first: 5) { totalCount edges { node { id jobTitle } } } } } } }"
)
CREATE_MUTATION = "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id name } }"
_serial = itertools.count()


def _companies(tag: str) -> list[dict[str, Any]]:
    n = next(_serial)
    return [
        {"name": f"GQL {tag} {n}-{i}", "domainName": {"primaryLinkUrl": f"gql-{tag}-{n}-{i}.io"}}
        for i in range(BATCH_SIZE)
    ]


def _cursor(record_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([record_id, "tag"]).encode()).decode()


def _select(body: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {name: body.get(name) for name in fields}


class RawGraphQL(RawDynamo):
    """The same reads and writes a hand-written GraphQL Lambda would make, answer included."""

    def people_page(self, object_id: str, fields: list[str]) -> str:
        self._authorize()
        records, total = self._page(object_id, LIST_LIMIT)
        edges = [{"cursor": _cursor(r["id"]), "node": _select(r, fields)} for r in records]
        return json.dumps({"data": {"people": {"totalCount": total, "edges": edges}}})

    def nested(self, companies: str, people: str, members: str) -> str:
        """Page of companies; owners in one BatchGetItem; people in one read, grouped."""
        self._authorize()
        records, total = self._page(companies, LIST_LIMIT)
        owners = self._batch_get(
            members, {r["accountOwnerId"] for r in records if r.get("accountOwnerId")}
        )
        by_company: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for person in self._scan(people):
            by_company[person.get("companyId") or ""].append(person)
        edges = []
        for record in records:
            owner = owners.get(record.get("accountOwnerId") or "")
            children = by_company.get(record["id"], [])
            edges.append(
                {
                    "node": {
                        "id": record["id"],
                        "name": record.get("name"),
                        "accountOwner": owner and {"id": owner["id"], "name": owner.get("name")},
                        "people": {
                            "totalCount": len(children),
                            "edges": [
                                {"node": {"id": c["id"], "jobTitle": c.get("jobTitle")}}
                                for c in children[:5]
                            ],
                        },
                    }
                }
            )
        return json.dumps({"data": {"companies": {"totalCount": total, "edges": edges}}})

    def _page(self, object_id: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        page = self._db.query(
            TableName=self._main,
            KeyConditionExpression="pk = :pk",
            FilterExpression="attribute_not_exists(deletedAt)",
            ExpressionAttributeValues={":pk": {"S": keys.record_pk(self._ws, object_id)}},
            Limit=limit + 1,
            ConsistentRead=True,
        )
        records = [
            {**json.loads(item["d"]["S"]), "id": keys.record_id_from_sk(item["sk"]["S"])}
            for item in page["Items"][:limit]
        ]
        counter = self._db.get_item(
            TableName=self._main,
            Key=_key(keys.counter_key(self._ws, object_id)),
            ConsistentRead=True,
        )
        return records, int(counter["Item"]["live"]["N"])

    def _batch_get(self, object_id: str, ids: set[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        request = [_key(keys.record_key(self._ws, object_id, i)) for i in ids]
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(request), 100):
            answer = self._db.batch_get_item(
                RequestItems={
                    self._main: {"Keys": request[start : start + 100], "ConsistentRead": True}
                }
            )
            for item in answer["Responses"][self._main]:
                record_id = keys.record_id_from_sk(item["sk"]["S"])
                found[record_id] = {**json.loads(item["d"]["S"]), "id": record_id}
        return found

    def _scan(self, object_id: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._main,
            "KeyConditionExpression": "pk = :pk",
            "FilterExpression": "attribute_not_exists(deletedAt)",
            "ExpressionAttributeValues": {":pk": {"S": keys.record_pk(self._ws, object_id)}},
            "ConsistentRead": True,
        }
        records = []
        while True:
            page = self._db.query(**request)
            records += [
                {**json.loads(item["d"]["S"]), "id": keys.record_id_from_sk(item["sk"]["S"])}
                for item in page["Items"]
            ]
            if "LastEvaluatedKey" not in page:
                return records
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _seed_relations(world: World) -> None:
    """60 people spread over the companies and an account owner for every company."""
    people = [
        {
            "name": {"firstName": f"Gql{i}", "lastName": "Bench"},
            "emails": {"primaryEmail": f"gql-{i}@example.com"},
            "jobTitle": "Engineer",
            "city": "Paris",
            "companyId": world.company_ids[i % len(world.company_ids)],
        }
        for i in range(LIST_LIMIT)
    ]
    world.call("POST", "/rest/batch/people", people)
    members = world.call(
        "POST",
        "/rest/batch/workspaceMembers",
        [{"name": {"firstName": f"Owner{i}"}} for i in range(LIST_LIMIT)],
    )["data"]["createWorkspaceMembers"]
    for i, company_id in enumerate(world.company_ids):
        owner = members[i % len(members)]["id"]
        world.call("PATCH", f"/rest/companies/{company_id}", {"accountOwnerId": owner})


def build_graphql_cases(world: World, raw: RawGraphQL, iterations: int) -> list[Case]:
    ids = world.object_ids
    top_fields = list(PEOPLE_FIELDS)
    template = raw.stored_body(ids["companies"], world.company_ids[0])

    seeded: list[bool] = []

    def seed_once() -> None:
        if not seeded:
            _seed_relations(world)
            seeded.append(True)

    def graphql(query: str, variables: dict[str, Any] | None = None) -> Call:
        return http(world, "POST", "/graphql", {"query": query, "variables": variables or {}})

    def raw_create(i: int) -> Call:
        request = json.dumps(_companies("raw"))
        return lambda: raw.create_many(
            ids["companies"], request, template, "domainName.primaryLinkUrl"
        )

    return [
        Case(
            "graphql people 60x10",
            iterations,
            lambda i: graphql(PEOPLE_QUERY),
            lambda i: lambda: raw.people_page(ids["people"], top_fields),
            before=seed_once,
            expect_status=200,
            expect_text=('"people"',),
        ),
        Case(
            "graphql nested 60",
            iterations,
            lambda i: graphql(NESTED_QUERY),
            lambda i: lambda: raw.nested(ids["companies"], ids["people"], ids["workspaceMembers"]),
            expect_status=200,
            expect_text=('"accountOwner"',),
            before=seed_once,
        ),
        Case(
            "graphql createCompanies 60",
            max(3, iterations // 4),
            lambda i: graphql(CREATE_MUTATION, {"d": _companies("api")}),
            raw_create,
            expect_status=200,
            expect_text=('"createCompanies"',),
        ),
    ]


def schema_build_ms(custom_objects: int = 30, rounds: int = 5) -> dict[str, float]:
    """Median ms to build (and validate) the core schema: standard model, and with customs."""
    from graphql import validate_schema

    from chalicelib.graphql.core_schema.builder import build_core_schema
    from chalicelib.graphql.resolvers import CoreResolvers
    from chalicelib.metadata.builder import build_standard_objects
    from chalicelib.metadata.model import WorkspaceModel

    standard = build_standard_objects(now="2024-01-01T00:00:00.000Z")
    customs = tuple(_custom_object(n) for n in range(custom_objects))

    def timed(build: Callable[[], Any]) -> float:
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            validate_schema(build())
            samples.append((time.perf_counter() - start) * 1000)
        return round(sorted(samples)[len(samples) // 2], 1)

    resolvers = CoreResolvers()
    return {
        "standard": timed(lambda: build_core_schema(WorkspaceModel("ws", 1, standard), resolvers)),
        f"standard+{custom_objects}_custom": timed(
            lambda: build_core_schema(WorkspaceModel("ws", 1, standard + customs), resolvers)
        ),
    }


_CUSTOM_KINDS = (
    FieldType.UUID,
    FieldType.TEXT,
    FieldType.NUMBER,
    FieldType.BOOLEAN,
    FieldType.DATE_TIME,
    FieldType.CURRENCY,
    FieldType.LINKS,
    FieldType.EMAILS,
    FieldType.FULL_NAME,
    FieldType.NUMERIC,
    FieldType.RAW_JSON,
    FieldType.SELECT,
)


def _custom_object(n: int) -> ObjectDef:
    """A custom object with a dozen fields of assorted types (one of each kind)."""
    object_id = f"custom-object-{n}"
    options = (SelectOption("OPEN", "Open", 0), SelectOption("CLOSED", "Closed", 1))
    fields = tuple(
        FieldDef(
            id=f"{object_id}-{k}",
            object_id=object_id,
            name="id" if kind is FieldType.UUID else f"field{k}",
            label=f"Field {k}",
            type=kind,
            options=options if kind is FieldType.SELECT else (),
        )
        for k, kind in enumerate(_CUSTOM_KINDS)
    )
    return ObjectDef(
        object_id,
        f"custom{n}",
        f"customs{n}",
        f"Custom {n}",
        f"Customs {n}",
        fields,
        is_custom=True,
    )
