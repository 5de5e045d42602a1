"""Cursor paging through whole result sets: forward to the end, back to the start, while records
come and go between pages, and never across workspaces or objects.

Expected orders are computed here, independently of chalicelib, from the records as created:
text sorts by (casefold, original), nulls go where the direction says, and the id is the final
tiebreaker in the direction of the first sort key (the default order is id ascending).
"""

from __future__ import annotations

import json
import random
from urllib.parse import quote

import pytest

from tests.support import RestClient, make_tenant

LIMIT = 17


def q(text: str) -> str:
    return quote(text, safe="")


# -- the expectation, written independently of the app -----------------------------------------


def text_form(value: str) -> tuple[str, str]:
    return (value.casefold(), value)


def expected_order(records: list[dict], path: str | None, direction: str = "AscNullsFirst"):
    """Records in the order the API must list them: by `path` in `direction`, ties by id in the
    same direction; `path=None` is the default order (id ascending)."""
    if path is None:
        return sorted(records, key=lambda r: r["id"])
    descending = direction.startswith("Desc")
    nulls = [r for r in records if r.get(path) is None]
    present = [r for r in records if r.get(path) is not None]

    def key(record):
        value = record[path]
        return (
            text_form(value) if isinstance(value, str) and path == "name" else value,
            record["id"],
        )

    present.sort(key=key, reverse=descending)
    nulls.sort(key=lambda r: r["id"], reverse=descending)
    return nulls + present if direction.endswith("NullsFirst") else present + nulls


def ids(records) -> list[str]:
    return [r["id"] for r in records]


def page_ids(body, plural="companies") -> list[str]:
    return [r["id"] for r in body["data"][plural]]


def neighbour(record_id: str, step: int) -> str:
    """A valid v4 UUID right next to `record_id` in id order (only the last 12 digits move)."""
    head, tail = record_id.rsplit("-", 1)
    moved = int(tail, 16) + step
    assert 0 <= moved < 16**12, "the random id sits at the edge of its range: pick another"
    return f"{head}-{moved:012x}"


def create_all(rest: RestClient, rows: list[dict], plural: str = "companies") -> list[dict]:
    created = []
    key = {"companies": "createCompanies", "people": "createPeople"}[plural]
    for start in range(0, len(rows), 60):
        status, body = rest.post(f"/rest/batch/{plural}", rows[start : start + 60])
        assert status == 201, body
        created += body["data"][key]
    return created


# -- 1. whole walks forward and back -----------------------------------------------------------

SHARED = "Acme"  # the value of the `name[eq]` case: 18 records, so it spans two pages of 17
# About a third of the names contain an "a" and about a third of the head counts are >= 50, so
# that filtered walks stay short (the whole-set walks are the long ones).
A_NAMES = [
    "acme",
    "acme",
    "ACME",
    "Acme Labs",
    "acme labs",
    "gamma",
    "Delta",
    "delta",
    "Straße",
    "STRASSE",
    "Umbrella, Inc.",
    "a",
    "A",
]
OTHER_NAMES = [
    "Émile",
    "émile",
    "Zoo",
    "zoo",
    "ZOO",
    "Hooli",
    "hooli",
    "Pied Piper",
    "Initech",
    "initech",
    "Globex",
    "globex corp",
    "B",
    "Zzz",
    "omicron",
    "Omicron",
    "",
    "Björk",
]
EMPLOYEES = [None, None, 0, 1, 7, 12, 49, 49, 50, 51, 120, 5000]
ID = None
NAME_ASC_NULLS_FIRST = ("name", "AscNullsFirst")
NAME_DESC_NULLS_LAST = ("name", "DescNullsLast")
EMPLOYEES_ASC_NULLS_LAST = ("employees", "AscNullsLast")
CREATED_DESC_NULLS_FIRST = ("createdAt", "DescNullsFirst")
FILTERS = {
    "none": (None, lambda r: True),
    "employees>=50": (
        "employees[gte]:50",
        lambda r: r["employees"] is not None and r["employees"] >= 50,
    ),
    "name ilike %a%": (
        'name[ilike]:"%a%"',
        lambda r: r["name"] is not None and "a" in r["name"].casefold(),
    ),
    "name eq shared": (f'name[eq]:"{SHARED}"', lambda r: r["name"] == SHARED),
}


def sort_id(sort):
    return "id" if sort is None else f"{sort[0]}[{sort[1]}]"


def case(sort, filter_name, limit=LIMIT):
    suffix = "" if limit == LIMIT else f"-limit{limit}"
    return pytest.param(sort, filter_name, limit, id=f"{sort_id(sort)}-{filter_name}{suffix}")


# Every sort and every filter, each sort over the whole set, chosen to cover every way a list is
# served (the record partition; an index walked either way, with and without a residual filter;
# an index `eq` range; the bounded in-memory scan) within the file's time budget.
CASES = [
    case(ID, "none"),  # the record partition
    case(ID, "name eq shared"),  # index `eq` range, id order
    case(ID, "name eq shared", 5),
    case(NAME_ASC_NULLS_FIRST, "none"),  # index, nulls first
    case(NAME_ASC_NULLS_FIRST, "name ilike %a%"),  # index + residual on the sorted path
    case(NAME_DESC_NULLS_LAST, "none"),  # index walked backwards, nulls last
    case(NAME_DESC_NULLS_LAST, "employees>=50"),  # ... + residual on another path
    case(NAME_DESC_NULLS_LAST, "name eq shared", 5),  # ... + `eq` range on the sorted path
    case(EMPLOYEES_ASC_NULLS_LAST, "name ilike %a%"),  # in memory
    case(CREATED_DESC_NULLS_FIRST, "none"),  # index backwards, ties of one batch broken by id
]


class TestWholeWalks:
    @pytest.fixture(scope="class")
    def dataset(self):
        """132 companies in one workspace, created in batches of at most 60 (class scope: the
        walks only read, and the class ends before tests that mock AWS per function)."""
        from chalice.test import Client
        from moto import mock_aws

        from app import app
        from chalicelib.metadata import registry
        from chalicelib.storage.schema import ensure_tables

        generator = random.Random(20240611)
        names = [SHARED] * 18 + [None] * 12 + A_NAMES + OTHER_NAMES
        names += [generator.choice(OTHER_NAMES) for _ in range(132 - len(names))]
        generator.shuffle(names)
        rows = [{"name": name, "employees": generator.choice(EMPLOYEES)} for name in names]
        with mock_aws():
            ensure_tables()
            registry.clear_cache()
            with Client(app) as client:
                rest = RestClient(client.http, make_tenant("Walks"))
                created = create_all(rest, rows)
                assert [(c["name"], c["employees"]) for c in created] == [
                    (r["name"], r["employees"]) for r in rows
                ], "the API must store names and employees as sent"
                yield rest, created

    def test_the_dataset_has_what_the_walks_need(self, dataset):
        _, created = dataset
        assert len(created) == 132
        assert len({c["id"] for c in created}) == 132
        assert sum(c["name"] == SHARED for c in created) == 18
        assert sum(c["name"] is None for c in created) >= 12
        assert sum(c["employees"] is None for c in created) >= 5
        assert len({c["createdAt"] for c in created}) >= 2

    @pytest.mark.parametrize(("sort", "filter_name", "limit"), CASES)
    def test_paging_forward_then_backward_visits_every_match_once_in_order(
        self, dataset, sort, filter_name, limit
    ):
        rest, created = dataset
        text, keep = FILTERS[filter_name]
        expected = ids(expected_order([c for c in created if keep(c)], *(sort or (None,))))
        assert len(expected) > limit, "the case must span several pages"
        base = f"/rest/companies?limit={limit}"
        if text is not None:
            base += f"&filter={q(text)}"
        if sort is not None:
            base += f"&order_by={q(sort_id(sort))}"

        # Forward, with starting_after = the previous page's endCursor.
        pages, cursor = [], None
        while True:
            status, body = rest.get(base + (f"&starting_after={cursor}" if cursor else ""))
            assert status == 200, body
            page, info = page_ids(body), body["pageInfo"]
            where = f"forward page {len(pages) + 1}"
            assert body["totalCount"] == len(expected), where
            assert info["hasPreviousPage"] is (len(pages) > 0), where
            assert page, where
            assert [info["startCursor"], info["endCursor"]] == [page[0], page[-1]], where
            pages.append(page)
            if not info["hasNextPage"]:
                break
            assert len(page) == limit, f"{where} is not full"
            assert len(pages) <= len(expected), "the walk does not end"
            cursor = info["endCursor"]
        walked = [record_id for page in pages for record_id in page]
        assert len(walked) == len(set(walked)), "a record was listed twice"
        assert walked == expected
        assert len(pages) == -(-len(expected) // limit)

        # Backward from the last page, with ending_before = the current page's startCursor.
        # (a record id is a valid cursor too: the walk back starts from one)
        back, cursor = [], pages[-1][0]
        while True:
            status, body = rest.get(base + f"&ending_before={cursor}")
            assert status == 200, body
            page, info = page_ids(body), body["pageInfo"]
            where = f"backward page {len(back) + 1}"
            assert body["totalCount"] == len(expected), where
            assert info["hasNextPage"] is True, where
            assert [info["startCursor"], info["endCursor"]] == [page[0], page[-1]], where
            back.append(page)
            if not info["hasPreviousPage"]:
                break
            assert len(back) < len(pages), "the backward walk does not end"
            cursor = info["startCursor"]
        assert back == pages[-2::-1]


# -- 2. records inserted and deleted between pages ---------------------------------------------


def walk_from(rest: RestClient, base: str, cursor: str) -> tuple[list[str], list[dict]]:
    """Every id after `cursor`, page by page; also the bodies, for their page info."""
    walked, bodies = [], []
    while True:
        status, body = rest.get(f"{base}&starting_after={cursor}")
        assert status == 200, body
        bodies.append(body)
        walked += page_ids(body)
        if not body["pageInfo"]["hasNextPage"]:
            return walked, bodies
        assert len(bodies) < 50, "the walk does not end"
        cursor = body["pageInfo"]["endCursor"]


def first_pages(rest: RestClient, base: str, count: int) -> list[str]:
    seen, cursor = [], None
    for _ in range(count):
        status, body = rest.get(base + (f"&starting_after={cursor}" if cursor else ""))
        assert status == 200, body
        assert body["pageInfo"]["hasNextPage"] is True
        seen += page_ids(body)
        cursor = body["pageInfo"]["endCursor"]
    return seen


WALK_LIMIT = 7
ORIGINAL_NAMES = [
    "alpha",
    "Alpha",
    "bravo",
    "Charlie",
    "charlie",
    "delta",
    "Echo",
    "foxtrot",
    "Golf",
    "hotel",
    None,
]


@pytest.fixture
def originals(rest):
    """44 companies; a few share names, a few have none."""
    rows = [{"name": ORIGINAL_NAMES[i % len(ORIGINAL_NAMES)], "employees": i} for i in range(44)]
    return create_all(rest, rows)


@pytest.mark.parametrize("sort", [ID, ("name", "AscNullsLast")], ids=sort_id)
def test_a_walk_survives_inserts_and_deletes_between_pages(rest, originals, sort):
    base = f"/rest/companies?limit={WALK_LIMIT}"
    if sort is not None:
        base += f"&order_by={q(sort_id(sort))}"
    ordered = expected_order(originals, *(sort or (None,)))
    seen = first_pages(rest, base, 2)
    assert seen == ids(ordered[: 2 * WALK_LIMIT])
    cursor_record = ordered[2 * WALK_LIMIT - 1]
    cursor = cursor_record["id"]
    unvisited = ordered[2 * WALK_LIMIT :]

    # New records on both sides of the cursor, as near to it as the order allows.
    if sort is None:
        before_rows = [
            {"id": neighbour(cursor, -1), "name": "x"},
            {"id": "00000000-0000-4000-8000-000000000001", "name": "x"},
        ]
        after_rows = [
            {"id": neighbour(cursor, +1), "name": "x"},
            {"id": "ffffffff-ffff-4fff-bfff-fffffffffffe", "name": "x"},
        ]
    else:
        name = cursor_record["name"]
        assert name is not None and name != name.upper() and name != name.lower()
        # Same name with the next/previous id, a case variant on each side, and both ends.
        before_rows = [
            {"id": neighbour(cursor, -1), "name": name},
            {"name": name.upper()},
            {"name": "a"},
        ]
        after_rows = [
            {"id": neighbour(cursor, +1), "name": name},
            {"name": name.lower()},
            {"name": "zzzz"},
            {"name": None},
        ]
    inserted_before = create_all(rest, before_rows)
    inserted_after = create_all(rest, after_rows)
    # Check the test's own premise: the inserts really fall where they are meant to.
    full = ids(expected_order([*originals, *inserted_before, *inserted_after], *(sort or (None,))))
    at = full.index(cursor)
    assert all(full.index(r["id"]) < at for r in inserted_before)
    assert all(full.index(r["id"]) > at for r in inserted_after)

    soft_deleted = unvisited[len(unvisited) // 2]
    status, _ = rest.delete(f"/rest/companies/{soft_deleted['id']}?soft_delete=true")
    assert status == 200
    status, _ = rest.delete(f"/rest/companies/{cursor}")
    assert status == 200
    assert rest.get(f"/rest/companies/{cursor}")[0] == 404

    walked, bodies = walk_from(rest, base, cursor)
    assert len(walked) == len(set(walked)), "a record was listed twice"
    assert not set(walked) & set(seen), "a record seen before the cursor came back"
    assert not set(walked) & set(ids(inserted_before)), "a record inserted before the cursor"
    assert soft_deleted["id"] not in walked and cursor not in walked
    # Every other original record exactly once, in order; records inserted after the cursor
    # may appear, in their places.
    remaining = [r for r in unvisited if r["id"] != soft_deleted["id"]]
    appeared = [r for r in inserted_after if r["id"] in walked]
    assert walked == ids(expected_order([*remaining, *appeared], *(sort or (None,))))
    live = len(originals) - 2 + len(inserted_before) + len(inserted_after)
    for body in bodies:
        assert body["totalCount"] == live
        assert body["pageInfo"]["hasPreviousPage"] is True
    assert all(len(page_ids(b)) == WALK_LIMIT for b in bodies[:-1]), "pages must be full"


# -- 3. cursors and embeds never cross workspaces or objects -----------------------------------


@pytest.fixture
def other(client, aws):
    return RestClient(client.http, make_tenant("Other"))


def a_and_b(rest: RestClient, other: RestClient):
    mine = create_all(rest, [{"name": f"Mine {i}", "employees": i} for i in range(6)])
    theirs = create_all(other, [{"name": f"Theirs {i}", "employees": i} for i in range(6)])
    return mine, theirs


LISTS = {
    "default order": "",
    "indexed sort": f"&order_by={q('name')}",
    "scanned sort": f"&order_by={q('employees[DescNullsLast]')}",
    "scanned filter": f"&filter={q('employees[gte]:0')}",
    "indexed eq filter": f"&filter={q('name[eq]:x')}",
    "sorted and filtered": f"&order_by={q('name[DescNullsLast]')}&filter={q('employees[gte]:0')}",
}
CURSORS = ("starting_after", "ending_before")


def test_a_cursor_from_another_workspace_is_400_and_never_shows_its_data(rest, other):
    mine, _ = a_and_b(rest, other)
    wrong = []
    for label, query in LISTS.items():
        for param in CURSORS:
            for record in (mine[0], mine[-1]):
                status, body = other.get(f"/rest/companies?limit=2{query}&{param}={record['id']}")
                text = json.dumps(body)
                # Never A's data, whatever the status (the 400 may echo the cursor itself).
                assert not any(m["name"] in text for m in mine), (label, param, body)
                assert not any(m["id"] in text for m in mine if m is not record), (label, body)
                if status != 400 or record["id"] not in " ".join(body.get("messages", [])):
                    wrong.append((label, param, status, body))
    assert not wrong, "\n".join(map(repr, wrong))


def test_a_record_of_another_object_as_cursor_of_a_sorted_list_is_400(rest):
    create_all(rest, [{"name": f"Mine {i}", "employees": i} for i in range(6)])
    _, body = rest.post("/rest/people", {"jobTitle": "not a company"})
    person = body["data"]["createPerson"]
    wrong = []
    for label, query in list(LISTS.items())[1:]:
        for param in CURSORS:
            status, body = rest.get(f"/rest/companies?limit=2{query}&{param}={person['id']}")
            if status != 400 or person["id"] not in " ".join(body.get("messages", [])):
                wrong.append((label, param, status, body))
    assert not wrong, "\n".join(map(repr, wrong))


def test_depth_one_never_embeds_another_workspaces_records(rest, other):
    mine, theirs = a_and_b(rest, other)
    my_people = create_all(
        rest,
        [{"jobTitle": f"mine {i}", "companyId": mine[i % 2]["id"]} for i in range(4)],
        "people",
    )
    # B cannot point a person at A's company.
    status, body = other.post("/rest/people", {"companyId": mine[0]["id"]})
    assert status == 400, body
    status, body = other.post("/rest/batch/people", [{"companyId": mine[1]["id"]}])
    assert status == 400, body
    # B may reuse A's ids for its own records: a company with A's company id, and a person with
    # A's person id, so any lookup that drops the workspace would mix the two.
    status, body = other.post("/rest/companies", {"id": mine[0]["id"], "name": "Theirs twin"})
    assert status == 201, body
    twin = body["data"]["createCompany"]
    their_people = create_all(
        other,
        [
            {"id": my_people[0]["id"], "jobTitle": "theirs twin", "companyId": twin["id"]},
            {"jobTitle": "theirs 1", "companyId": theirs[0]["id"]},
            {"jobTitle": "theirs 2", "companyId": twin["id"]},
        ],
        "people",
    )

    def embedded(client: RestClient) -> dict[str, list[tuple[str, str]]]:
        status, body = client.get("/rest/companies?depth=1&limit=200")
        assert status == 200, body
        return {
            c["id"]: sorted((p["id"], p["jobTitle"]) for p in c["people"])
            for c in body["data"]["companies"]
        }

    expected_b = {c["id"]: [] for c in [*theirs, twin]}
    expected_a = {c["id"]: [] for c in mine}
    for person in their_people:
        expected_b[person["companyId"]].append((person["id"], person["jobTitle"]))
    for person in my_people:
        expected_a[person["companyId"]].append((person["id"], person["jobTitle"]))
    assert embedded(other) == {k: sorted(v) for k, v in expected_b.items()}
    assert embedded(rest) == {k: sorted(v) for k, v in expected_a.items()}

    status, body = other.get("/rest/people?depth=1&limit=200")
    assert status == 200, body
    assert body["totalCount"] == len(their_people), "a refused create left a person behind"
    names = {p["id"]: p["company"]["name"] for p in body["data"]["people"]}
    assert names == {
        p["id"]: "Theirs 0" if p["companyId"] == theirs[0]["id"] else "Theirs twin"
        for p in their_people
    }
    assert not any(m["name"] in json.dumps(body) for m in mine)
    status, body = other.get(f"/rest/people/{my_people[0]['id']}?depth=1")
    assert body["data"]["person"]["jobTitle"] == "theirs twin"
    assert body["data"]["person"]["company"]["name"] == "Theirs twin"
