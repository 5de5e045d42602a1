"""Fuzzing the metadata API: random and grammar-shaped object names, plurals, field names, field
types, options, defaults, settings and relations, each followed by requests that must still
answer. Never a 5xx, never a broken GraphQL schema: every accepted change must leave one that
builds (issue 17, finding 2).

The names are mostly built from the words the schema's own names are made of (`actor` +
`Filter`, `rocket` + `Launch` + `Pad`, `create` + `Companies`…), so clashes are frequent rather
than lucky. Every example runs against one workspace, so what earlier examples created is part
of what later ones can clash with. CRM_FUZZ_SCALE=10 fuzzes ten times longer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from chalicelib.metadata.model import FieldType
from tests.support import RestClient, make_tenant

SCALE = float(os.environ.get("CRM_FUZZ_SCALE", "1"))
EXAMPLES = max(1, int(40 * SCALE))

WORDS = (
    "actor", "filter", "source", "enum", "company", "companies", "person", "people", "stage",
    "opportunity", "rocket", "launch", "pad", "edge", "connection", "string", "date", "time",
    "page", "info", "order", "by", "direction", "input", "is", "links", "emails", "currency",
    "raw", "json", "uuid", "big", "float", "duplicates", "group", "query", "status", "task",
)  # fmt: skip
SUFFIXES = (
    "", "s", "Items", "Filter", "Edge", "Connection", "Enum", "CreateInput", "UpdateInput",
    "FilterInput", "OrderBy", "OrderByInput", "Duplicates", "GroupBy", "EnumFilter",
)  # fmt: skip
VERBS = ("create", "update", "delete", "destroy", "restore", "merge")
OPTION_VALUES = ("FIRST", "SECOND", "A_B", "1ST", "TRUE", "NULL", "lower", "", "X Y")


def mostly(valid: st.SearchStrategy[Any], junk: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`junk` about one time in eight (one_of alone would prefer its simplest branch)."""
    # Not a bound of the range: hypothesis draws the bounds of a range more often.
    return st.integers(0, 7).flatmap(lambda n: junk if n == 5 else valid)


def camel(words: list[str]) -> str:
    return words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])


grammar_names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(camel)
names = mostly(
    st.one_of(
        grammar_names,
        st.tuples(grammar_names, st.sampled_from(SUFFIXES)).map("".join),
        st.tuples(st.sampled_from(VERBS), grammar_names).map(lambda p: camel(list(p))),
        st.from_regex(r"[a-z][a-zA-Z0-9]{0,12}", fullmatch=True),
    ),
    st.text(max_size=8),
)
valid_labels = st.one_of(
    st.sampled_from(["Label", "Labels", "Item", "Things"]),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).map(lambda text: "L " + text),
)
labels = mostly(valid_labels, st.sampled_from([" ", "", 3]))
options = st.lists(
    st.fixed_dictionaries(
        {"value": st.sampled_from(OPTION_VALUES), "label": labels},
        optional={"position": st.integers(-2, 5), "color": st.sampled_from(["red", "blue"])},
    ),
    max_size=4,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)
defaults = st.one_of(
    json_values,
    st.sampled_from(["'FIRST'", "'SECOND'", "now", "uuid", "''", ["'FIRST'"]]),
    st.fixed_dictionaries(
        {"amountMicros": st.integers(0, 10**9), "currencyCode": st.just("'USD'")}
    ),
)
field_settings = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "dataType": st.sampled_from(["int", "float", "bigint", "double", 3]),
            "isIndexed": st.sampled_from([True, False, "yes"]),
            "onDelete": st.sampled_from(["SET_NULL", "CASCADE", "RESTRICT", "NOPE"]),
        },
    ),
    json_values,
)
valid_types = st.sampled_from([field_type.value for field_type in FieldType])
field_types = mostly(valid_types, st.text(max_size=5))


@dataclass
class World:
    rest: RestClient
    http: Any
    # nameSingular -> (id, namePlural) of every object, standard ones included.
    objects: dict[str, tuple[str, str]] = field(default_factory=dict)

    def load_objects(self) -> None:
        status, body = self.rest.get("/rest/metadata/objects?limit=200")
        assert status == 200, body
        for obj in body["data"]["objects"]:
            self.objects[obj["nameSingular"]] = (obj["id"], obj["namePlural"])

    def plural_of(self, object_id: str) -> str | None:
        return next((p for i, p in self.objects.values() if i == object_id), None)

    def graphql(self, query: str) -> tuple[int, dict[str, Any]]:
        response = self.http.post(
            "/graphql", headers=self.rest.tenant.headers, body=json.dumps({"query": query})
        )
        return response.status_code, json.loads(response.body)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One embedded DynamoDB and one workspace for every example of this module."""
    from chalice.test import Client

    from app import app
    from chalicelib.graphql import schema_cache
    from chalicelib.metadata import registry
    from chalicelib.storage.schema import ensure_tables

    with mock_aws():
        ensure_tables()
        registry.clear_cache()
        schema_cache.clear_cache()
        with Client(app) as client:
            found = World(RestClient(client.http, make_tenant("Fuzz")), client.http)
            found.load_objects()
            yield found


def answered(status: int, body: Any, accepted: int) -> bool:
    """A metadata answer is the success status or a 4xx in Twenty's error shape, never a 5xx."""
    assert status < 500, body
    if status != accepted:
        assert 400 <= status < 500 and body.get("code") and body.get("messages"), body
    return status == accepted


@st.composite
def object_inputs(draw: st.DrawFn) -> dict[str, Any]:
    singular = draw(names)
    plural = draw(st.one_of(names, st.sampled_from(SUFFIXES).map(lambda s: singular + s)))
    return {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": draw(labels),
        "labelPlural": draw(labels),
    }


@st.composite
def field_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A CreateFieldInput without its object: `owner` and a relation's `target` are indexes into
    the objects existing when it is sent (drawn before, so examples replay the same draws)."""
    field_type = draw(field_types)
    given: dict[str, Any] = {
        "owner": draw(st.integers(0, 1000)),
        "type": field_type,
        "name": draw(names),
        "label": draw(labels),
    }
    sometimes = mostly(st.just(False), st.just(True))
    if field_type in ("SELECT", "MULTI_SELECT", "RATING") or draw(sometimes):
        given["options"] = draw(options)
    for key, values in (("defaultValue", defaults), ("settings", field_settings)):
        if draw(sometimes):
            given[key] = draw(values)
    if draw(sometimes):
        given["isUnique"] = draw(st.booleans())
    if field_type == "RELATION":
        given["relationCreationPayload"] = {
            "type": draw(st.sampled_from(["MANY_TO_ONE", "ONE_TO_MANY", "MANY"])),
            "target": draw(st.integers(0, 1000)),
            "targetFieldName": draw(names),
            "targetFieldLabel": draw(labels),
        }
    return given


def resolve(world: World, drawn: dict[str, Any]) -> dict[str, Any]:
    """`drawn` with its object indexes turned into ids of objects that exist now (`-1`: none)."""
    ids = [object_id for object_id, _ in world.objects.values()]
    given = {key: value for key, value in drawn.items() if key != "owner"}
    given["objectMetadataId"] = ids[drawn["owner"] % len(ids)]
    payload = dict(drawn.get("relationCreationPayload") or {})
    if payload:
        target = payload.pop("target")
        payload["targetObjectMetadataId"] = ids[target % len(ids)] if target < 900 else "nope"
        given["relationCreationPayload"] = payload
    return given


def assert_the_apis_still_answer(world: World, plurals: list[str]) -> None:
    lists = " ".join(f"{p}(first: 1) {{ totalCount edges {{ node {{ id }} }} }}" for p in plurals)
    status, body = world.graphql(f"{{ __typename {lists} }}")
    assert status == 200 and "errors" not in body, body
    for plural in plurals:
        status, body = world.rest.get(f"/rest/{plural}?limit=1")
        assert status == 200, body


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=SCALE == 1,
    database=None,
    # Examples share one workspace, so a failure cannot be replayed exactly: report it as found.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    new_object=mostly(object_inputs(), st.none()),
    new_fields=st.lists(field_inputs(), min_size=1, max_size=2),
)
def test_no_metadata_change_leaves_a_workspace_whose_apis_fail(world, new_object, new_fields):
    touched = {"companies"}
    if new_object is not None:
        status, body = world.rest.post("/rest/metadata/objects", new_object)
        if answered(status, body, 201):
            created = body["data"]["createOneObject"]
            world.objects[created["nameSingular"]] = (created["id"], created["namePlural"])
            touched.add(created["namePlural"])
    for drawn in new_fields:
        given = resolve(world, drawn)
        status, body = world.rest.post("/rest/metadata/fields", given)
        if answered(status, body, 201):
            touched.add(world.plural_of(given["objectMetadataId"]) or "companies")
            target = (given.get("relationCreationPayload") or {}).get("targetObjectMetadataId")
            touched.add(world.plural_of(target) or "companies")
    assert_the_apis_still_answer(world, sorted(touched))
