"""No metadata change can break a workspace's GraphQL schema (issue 17, finding 2).

`actorFilter` was accepted, and its type took the name of the ACTOR composite's filter input:
every GraphQL request of the workspace then answered 500. Names are now checked against every
name of the schema, and the would-be schema is built and validated before a change commits.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from chalicelib.context import Principal, RequestContext, utc_now_iso
from chalicelib.graphql.core_schema import checking
from chalicelib.metadata.service import MetadataService
from chalicelib.wiring import record_store
from tests.functional.graphql_support import GraphQLClient
from tests.functional.test_graphql_metadata import CREATE_OBJECT, MetadataClient
from tests.support import RestClient, Tenant

ACTOR_FILTER = {
    "nameSingular": "actorFilter",
    "namePlural": "actorFilterItems",
    "labelSingular": "Actor filter",
    "labelPlural": "Actor filters",
}


@pytest.fixture
def gql(client, tenant) -> GraphQLClient:
    return GraphQLClient(client.http, tenant)


@pytest.fixture
def metadata(client, tenant) -> MetadataClient:
    return MetadataClient(client.http, tenant)


def an_object(singular: str, plural: str) -> dict[str, Any]:
    return {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": f"{singular} label",
        "labelPlural": f"{plural} label",
    }


def create(rest: RestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    status, answer = rest.post(path, body)
    assert status == 201, answer
    return next(iter(answer["data"].values()))


def refused(rest: RestClient, method: str, path: str, body: dict[str, Any]) -> list[str]:
    status, answer = rest.call(method, path, body)
    assert (status, answer["code"]) == (400, "METADATA_VALIDATION_FAILED"), answer
    return answer["messages"]


def assert_graphql_answers(gql: GraphQLClient, plural: str = "companies") -> None:
    data = gql.data(
        f"{{ __typename {plural}(first: 1) {{ totalCount edges {{ node {{ id }} }} }} }}"
    )
    assert data["__typename"] == "Query"


def object_id(rest: RestClient, singular: str) -> str:
    _, body = rest.get("/rest/metadata/objects")
    return next(o["id"] for o in body["data"]["objects"] if o["nameSingular"] == singular)


def select(object_id: str, name: str) -> dict[str, Any]:
    return {
        "objectMetadataId": object_id,
        "type": "SELECT",
        "name": name,
        "label": name.title(),
        "options": [{"value": "READY", "label": "Ready", "position": 0}],
    }


# -- the finding ---------------------------------------------------------------------------------


def test_an_object_named_like_the_actor_filter_input_is_refused_over_rest(rest, gql):
    messages = refused(rest, "POST", "/rest/metadata/objects", ACTOR_FILTER)
    assert messages == [
        "The GraphQL name 'ActorFilter' would be used twice: by the schema's input type and by "
        "the record type of object 'actorFilter'"
    ]
    assert_graphql_answers(gql)
    assert rest.get("/rest/companies")[0] == 200


def test_an_object_named_like_the_actor_filter_input_is_refused_over_graphql_metadata(
    metadata, gql
):
    error = metadata.error(CREATE_OBJECT, {"object": ACTOR_FILTER})
    assert error["extensions"]["code"] == "METADATA_VALIDATION_FAILED", error
    assert "'ActorFilter'" in error["message"]
    assert_graphql_answers(gql)


# -- every family of names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("singular", "plural", "clash"),
    [
        ("actor", "actorItems", "'Actor'"),  # a composite type
        ("linksOrderBy", "linksOrderBys", "'LinksOrderBy'"),  # a composite's order-by input
        ("dateTime", "dateTimes", "'DateTime'"),  # a scalar
        ("stringFilter", "stringFilters", "'StringFilter'"),  # a scalar's filter input
        ("orderByDirection", "orderByDirections", "'OrderByDirection'"),  # an enum
        ("filterIs", "filterIsItems", "'FilterIs'"),
        ("pageInfo", "pageInfos", "'pageInfo' is reserved"),  # PageInfo
        ("companyEdge", "companyEdges", "(CompanyEdge)"),  # another object's edge
        ("companyFilterInput", "companyFilterInputs", "CompanyFilterInput"),
        ("companyOrderByInput", "companyOrderByInputs", "CompanyOrderByInput"),
        ("launch", "createCompanies", "createCompanies"),  # another object's mutation
        ("opportunityStageEnum", "stageEnums", "'OpportunityStageEnum'"),  # a field's enum
        ("rocket", "rocketDuplicates", "'rocketDuplicates'"),  # its own two queries
    ],
)
def test_an_object_name_clashing_with_a_schema_name_is_refused_naming_the_clash(
    rest, gql, singular, plural, clash
):
    messages = refused(rest, "POST", "/rest/metadata/objects", an_object(singular, plural))
    assert any(clash in message for message in messages), messages
    assert_graphql_answers(gql)


def test_a_name_only_resembling_a_schema_name_is_accepted(rest, gql):
    create(rest, "/rest/metadata/objects", an_object("uuidFilter", "uuidFilters"))  # ≠ UUIDFilter
    assert_graphql_answers(gql, "uuidFilters")


def test_renaming_an_object_to_a_clashing_name_is_refused(rest, gql):
    rocket = create(rest, "/rest/metadata/objects", an_object("rocket", "rockets"))
    messages = refused(
        rest, "PATCH", f"/rest/metadata/objects/{rocket['id']}", {"nameSingular": "actorFilter"}
    )
    assert any("'ActorFilter'" in message for message in messages), messages
    assert_graphql_answers(gql, "rockets")


def test_a_select_field_whose_enum_clashes_with_an_object_type_is_refused(rest, gql):
    rocket = create(rest, "/rest/metadata/objects", an_object("rocket", "rockets"))
    create(rest, "/rest/metadata/objects", an_object("rocketStageEnum", "rocketStageEnums"))
    messages = refused(rest, "POST", "/rest/metadata/fields", select(rocket["id"], "stage"))
    assert messages == [
        "The GraphQL name 'RocketStageEnum' would be used twice: by the enum of field 'stage' of "
        "'rocket' and by the record type of object 'rocketStageEnum'"
    ]
    assert_graphql_answers(gql, "rockets")


def test_two_select_fields_making_one_enum_name_are_refused(rest, gql):
    # `rocket.launchPad` and `rocketLaunch.pad` both make `RocketLaunchPadEnum`.
    rocket = create(rest, "/rest/metadata/objects", an_object("rocket", "rockets"))
    launch = create(rest, "/rest/metadata/objects", an_object("rocketLaunch", "rocketLaunches"))
    create(rest, "/rest/metadata/fields", select(launch["id"], "pad"))
    messages = refused(rest, "POST", "/rest/metadata/fields", select(rocket["id"], "launchPad"))
    assert any("'RocketLaunchPadEnum'" in message for message in messages), messages
    assert_graphql_answers(gql, "rocketLaunches")


def test_renaming_a_select_field_to_a_clashing_name_is_refused(rest, gql):
    rocket = create(rest, "/rest/metadata/objects", an_object("rocket", "rockets"))
    create(rest, "/rest/metadata/objects", an_object("rocketStageEnum", "rocketStageEnums"))
    phase = create(rest, "/rest/metadata/fields", select(rocket["id"], "phase"))
    messages = refused(rest, "PATCH", f"/rest/metadata/fields/{phase['id']}", {"name": "stage"})
    assert any("'RocketStageEnum'" in message for message in messages), messages
    assert_graphql_answers(gql, "rockets")


# -- the last line: the would-be schema is built before a change commits --------------------------


def test_a_clash_the_name_rules_miss_is_refused_by_building_the_schema(rest, gql, monkeypatch):
    monkeypatch.setattr(checking, "graphql_name_clashes", lambda model, fixed: [])
    messages = refused(rest, "POST", "/rest/metadata/objects", ACTOR_FILTER)
    assert messages[0].startswith("The GraphQL schema would be invalid: The type of ")
    assert all("got: ActorFilter." in message for message in messages[:10]), messages
    assert re.fullmatch(r"... and \d+ more problems of the GraphQL schema", messages[10])
    assert_graphql_answers(gql)


def test_a_schema_that_cannot_be_built_refuses_the_change_instead_of_a_500(rest, monkeypatch):
    build = checking.build_core_schema

    def broken(model, resolvers):
        if "rocket" in model.by_singular:
            raise RuntimeError("boom")
        return build(model, resolvers)

    monkeypatch.setattr(checking, "build_core_schema", broken)
    messages = refused(rest, "POST", "/rest/metadata/objects", an_object("rocket", "rockets"))
    assert messages == ["The GraphQL schema would not build: boom"]


def _ctx(tenant: Tenant) -> RequestContext:
    return RequestContext(Principal(tenant.workspace_id, tenant.key_id, "test"), utc_now_iso())


def test_a_workspace_broken_before_the_check_can_still_be_changed_and_repaired(rest, gql, tenant):
    unchecked = MetadataService(
        record_store(), job_budget_seconds=30, scan_cap=100, schema_check=lambda *models: []
    )
    broken = unchecked.create_object(_ctx(tenant), ACTOR_FILTER).object
    # Its known problem does not refuse other changes; a new problem still is refused.
    create(rest, "/rest/metadata/fields", select(object_id(rest, "company"), "tier"))
    messages = refused(rest, "POST", "/rest/metadata/objects", an_object("dateTime", "dateTimes"))
    assert any("'DateTime'" in message for message in messages), messages
    renamed = {"nameSingular": "actorLog", "namePlural": "actorLogs"}
    assert rest.patch(f"/rest/metadata/objects/{broken.id}", renamed)[0] == 200
    assert_graphql_answers(gql, "actorLogs")
