"""Aggregate fields on nested one-to-many connections and on `...Duplicates` connections: values
against an independent computation, both reads (join-column index, partition), the cap, the
calls they cost (none unless selected; sequential round trips independent of the page size)
and workspace isolation."""

from __future__ import annotations

import dataclasses
import random
from urllib.parse import quote

import pytest

from tests.functional.graphql_support import GraphQLClient
from tests.support import RestClient, make_tenant

FIRST = ["Ada", "Alan", "", None]
LAST = ["Lovelace", "Turing", "", None]
TITLES = ["ceo", "CTO", "sales", "", None]
CITIES = ["Paris", "paris", "", None]


@pytest.fixture
def gql(client, tenant):
    return GraphQLClient(client.http, tenant)


def create(rest, plural, records):
    created = []
    for start in range(0, len(records), 60):
        status, body = rest.post(f"/rest/batch/{plural}", records[start : start + 60])
        assert status == 201, body
        created += next(iter(body["data"].values()))
    return created


def seed(rest, rng):
    """Five companies (the last without children), random people and opportunities, some of
    them soft-deleted; returns the companies."""
    companies = create(rest, "companies", [{"name": f"c{i}"} for i in range(5)])
    parents = [company["id"] for company in companies[:4]]
    people = [
        {
            "companyId": rng.choice(parents),
            "name": {"firstName": rng.choice(FIRST), "lastName": rng.choice(LAST)},
            "emails": {"primaryEmail": rng.choice([None, "", f"p{n}@example.com"])},
            "jobTitle": rng.choice(TITLES),
            "city": rng.choice(CITIES),
        }
        for n in range(40)
    ]
    opportunities = [
        {
            "companyId": rng.choice(parents),
            "amount": rng.choice(
                [None, {"amountMicros": rng.randrange(10**9), "currencyCode": "EUR"}]
            ),
            "closeDate": rng.choice([None, f"2024-0{rng.randrange(1, 10)}-1{n % 10}T10:00:00Z"]),
        }
        for n in range(25)
    ]
    removed = [p["id"] for p in create(rest, "people", people)[::7]]
    removed += [o["id"] for o in create(rest, "opportunities", opportunities)[::6]]
    for plural in ("people", "opportunities"):
        ids = quote(f"id[in]:[{','.join(removed)}]")
        assert rest.delete(f"/rest/{plural}?filter={ids}&soft_delete=true")[0] == 200
    return companies


# -- the oracle: Twenty's aggregate semantics, written independently of chalicelib -------------

# The sub-fields whose text decides a composite's emptiness and distinct values.
SUB_FIELDS = {
    "name": ("firstName", "lastName"),
    "emails": ("primaryEmail",),
    "amount": ("amountMicros", "currencyCode"),
}


def text(record, field):
    value = record.get(field)
    if field in SUB_FIELDS:
        parts = [(value or {}).get(sub) for sub in SUB_FIELDS[field]]
        if all(part in (None, "") for part in parts):
            return None
        return tuple("" if part is None else part for part in parts)
    return None if value in (None, "") else value


def count_aggregates(records, field):
    suffix = field[0].upper() + field[1:]
    total = len(records)
    empty = sum(text(r, field) is None for r in records)
    distinct = len({text(r, field) for r in records} - {None})
    return {
        f"countEmpty{suffix}": empty if total else None,
        f"countNotEmpty{suffix}": total - empty if total else None,
        f"countUniqueValues{suffix}": distinct if total else None,
        f"percentageEmpty{suffix}": empty / total if total else None,
        f"percentageNotEmpty{suffix}": (total - empty) / total if total else None,
    }


def value_aggregates(records):
    micros = [(r.get("amount") or {}).get("amountMicros") for r in records]
    micros = [m for m in micros if m is not None]
    dates = [r["closeDate"] for r in records if r.get("closeDate")]
    return {
        "sumAmountAmountMicros": sum(micros) if micros else None,
        "avgAmountAmountMicros": sum(micros) / len(micros) if micros else None,
        "minAmountAmountMicros": min(micros) if micros else None,
        "maxAmountAmountMicros": max(micros) if micros else None,
        "minCloseDate": min(dates) if dates else None,
        "maxCloseDate": max(dates) if dates else None,
    }


def live(rest, plural):
    status, body = rest.get(f"/rest/{plural}?limit=200")
    assert status == 200, body
    return body["data"][plural]


def children_of(records, company):
    return [r for r in records if r.get("companyId") == company]


PEOPLE_AGGREGATES = " ".join(
    f"{op}{f}"
    for f in ("Name", "Emails", "JobTitle", "City")
    for op in (
        "countEmpty",
        "countNotEmpty",
        "countUniqueValues",
        "percentageEmpty",
        "percentageNotEmpty",
    )
)
OPPORTUNITY_AGGREGATES = (
    "sumAmountAmountMicros avgAmountAmountMicros minAmountAmountMicros maxAmountAmountMicros "
    "minCloseDate maxCloseDate countEmptyAmount countNotEmptyAmount countUniqueValuesAmount"
)

NESTED = (
    "{ companies(first: 60) { edges { node { id"
    f" people(first: 1) {{ totalCount {PEOPLE_AGGREGATES} edges {{ node {{ id }} }} }}"
    f' managers: people(first: 1, filter: {{jobTitle: {{ilike: "%c%"}}}})'
    f" {{ totalCount {PEOPLE_AGGREGATES} }}"
    f" opportunities(first: 2) {{ totalCount {OPPORTUNITY_AGGREGATES} }}"
    " } } } }"
)


def expected_people(records):
    found = {"totalCount": len(records)}
    for field in ("name", "emails", "jobTitle", "city"):
        found.update(count_aggregates(records, field))
    return found


def expected_opportunities(records):
    return {
        "totalCount": len(records),
        **value_aggregates(records),
        **{
            k: v
            for k, v in count_aggregates(records, "amount").items()
            if not k.startswith("percentage")
        },
    }


def test_nested_aggregates_cover_every_live_child_matching_the_nested_filter(rest, gql):
    seed(rest, random.Random(12))
    people, opportunities = live(rest, "people"), live(rest, "opportunities")
    edges = gql.data(NESTED)["companies"]["edges"]
    assert len(edges) == 5
    for edge in edges:
        node = edge["node"]
        mine = children_of(people, node["id"])
        managers = [p for p in mine if "c" in (p.get("jobTitle") or "").lower()]
        assert len(node["people"]["edges"]) == min(1, len(mine))  # the page, not the aggregates
        assert without_edges(node["people"]) == pytest.approx(expected_people(mine))
        assert node["managers"] == pytest.approx(expected_people(managers))
        deals = children_of(opportunities, node["id"])
        assert node["opportunities"] == pytest.approx(expected_opportunities(deals))
    childless = [e["node"] for e in edges if not children_of(people, e["node"]["id"])]
    assert childless and childless[0]["people"]["countEmptyName"] is None
    assert childless[0]["people"]["totalCount"] == 0


def without_edges(connection):
    return {k: v for k, v in connection.items() if k != "edges"}


def test_a_nested_filter_on_deleted_at_aggregates_the_soft_deleted_children(rest, gql):
    [company] = create(rest, "companies", [{"name": "Acme"}])
    people = create(
        rest,
        "people",
        [{"companyId": company["id"], "jobTitle": title} for title in ("a", "b", "", "c")],
    )
    ids = quote(f"id[in]:[{people[0]['id']},{people[2]['id']}]")
    assert rest.delete(f"/rest/people?filter={ids}&soft_delete=true")[0] == 200
    query = """{ companies { edges { node {
        live: people { countEmptyJobTitle countNotEmptyJobTitle }
        gone: people(filter: {deletedAt: {is: NOT_NULL}}) { countEmptyJobTitle
                                                            countNotEmptyJobTitle }
    } } } }"""
    [edge] = gql.data(query)["companies"]["edges"]
    assert edge["node"]["live"] == {"countEmptyJobTitle": 0, "countNotEmptyJobTitle": 2}
    assert edge["node"]["gone"] == {"countEmptyJobTitle": 1, "countNotEmptyJobTitle": 1}


def test_duplicates_connections_aggregate_every_match_of_each_entry(rest, gql, meter):
    create(
        rest,
        "companies",
        [
            {"name": "Acme", "employees": 10, "domainName": {"primaryLinkUrl": "acme.com"}},
            {"name": "Acme", "employees": 30},
            {"name": "Acme", "domainName": {"primaryLinkUrl": "acme.org"}},
            {"name": "Beta", "employees": 5},
        ],
    )
    # the entries: three matches, none, and a record without any duplicate criterion
    query = """{ companyDuplicates(data: [{name: "Acme"}, {name: "Nobody"}, {employees: 5}]) {
        totalCount %s edges { node { name } } } }"""
    aggregates = "sumEmployees maxEmployees countEmptyDomainName percentageEmptyEmployees"
    meter.reset()
    found, nobody, no_criteria = gql.data(query % aggregates)["companyDuplicates"]
    with_aggregates = dict(meter.operations)
    assert [e["node"]["name"] for e in found["edges"]] == ["Acme"] * 3
    assert without_edges(found) == {
        "totalCount": 3,
        "sumEmployees": 40,
        "maxEmployees": 30,
        "countEmptyDomainName": 1,
        "percentageEmptyEmployees": pytest.approx(1 / 3),
    }
    nothing = {"totalCount": 0, **dict.fromkeys(aggregates.split())}
    assert without_edges(nobody) == without_edges(no_criteria) == nothing
    meter.reset()
    gql.data(query % "")
    assert dict(meter.operations) == with_aggregates  # computed from the search's own read


# -- both reads, the cap, isolation (the core call the resolver makes) ---------------------------


def aggregate_children(workspace_id, parents, *, scan_cap=10_000, indexed=True):
    from chalicelib.context import Principal, RequestContext, utc_now_iso
    from chalicelib.core.many_commands import AggregateChildren
    from chalicelib.core.records import RecordService
    from chalicelib.metadata.registry import load_model
    from chalicelib.wiring import record_store

    model = load_model(workspace_id)
    if not indexed:  # every index of people still backfilling: reads may not use them
        people = model.by_plural["people"]
        unready = tuple(dataclasses.replace(spec, ready=False) for spec in people.indexes)
        objects = [
            dataclasses.replace(o, indexes=unready) if o is people else o for o in model.objects
        ]
        model = dataclasses.replace(model, objects=tuple(objects))
    query = AggregateChildren(
        model,
        model.by_plural["companies"],
        "people",
        tuple(parents),
        ("countNotEmptyJobTitle", "countUniqueValuesCity"),
    )
    ctx = RequestContext(Principal(workspace_id, "key", "test"), utc_now_iso())
    service = RecordService(record_store(), batch_max=60, scan_cap=scan_cap)
    return service.aggregate_children(ctx, query)


def test_the_index_read_and_the_partition_read_agree(rest):
    companies = seed(rest, random.Random(5))
    ws, parents = rest.tenant.workspace_id, [c["id"] for c in companies]
    by_index = aggregate_children(ws, parents)
    assert by_index == aggregate_children(ws, parents, indexed=False)
    people = live(rest, "people")
    for parent in parents:
        mine = children_of(people, parent)
        expected = {**count_aggregates(mine, "jobTitle"), **count_aggregates(mine, "city")}
        assert by_index[parent] == {k: expected[k] for k in by_index[parent]}


@pytest.mark.parametrize("indexed", [True, False])
def test_more_children_than_the_scan_cap_is_a_clear_400(rest, indexed):
    from chalicelib.errors import QueryNeedsIndexError

    [company] = create(rest, "companies", [{"name": "Acme"}])
    create(rest, "people", [{"companyId": company["id"]} for _ in range(4)])
    ws = rest.tenant.workspace_id
    assert aggregate_children(ws, [company["id"]], scan_cap=4, indexed=indexed)
    with pytest.raises(QueryNeedsIndexError, match="more than 3"):
        aggregate_children(ws, [company["id"]], scan_cap=3, indexed=indexed)


def test_parents_of_another_workspace_aggregate_nothing(rest):
    [company] = create(rest, "companies", [{"name": "Acme"}])
    create(rest, "people", [{"companyId": company["id"], "jobTitle": "x"}])
    other = make_tenant("Globex")
    for indexed in (True, False):
        found = aggregate_children(other.workspace_id, [company["id"]], indexed=indexed)
        assert found == {
            company["id"]: {"countNotEmptyJobTitle": None, "countUniqueValuesCity": None}
        }
    mine = aggregate_children(rest.tenant.workspace_id, [company["id"]])
    assert mine[company["id"]]["countNotEmptyJobTitle"] == 1


def test_a_bad_nested_filter_is_bad_user_input(rest, gql):
    create(rest, "companies", [{"name": "Acme"}])
    error = gql.error(
        '{ companies { edges { node { people(filter: {id: {eq: "nope"}}) { countEmptyCity } } } } }'
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# -- cost -----------------------------------------------------------------------------------------


def seed_companies(rest, count, people_each):
    companies = create(rest, "companies", [{"name": f"c{i}"} for i in range(count)])
    create(
        rest,
        "people",
        [
            {"companyId": c["id"], "jobTitle": f"t{n}"}
            for c in companies
            for n in range(people_each)
        ],
    )


COST = "{ companies { edges { node { people(first: 1) { totalCount %s } } } } }"


def measure(gql, meter, selection):
    gql.data(COST % "")  # warm the metadata and schema caches
    meter.reset()
    gql.data(COST % selection)
    return dict(meter.operations)


def test_aggregates_not_selected_cost_nothing_and_selected_one_query_per_parent(rest, gql, meter):
    seed_companies(rest, 6, 3)
    plain = measure(gql, meter, "")
    selected = measure(gql, meter, "countEmptyJobTitle countUniqueValuesName percentageEmptyCity")
    extra = {op: selected.get(op, 0) - plain.get(op, 0) for op in selected}
    # Only the selection pays: a keys-only Query of the join-column index per parent and one
    # BatchGetItem of the 18 children, for every selected aggregate together.
    assert {op: n for op, n in extra.items() if n} == {"Query": 6, "BatchGetItem": 1}


def round_trips(gql, clock, selection):
    """Sequential DynamoDB round trips of one request (tests/round_trips.py: clock-free, so a
    busy machine cannot split one round in two)."""
    gql.data(COST % "")  # warm the metadata and schema caches
    with clock.counting() as rounds:
        found = gql.data(COST % selection)["companies"]["edges"]
    assert all(e["node"]["people"]["totalCount"] == 2 for e in found)
    return rounds()


def test_sequential_round_trips_do_not_grow_with_the_page_size(client, aws, round_trip_clock):
    rounds = {}
    for parents in (3, 30):
        tenant = make_tenant(f"t{parents}")
        rest, gql = RestClient(client.http, tenant), GraphQLClient(client.http, tenant)
        seed_companies(rest, parents, 2)
        rounds[parents] = round_trips(gql, round_trip_clock, "countEmptyJobTitle")
    rounds["plain"] = round_trips(gql, round_trip_clock, "")
    # the keys-only index Queries of every parent together, then the BatchGetItem round
    assert rounds[3] == rounds[30] == rounds["plain"] + 2, rounds
