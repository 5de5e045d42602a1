"""A custom object created through the metadata API is served by POST /graphql on the next
request, with every operation a standard object has."""

from __future__ import annotations

import pytest

from tests.functional.graphql_support import GraphQLClient, fill


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def rockets(rest):
    status, body = rest.post(
        "/rest/metadata/objects",
        {
            "nameSingular": "rocket",
            "namePlural": "rockets",
            "labelSingular": "Rocket",
            "labelPlural": "Rockets",
        },
    )
    assert status == 201, body
    object_id = body["data"]["createOneObject"]["id"]
    for spec in (
        {"type": "TEXT", "name": "callSign", "label": "Call sign", "isUnique": True},
        {"type": "NUMBER", "name": "stages", "label": "Stages"},
        {
            "type": "SELECT",
            "name": "fuel",
            "label": "Fuel",
            "options": [
                {"value": "SOLID", "label": "Solid", "position": 0, "color": "red"},
                {"value": "LIQUID", "label": "Liquid", "position": 1, "color": "blue"},
            ],
        },
    ):
        status, body = rest.post("/rest/metadata/fields", {"objectMetadataId": object_id, **spec})
        assert status == 201, body
    return object_id


def test_every_operation_works_on_a_custom_object(gql, rockets):
    created = gql.data(
        'mutation { createRockets(data: [{callSign: "A", stages: 2, fuel: SOLID}, '
        '{callSign: "B", stages: 3, fuel: LIQUID}]) { id callSign fuel } }'
    )["createRockets"]
    assert [(r["callSign"], r["fuel"]) for r in created] == [("A", "SOLID"), ("B", "LIQUID")]
    listed = gql.data(
        "{ rockets(filter: {fuel: {in: [LIQUID]}}, orderBy: [{stages: DescNullsLast}]) "
        "{ totalCount edges { node { callSign } } } }"
    )["rockets"]
    assert listed["totalCount"] == 1 and listed["edges"][0]["node"]["callSign"] == "B"
    one = gql.data('{ rocket(filter: {callSign: {eq: "A"}}) { stages } }')
    assert one == {"rocket": {"stages": 2}}
    upserted = gql.data(
        'mutation { createRocket(data: {callSign: "A", stages: 5}, upsert: true) { id stages } }'
    )["createRocket"]
    assert upserted == {"id": created[0]["id"], "stages": 5}
    duplicates = gql.data('{ rocketDuplicates(data: [{callSign: "B"}]) { totalCount } }')
    assert duplicates == {"rocketDuplicates": [{"totalCount": 1}]}
    gql.data("mutation { updateRockets(filter: {}, data: {stages: 1}) { id } }")
    gql.data("mutation { deleteRockets(filter: {stages: {eq: 1}}) { id } }")
    assert gql.data("{ rockets { totalCount } }") == {"rockets": {"totalCount": 0}}
    restored = gql.data(fill('mutation { restoreRocket(id: "%s") { callSign } }', created[1]["id"]))
    assert restored == {"restoreRocket": {"callSign": "B"}}
    gql.data('mutation { restoreRockets(filter: {callSign: {eq: "A"}}) { id } }')
    gql.data(fill('mutation { deleteRocket(id: "%s") { id } }', created[0]["id"]))
    gql.data(fill('mutation { destroyRocket(id: "%s") { id } }', created[0]["id"]))
    gql.data('mutation { destroyRockets(filter: {callSign: {eq: "B"}}) { id } }')
    assert gql.data("{ rockets { totalCount } }") == {"rockets": {"totalCount": 0}}


def test_a_new_field_is_in_the_schema_on_the_next_request(gql, rest, rockets):
    assert gql("{ rockets { edges { node { payload } } } }")[0] == 400
    status, body = rest.post(
        "/rest/metadata/fields",
        {"objectMetadataId": rockets, "type": "NUMERIC", "name": "payload", "label": "Payload"},
    )
    assert status == 201, body
    assert gql.data("{ rockets { edges { node { payload } } } }") == {"rockets": {"edges": []}}
